"""State machines and their published versions."""
from __future__ import annotations

import re
import uuid

from django.db import IntegrityError, transaction

from designer import accounts, arns
from designer.access import machines_for, sees
from designer.models import StateMachine, StateMachineVersion

from . import definitions, pagination
from .errors import ApiError
from .executions import stop_running
from .lookups import get_machine, machine_arn, qualifier, resolve
from .registry import operation
from .shapes import compact, encryption, tag_list, timestamp

ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
MAX_TAGS = 50
MAX_VERSIONS = 1000
LOG_LEVELS = ["ALL", "ERROR", "FATAL", "OFF"]
DEFAULT_LOGGING = {"level": "OFF", "includeExecutionData": False}


# --- what the API says about a machine ------------------------------------

def describe(machine: StateMachine, version: StateMachineVersion | None = None) -> dict:
    source = version or machine
    return compact({
        "stateMachineArn": version.arn if version else machine.arn,
        "name": machine.name,
        "status": "ACTIVE",
        "definition": source.definition,
        "roleArn": source.role_arn,
        "type": machine.type,
        "creationDate": timestamp(source.created_at),
        "loggingConfiguration": machine.logging_configuration or DEFAULT_LOGGING,
        "tracingConfiguration": machine.tracing_configuration or {"enabled": False},
        "revisionId": str(source.revision_id),
        # only versions have a description on AWS
        "description": version.description if version else None,
        "encryptionConfiguration": encryption(),
    })


# --- reading the request -------------------------------------------------

def _role_arn(params, *, required) -> str | None:
    value = params.string("roleArn", required=required, min_length=1, max_length=256)
    if value is not None and not ROLE_ARN.match(value):
        raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {value}' "
                                     "(expected an IAM role ARN, arn:aws:iam::<account>:role/<name>)")
    return value


def _logging(params) -> dict | None:
    config = params.structure("loggingConfiguration")
    if config is None:
        return None
    level = config.get("level", "OFF")
    if level not in LOG_LEVELS:
        raise ApiError("InvalidLoggingConfiguration",
                       f"Invalid Logging Configuration: level must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    include = config.get("includeExecutionData", False)
    destinations = config.get("destinations", [])
    if not isinstance(include, bool) or not isinstance(destinations, list):
        raise ApiError("InvalidLoggingConfiguration",
                       "Invalid Logging Configuration: includeExecutionData is a boolean, destinations a list")
    if level != "OFF" and not destinations:
        raise ApiError("InvalidLoggingConfiguration",
                       "Invalid Logging Configuration: a log destination is required unless the level is OFF")
    return {"level": level, "includeExecutionData": include, **({"destinations": destinations} if destinations else {})}


def _tracing(params) -> dict | None:
    config = params.structure("tracingConfiguration")
    if config is None:
        return None
    enabled = config.get("enabled", False)
    if not isinstance(enabled, bool):
        raise ApiError("InvalidTracingConfiguration", "Invalid Tracing Configuration: enabled is a boolean")
    return {"enabled": enabled}


def _encryption(params) -> None:
    config = params.structure("encryptionConfiguration")
    if config is not None and config.get("type") != "AWS_OWNED_KEY":
        raise ApiError("InvalidEncryptionConfiguration",
                       "Statelight keeps its data encrypted with its own key: only type AWS_OWNED_KEY is accepted")


def _version_description(params, publish: bool) -> str:
    description = params.string("versionDescription", max_length=256)
    if description is not None and not publish:
        raise ApiError("ValidationException", "Version description can only be set when publish is true")
    return description or ""


def _unqualified(params, member="stateMachineArn"):
    arn, parsed = params.arn(member)
    if qualifier(parsed) is not None:
        raise ApiError("InvalidArn", f"Invalid Arn: '{arn}' (expected a state machine ARN without a version or "
                                     "alias)")
    return arn


# --- state machines -------------------------------------------------------

@operation("CreateStateMachine")
def create_state_machine(call):
    p = call.params
    name = p.name()
    definition = definitions.read(p)
    role_arn = _role_arn(p, required=True)
    machine_type = p.string("type", choices=[StateMachine.STANDARD, StateMachine.EXPRESS],
                            default=StateMachine.STANDARD)
    logging = _logging(p) or {}
    tracing = _tracing(p) or {}
    tags = p.tags() or {}
    publish = p.boolean("publish", default=False)
    description = _version_description(p, publish)
    _encryption(p)
    if len(tags) > MAX_TAGS:
        raise ApiError("TooManyTags", f"Too many tags: at most {MAX_TAGS}", resourceName=name)
    definitions.check(definition, call.user)

    arn = arns.arn("stateMachine", call.region, name, account=accounts.account_id(call.user))
    try:
        with transaction.atomic():
            existing = StateMachine.objects.select_for_update().filter(arn=arn).first()
            if existing is not None:
                return _same_machine_again(call.user, existing, definition, role_arn, machine_type, logging,
                                           tracing, publish)
            machine = StateMachine.objects.create(
                arn=arn, name=name, region=call.region, owner=call.user, type=machine_type, definition=definition,
                role_arn=role_arn, logging_configuration=logging, tracing_configuration=tracing, tags=tags)
            version = _publish(machine, description) if publish else None
    except IntegrityError:
        # another request created it between our look and our insert
        raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'") from None
    return compact({"stateMachineArn": machine.arn, "creationDate": timestamp(machine.created_at),
                    "stateMachineVersionArn": version.arn if version else None})


def _same_machine_again(user, machine, definition, role_arn, machine_type, logging, tracing, publish):
    # AWS: creating a machine that exists with the same configuration is a
    # no-op that returns it; anything different is a conflict
    same = (machine.definition == definition and machine.role_arn == role_arn and machine.type == machine_type
            and (machine.logging_configuration or {}) == logging
            and (machine.tracing_configuration or {}) == tracing)
    if not (same and sees(user, machine.owner_id)):
        raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{machine.arn}'")
    version = machine.versions.first() if publish else None
    return compact({"stateMachineArn": machine.arn, "creationDate": timestamp(machine.created_at),
                    "stateMachineVersionArn": version.arn if version else None})


@operation("DescribeStateMachine")
def describe_state_machine(call):
    p = call.params
    arn, parsed = p.arn("stateMachineArn")
    p.string("includedData", choices=["ALL_DATA", "METADATA_ONLY"])
    name = qualifier(parsed)
    if name is not None and not name.isdigit():
        raise ApiError("InvalidArn", f"Invalid Arn: '{arn}' (describe an alias with DescribeStateMachineAlias)")
    machine, version, _ = resolve(call.user, arn, parsed)
    return describe(machine, version)


@operation("UpdateStateMachine")
def update_state_machine(call):
    p = call.params
    arn = _unqualified(p)
    definition = definitions.read(p, required=False)
    role_arn = _role_arn(p, required=False)
    logging = _logging(p)
    tracing = _tracing(p)
    publish = p.boolean("publish", default=False)
    description = _version_description(p, publish)
    _encryption(p)
    if definition is None and role_arn is None and logging is None and tracing is None \
            and "encryptionConfiguration" not in p:
        raise ApiError("MissingRequiredParameter",
                       "Either the definition, the roleArn, the loggingConfiguration, the tracingConfiguration or "
                       "the encryptionConfiguration must be specified")
    with transaction.atomic():
        machine = get_machine(call.user, arn, for_update=True)
        if definition is not None:
            definitions.check(definition, machine.owner)  # the owner's rules, whoever (staff) updates it
        changes = {"definition": definition, "role_arn": role_arn, "logging_configuration": logging,
                   "tracing_configuration": tracing}
        changed = False
        for field, value in changes.items():
            if value is not None and getattr(machine, field) != value:
                setattr(machine, field, value)
                changed = True
        if changed:
            machine.revision_id = uuid.uuid4()
        machine.save()
        version = _publish(machine, description) if publish else None
    return compact({"updateDate": timestamp(machine.updated_at), "revisionId": str(machine.revision_id),
                    "stateMachineVersionArn": version.arn if version else None})


@operation("DeleteStateMachine", slow=True)
def delete_state_machine(call):
    arn, parsed = call.params.arn("stateMachineArn")
    if qualifier(parsed) is not None:
        raise ApiError("ValidationException", f"'{arn}' is a version or alias: delete it with "
                                              "DeleteStateMachineVersion or DeleteStateMachineAlias")
    machine = machines_for(call.user).filter(arn=arn).first()
    if machine is None:
        return {}  # deleting is idempotent on AWS
    stop_running(machine.executions.all(), "States.Aborted", "The state machine was deleted")
    machine.delete()
    return {}


@operation("ListStateMachines")
def list_state_machines(call):
    qs = machines_for(call.user).filter(region=call.region)
    rows, token = pagination.page(qs, call.params, call.operation, ["name", "id"], query=[call.region])
    items = [{"stateMachineArn": m.arn, "name": m.name, "type": m.type, "creationDate": timestamp(m.created_at)}
             for m in rows]
    return compact({"stateMachines": items, "nextToken": token})


# --- versions -------------------------------------------------------------

def _publish(machine: StateMachine, description: str) -> StateMachineVersion:
    """A version of the machine as it is now; the latest one again when nothing changed since
    (inside the caller's transaction, with the machine row locked)."""
    latest = machine.versions.order_by("-number").first()
    if latest is not None and latest.revision_id == machine.revision_id:
        return latest
    if machine.versions.count() >= MAX_VERSIONS:
        raise ApiError("ServiceQuotaExceededException",
                       f"A state machine has at most {MAX_VERSIONS} versions: delete old ones first")
    return StateMachineVersion.objects.create(
        machine=machine, number=1 if latest is None else latest.number + 1, definition=machine.definition,
        layout=machine.layout, role_arn=machine.role_arn, description=description,
        revision_id=machine.revision_id)


@operation("PublishStateMachineVersion")
def publish_state_machine_version(call):
    p = call.params
    arn = _unqualified(p)
    revision = p.string("revisionId")
    description = p.string("description", max_length=256) or ""
    for attempt in range(3):
        try:
            with transaction.atomic():
                machine = get_machine(call.user, arn, for_update=True)
                if revision is not None and revision != str(machine.revision_id):
                    raise ApiError("ConflictException",
                                   f"Failed to publish the State Machine version for revision {revision}. "
                                   f"The current State Machine revision is {machine.revision_id}.")
                version = _publish(machine, description)
            break
        except IntegrityError:
            # two publishes raced for the same number (databases without row
            # locks for SELECT FOR UPDATE): the loser tries again
            if attempt == 2:
                raise
    return {"creationDate": timestamp(version.created_at), "stateMachineVersionArn": version.arn}


@operation("ListStateMachineVersions")
def list_state_machine_versions(call):
    machine = get_machine(call.user, _unqualified(call.params))
    rows, token = pagination.page(machine.versions.all(), call.params, call.operation, ["-number"],
                                  query=[machine.arn])
    items = [{"stateMachineVersionArn": f"{machine.arn}:{v.number}", "creationDate": timestamp(v.created_at)}
             for v in rows]
    return compact({"stateMachineVersions": items, "nextToken": token})


@operation("DeleteStateMachineVersion")
def delete_state_machine_version(call):
    arn, parsed = call.params.arn("stateMachineVersionArn", max_length=2000)
    number = qualifier(parsed)
    if number is None or not number.isdigit():
        raise ApiError("InvalidArn", f"Invalid Arn: '{arn}' (expected a state machine version ARN)")
    machine = machines_for(call.user).filter(arn=machine_arn(parsed)).first()
    if machine is None:
        return {}
    with transaction.atomic():
        version = machine.versions.filter(number=int(number)).first()
        if version is None:
            return {}  # idempotent, as on AWS
        for alias in machine.aliases.all():
            if any(route.get("stateMachineVersionArn") == arn for route in alias.routing):
                raise ApiError("ConflictException",
                               f"Version ARN {arn} can't be deleted because it's referenced by alias {alias.arn}. "
                               "Update or delete the alias first.")
        version.delete()
    return {}


def tags_of(machine: StateMachine) -> list[dict]:
    return tag_list(machine.tags)

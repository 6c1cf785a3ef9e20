"""State machine aliases: a name routing executions to one or two versions by weight."""
from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from designer import arns
from designer.access import machines_for
from designer.models import StateMachineAlias

from . import pagination
from .errors import ApiError
from .lookups import get_machine, machine_arn, qualifier
from .registry import operation
from .shapes import compact, timestamp

ALIAS_NAME = re.compile(r"^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]{1,80}$")
MAX_ALIASES = 100


def describe(alias: StateMachineAlias) -> dict:
    return compact({
        "stateMachineAliasArn": alias.arn,
        "name": alias.name,
        "description": alias.description,
        "routingConfiguration": alias.routing,
        "creationDate": timestamp(alias.created_at),
        "updateDate": timestamp(alias.updated_at),
    })


def _routing(call, *, required):
    """[{stateMachineVersionArn, weight}] naming 1 or 2 existing versions of one
    machine, weights summing to 100; and that machine."""
    routes = call.params.list("routingConfiguration", required=required)
    if routes is None:
        return None, None
    if not 1 <= len(routes) <= 2:
        raise ApiError("ValidationException", "routingConfiguration routes to one or two versions")
    machine = None
    clean = []
    for index, route in enumerate(routes):
        if not isinstance(route, dict):
            raise ApiError("SerializationException", f"Member 'routingConfiguration[{index}]' must be a structure")
        arn, weight = route.get("stateMachineVersionArn"), route.get("weight")
        if not isinstance(arn, str) or not isinstance(weight, int) or isinstance(weight, bool):
            raise ApiError("SerializationException", "Each route has a stateMachineVersionArn (string) and a weight "
                                                     "(integer)")
        if not 0 <= weight <= 100:
            raise ApiError("ValidationException", f"Route weights are 0 to 100, not {weight}")
        parsed = arns.parse(arn)
        if parsed is None or parsed["kind"] != "stateMachine" or not (qualifier(parsed) or "").isdigit():
            raise ApiError("InvalidArn", f"Invalid Arn: '{arn}' (expected a state machine version ARN)")
        this = get_machine(call.user, machine_arn(parsed))
        if machine is not None and this.pk != machine.pk:
            raise ApiError("ValidationException", "All routes of an alias point to versions of the same state "
                                                  "machine")
        machine = this
        if not machine.versions.filter(number=int(qualifier(parsed))).exists():
            raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'", resourceName=arn)
        clean.append({"stateMachineVersionArn": arn, "weight": weight})
    if len(clean) == 2 and clean[0]["stateMachineVersionArn"] == clean[1]["stateMachineVersionArn"]:
        raise ApiError("ValidationException", "The two routes of an alias must name different versions")
    if sum(route["weight"] for route in clean) != 100:
        raise ApiError("ValidationException", "The weights of an alias's routes must add up to 100")
    return clean, machine


def _get_alias(call, member="stateMachineAliasArn", *, for_update=False) -> StateMachineAlias:
    arn, parsed = call.params.arn(member)
    name = qualifier(parsed)
    if name is None or name.isdigit():
        raise ApiError("InvalidArn", f"Invalid Arn: '{arn}' (expected a state machine alias ARN)")
    machine = machines_for(call.user).filter(arn=machine_arn(parsed)).first()
    qs = StateMachineAlias.objects.select_for_update() if for_update else StateMachineAlias.objects
    alias = qs.filter(machine=machine, name=name).first() if machine else None
    if alias is None:
        raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'", resourceName=arn)
    return alias


@operation("CreateStateMachineAlias")
def create_state_machine_alias(call):
    p = call.params
    name = p.string("name", required=True, min_length=1, max_length=80)
    if not ALIAS_NAME.match(name):
        raise ApiError("InvalidName", f"Invalid Name: '{name}' (letters, digits, '-', '_' and '.', not only "
                                      "digits)")
    description = p.string("description", max_length=256) or ""
    routing, machine = _routing(call, required=True)
    try:
        with transaction.atomic():
            existing = machine.aliases.filter(name=name).first()
            if existing is not None:
                if existing.routing == routing and existing.description == description:
                    alias = existing  # the same request again: idempotent
                else:
                    raise ApiError("ConflictException",
                                   f"Alias {existing.arn} already exists with a different configuration")
            elif machine.aliases.count() >= MAX_ALIASES:
                raise ApiError("ServiceQuotaExceededException",
                               f"A state machine has at most {MAX_ALIASES} aliases")
            else:
                alias = StateMachineAlias.objects.create(machine=machine, name=name, description=description,
                                                         routing=routing)
    except IntegrityError:
        raise ApiError("ConflictException", f"Alias {machine.arn}:{name} was created meanwhile") from None
    return {"stateMachineAliasArn": alias.arn, "creationDate": timestamp(alias.created_at)}


@operation("DescribeStateMachineAlias")
def describe_state_machine_alias(call):
    return describe(_get_alias(call))


@operation("UpdateStateMachineAlias")
def update_state_machine_alias(call):
    p = call.params
    description = p.string("description", max_length=256)
    with transaction.atomic():
        alias = _get_alias(call, for_update=True)
        routing, machine = _routing(call, required=False)
        if description is None and routing is None:
            raise ApiError("ValidationException", "Give a description, a routingConfiguration or both")
        if machine is not None and machine.pk != alias.machine_id:
            raise ApiError("ValidationException", "An alias routes only to versions of its own state machine")
        if description is not None:
            alias.description = description
        if routing is not None:
            alias.routing = routing
        alias.save()
    return {"updateDate": timestamp(alias.updated_at)}


@operation("DeleteStateMachineAlias")
def delete_state_machine_alias(call):
    _get_alias(call).delete()
    return {}


@operation("ListStateMachineAliases")
def list_state_machine_aliases(call):
    arn, parsed = call.params.arn("stateMachineArn")
    machine = get_machine(call.user, machine_arn(parsed))
    aliases = machine.aliases.all()
    version = qualifier(parsed)
    if version is not None:
        if not version.isdigit():
            raise ApiError("InvalidArn", f"Invalid Arn: '{arn}' (expected a state machine or version ARN)")
        # a version ARN lists the aliases that route to it
        aliases = aliases.filter(pk__in=[a.pk for a in aliases if any(
            r.get("stateMachineVersionArn") == arn for r in a.routing)])
    rows, token = pagination.page(aliases, call.params, call.operation, ["name", "id"], query=[arn])
    items = [{"stateMachineAliasArn": f"{machine.arn}:{a.name}", "creationDate": timestamp(a.created_at)} for a in rows]
    return compact({"stateMachineAliases": items, "nextToken": token})

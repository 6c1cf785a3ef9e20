"""python -m engine run|validate: the command-line contract.

Prints ONE JSON object on stdout; logs and diagnostics go to stderr.
Exit status: 0 succeeded (or valid), 1 the execution did not succeed,
2 an invalid definition or bad arguments.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from . import parse, validate
from .dependencies import HOW_TO_INSTALL, MissingDependency
from .errors import InvalidDefinition
from .mocks import MockConfigError, load_case
from .runner import run
from .serialize import InvalidPayload, read_payload

EXIT_OK, EXIT_NOT_SUCCEEDED, EXIT_INVALID = 0, 1, 2

# --type: AWS's quotas per workflow type, (history events, seconds).
# https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
TYPE_LIMITS = {"STANDARD": (25_000, 365 * 24 * 3600), "EXPRESS": (None, 300)}


class UsageError(Exception):
    """Bad arguments or unreadable files: exit 2 with a message on stderr."""


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_INVALID
    except MissingDependency as e:
        print(f"error: python -m engine cannot run: {e}.\n{HOW_TO_INSTALL}", file=sys.stderr)
        return EXIT_INVALID


def _parser():
    parser = argparse.ArgumentParser(prog="python -m engine", description="Run or validate an ASL state machine.",
                                     formatter_class=_formatter)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run_cmd = commands.add_parser("run", help="run a definition to its end, print the result as JSON",
                                  formatter_class=_formatter)
    run_cmd.add_argument("definition", help="the ASL definition (JSON file)")
    run_cmd.add_argument("--input", default=None, help="the execution input: a JSON file, or - for stdin (default {})")
    run_cmd.add_argument("--mock-config", help="a Step Functions Local MockConfigFile")
    run_cmd.add_argument("--test-case", help="the test case of the mock config to use")
    run_cmd.add_argument("--state-machine-name", help="the state machine entry of the mock config (if it has several)")
    run_cmd.add_argument("--handlers", action="append", default=[], metavar="MODULE",
                         help="import MODULE so its @engine.task_handler registrations apply (repeatable)")
    run_cmd.add_argument("--history", action="store_true", help="include the execution's history events")
    run_cmd.add_argument("--type", choices=sorted(TYPE_LIMITS), dest="machine_type",
                         help="apply AWS's quotas for this workflow type: STANDARD fails at 25,000 history events, "
                              "EXPRESS times out after 5 minutes (default: neither)")
    run_cmd.add_argument("--history-limit", type=int, metavar="N",
                         help="fail the execution at N history events, as AWS does at 25,000")
    run_cmd.add_argument("--max-seconds", type=_positive_seconds, metavar="S",
                         help="time the execution out after S seconds, as AWS does after 5 minutes for EXPRESS")
    run_cmd.add_argument("--fast-time", action="store_true", help="let Wait and Retry intervals elapse instantly")
    run_cmd.add_argument("--name", default="cli", help="the execution name (default: cli)")
    run_cmd.add_argument("--seed", type=int, help="seed for States.UUID, States.MathRandom and retry jitter")
    run_cmd.set_defaults(command=_run)

    validate_cmd = commands.add_parser("validate", help="print every problem of a definition as JSON",
                                       formatter_class=_formatter)
    validate_cmd.add_argument("definition")
    validate_cmd.set_defaults(command=_validate)
    return parser


def _formatter(prog):
    # argparse's own would import shutil (and bz2, lzma) to measure the terminal on every start
    try:
        width = os.get_terminal_size(sys.stderr.fileno()).columns - 2
    except (OSError, ValueError):
        width = 98
    return argparse.HelpFormatter(prog, width=width)


def _run(args) -> int:
    definition = _read_json(args.definition, "definition")
    task_input = _read_json(args.input, "input") if args.input is not None else {}
    mock_case = None
    if args.mock_config or args.test_case:
        if not (args.mock_config and args.test_case):
            raise UsageError("--mock-config and --test-case go together")
        try:
            mock_case = load_case(_read_json(args.mock_config, "mock config"), args.test_case, args.state_machine_name)
        except MockConfigError as e:
            raise UsageError(f"{args.mock_config}: {e}") from None
    for module in args.handlers:
        try:
            importlib.import_module(module)
        except Exception as e:
            raise UsageError(f"cannot import handler module '{module}': {type(e).__name__}: {e}") from None
    try:
        machine = parse(definition)
    except InvalidDefinition as e:
        _print({"status": "INVALID", "problems": [p.to_dict() for p in e.problems]})
        return EXIT_INVALID
    name = _machine_name(args.definition)
    history_limit, max_seconds = TYPE_LIMITS.get(args.machine_type, (None, None))
    result = run(machine, task_input, mock_case=mock_case, fast_time=args.fast_time, keep_history=args.history,
                 name=args.name, state_machine_name=name, seed=args.seed,
                 history_limit=args.history_limit or history_limit, max_duration=args.max_seconds or max_seconds)
    _print(result.to_dict(history=args.history))
    return EXIT_OK if result.status == "SUCCEEDED" else EXIT_NOT_SUCCEEDED


def _validate(args) -> int:
    problems = validate(_read_json(args.definition, "definition"))
    _print({"problems": [p.to_dict() for p in problems]})
    return EXIT_INVALID if any(p.severity == "ERROR" for p in problems) else EXIT_OK


def _read_json(path, what):
    """A JSON file (or stdin), checked as AWS checks an execution input (engine.serialize.read_payload);
    a payload over 256 KiB is the execution's to refuse (States.DataLimitExceeded), as on AWS."""
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8", errors="surrogateescape").read()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read the {what} {path}: {getattr(e, 'strerror', None) or e}") from None
    try:
        return read_payload(text, what=f"The {what} {path}", limit=None)
    except InvalidPayload as e:
        raise UsageError(str(e)) from None


def _positive_seconds(text) -> float:
    seconds = float(text)
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return seconds


def _machine_name(path) -> str:
    base = path.replace("\\", "/").rsplit("/", 1)[-1]
    for suffix in (".asl.json", ".json"):
        if base.endswith(suffix):
            return base[: -len(suffix)] or "StateMachine"
    return base or "StateMachine"


def _print(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")

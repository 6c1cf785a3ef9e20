"""The Echo task of workload W4: returns its input with "echoed": true added.

    python -m engine run w4_task_chain_1k.asl.json --input ... --handlers bench.echo --fast-time

Importing this module registers the handler (engine.task_handler) for the
Lambda function the W4 workloads call (the manifest's `echo_resource`).
"""
from __future__ import annotations

import engine

ECHO_RESOURCE = "arn:aws:lambda:us-east-1:123456789012:function:Echo"


@engine.task_handler(ECHO_RESOURCE)
def echo(task_input, context):
    """{...input, "echoed": true}, as the peer's local handler does."""
    return {**task_input, "echoed": True}


def register(resource: str) -> None:
    """Answer another resource name too (a manifest whose echo_resource differs)."""
    if resource and resource != ECHO_RESOURCE:
        engine.task_handler(resource)(echo)

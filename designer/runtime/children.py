"""Nested executions (states:startExecution) on the runtime's side: a child that ends answers the
parent waiting for it (`.sync`, `.sync:2`), and a parent that stops waiting stops its children.
Both are inbox items written in the transaction of the step that causes them (store.py)."""
from __future__ import annotations

import json

from designer.models import Execution, InboxItem
from engine.serialize import to_json


def answer_for_parent(row, ex, status, stopped_at) -> InboxItem:
    """The inbox item that answers the parent waiting for this execution (row, its engine `ex`),
    which ended with `status` at `stopped_at`: the task succeeds with the child's description, or
    fails with States.TaskFailed and that description as the cause, as AWS's .sync does."""
    description = describe_child(
        arn=row.arn, name=row.name, machine_arn=ex.machine_context["Id"], status=status, input=ex.input,
        output=ex.output, error=ex.error, cause=ex.cause, started_at=row.started_at, stopped_at=stopped_at,
        json_objects=row.parent_wait == "sync:2", redrive_count=row.redrive_count)
    item = InboxItem(execution_id=row.parent_id, effect_id=row.parent_effect_id)
    if status == Execution.SUCCEEDED:
        item.kind, item.result = InboxItem.COMPLETE, description
    else:
        item.kind, item.error, item.cause = InboxItem.FAIL, "States.TaskFailed", json.dumps(description)
    return item


def stop_children(parent_id, effect_ids) -> list[InboxItem]:
    """STOP items for the running children the parent's cancelled tasks started."""
    children = Execution.objects.filter(parent_id=parent_id, parent_effect_id__in=effect_ids,
                                        status=Execution.RUNNING).values_list("pk", flat=True)
    return [InboxItem(execution_id=child, kind=InboxItem.STOP, error="States.Aborted",
                      cause="The parent execution stopped waiting for this execution.") for child in children]


def describe_child(*, arn, name, machine_arn, status, input, output, error, cause, started_at, stopped_at,
                   json_objects, redrive_count=0) -> dict:
    """DescribeExecution as the startExecution.sync task returns it (PascalCase, epoch milliseconds).
    https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html"""
    description = {
        "ExecutionArn": arn, "Input": input if json_objects else to_json(input), "InputDetails": {"Included": True},
        "Name": name, "RedriveCount": redrive_count, "StartDate": epoch_ms(started_at),
        "StateMachineArn": machine_arn, "Status": status, "StopDate": epoch_ms(stopped_at),
    }
    if status == Execution.SUCCEEDED:
        description["Output"] = output if json_objects else to_json(output)
        description["OutputDetails"] = {"Included": True}
    else:
        if error is not None:
            description["Error"] = error
        if cause is not None:
            description["Cause"] = cause
    return description


def epoch_ms(moment) -> int:
    """Epoch milliseconds, as AWS's task outputs give times, of a datetime or epoch seconds."""
    seconds = moment if isinstance(moment, (int, float)) else moment.timestamp()
    return int(round(seconds * 1000))

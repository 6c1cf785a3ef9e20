"""Task resources: who answers a Task state's Resource.

The runtime hands every task it cannot answer itself to `perform(request)`;
the answer is an Outcome: succeeded (the raw result), failed (error, cause) or
waiting (the answer comes later, through a task token or a child execution).
Resolved in this order (DESIGN.md, Task resources):

1. a Step Functions Local mock test case, when the execution has one (mocks.py) —
   the runtime answers those itself, in the same transaction (designer/runtime/step.py);
2. activities (`arn:aws:states:REGION:ACCOUNT:activity:NAME`) — the runtime
   hands them to GetActivityTask pollers, they never reach a performer;
3. a Python handler registered for the resource (engine.task_handler), by
   Lambda function name, full ARN or ARN pattern, from the modules named by
   the STATELIGHT_HANDLERS setting; `arn:aws:states:::lambda:invoke` finds
   the handler of its FunctionName and answers in Lambda's response shape
   (Payload, StatusCode, ExecutedVersion). What the handler logs and prints
   during the call comes back with the outcome (`Outcome.logs`,
   handler_logs.py); the runtime stores it with the answer (TaskLog);
4. the performers registered (`register(matcher, performer)`), first match
   wins: http:invoke (http.py), states:startExecution (nested.py) and the
   human-approval resource (designer/approvals/resource.py), plugged in by
   DesignerConfig.ready() (designer/apps.py), and whatever a test plugs in;
5. otherwise the task fails with States.TaskFailed and a cause naming the
   resource and how to answer it.

With `.waitForTaskToken` the resource is invoked with the token in its input
and the task then waits for SendTaskSuccess/Failure (a performer's result is
ignored; a failure still fails the task).
"""
from .registry import find_handler, load_handlers, perform, register, unregister
from .tasks import FAILED, SUCCEEDED, WAIT, WAITING, Outcome, TaskRequest, failed, stored_payload, succeeded

__all__ = [
    "FAILED", "Outcome", "SUCCEEDED", "TaskRequest", "WAIT", "WAITING", "failed", "find_handler", "load_handlers",
    "perform", "register", "stored_payload", "succeeded", "unregister",
]

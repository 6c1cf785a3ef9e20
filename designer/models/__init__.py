from .credentials import AccessKey, Connection
from .executions import (
    Effect,
    Execution,
    ExecutionFrame,
    ExecutionState,
    HistoryEvent,
    InboxItem,
    TaskLog,
    envelope,
)
from .machines import StateMachine, StateMachineAlias, StateMachineVersion
from .tasks import Activity, TaskToken
from .workers import RuntimeHeartbeat

__all__ = [
    "AccessKey", "Activity", "Connection", "Effect", "Execution", "ExecutionFrame", "ExecutionState", "HistoryEvent",
    "InboxItem", "RuntimeHeartbeat", "StateMachine", "StateMachineAlias", "StateMachineVersion", "TaskLog",
    "TaskToken", "envelope",
]

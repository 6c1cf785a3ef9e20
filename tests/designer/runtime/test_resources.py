"""Task resources resolved in order: mocks, handlers (lambda:invoke included), registered
performers, and a clear failure for a resource nothing answers."""
import json

import pytest

import engine
from designer import resources
from designer import runtime as rt
from designer.models import HistoryEvent
from engine.handlers import default_registry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def registry_as_it_was():
    """Handlers a test registers are gone after it (other modules' handlers stay). The configured
    modules load first: loaded during a test, they would be forgotten with its own and not load again."""
    resources.load_handlers()
    exact, patterns = dict(default_registry.exact), list(default_registry.patterns)
    yield
    default_registry.exact.clear()
    default_registry.exact.update(exact)
    default_registry.patterns[:] = patterns


def one_task(resource, **state):
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **state}}}


def run(machine, alice, worker, definition, input_text="{}", **options):
    execution = rt.start_execution(machine("M", definition), owner=alice, input_text=input_text, **options)
    worker.drain()
    execution.refresh_from_db()
    return execution


def test_a_lambda_arn_runs_the_handler_of_its_function_name(machine, alice, worker):
    execution = run(machine, alice, worker, one_task("arn:aws:lambda:eu-west-1:999999999999:function:FirstFunction"),
                    '{"x": 1}')
    assert json.loads(execution.output) == {"x": 1, "greeting": "Hello from FirstFunction"}


def test_lambda_invoke_maps_function_name_and_answers_in_lambdas_shape(machine, alice, worker):
    definition = one_task("arn:aws:states:::lambda:invoke",
                          Parameters={"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:TaskA:$LATEST",
                                      "Payload.$": "$"})
    execution = run(machine, alice, worker, definition, '{"x": 1}')
    assert json.loads(execution.output) == {
        "ExecutedVersion": "$LATEST", "Payload": {"task": "TaskA", "input": {"x": 1}}, "StatusCode": 200}


def test_a_handler_registered_for_an_arn_pattern_answers_any_matching_resource(machine, alice, worker):
    engine.task_handler("arn:aws:states:::aws-sdk:dynamodb:*")(
        lambda task_input, context: {"Item": task_input, "state": context.state_name})
    execution = run(machine, alice, worker, one_task("arn:aws:states:::aws-sdk:dynamodb:getItem",
                                                     Parameters={"Key": {"id": {"S": "1"}}}))
    assert json.loads(execution.output) == {"Item": {"Key": {"id": {"S": "1"}}}, "state": "T"}


def test_a_handlers_exception_fails_the_task_as_a_lambda_error(machine, alice, worker):
    execution = run(machine, alice, worker, one_task("arn:aws:lambda:us-east-1:123456789012:function:UnreliableFunction"),
                    '{"failures": 1}')
    assert execution.status == "FAILED" and execution.error == "UnreliableError"
    assert json.loads(execution.cause)["errorType"] == "UnreliableError"


def test_a_resource_nothing_answers_fails_with_a_cause_naming_it(machine, alice, worker):
    execution = run(machine, alice, worker, one_task("arn:aws:states:::sns:publish",
                                                     Parameters={"TopicArn": "t", "Message": "m"}))
    assert execution.status == "FAILED" and execution.error == "States.TaskFailed"
    assert "arn:aws:states:::sns:publish" in execution.cause
    assert "STATELIGHT_HANDLERS" in execution.cause


def test_a_registered_performer_answers_its_resources(machine, alice, worker):
    def approve(request):
        return resources.succeeded({"approvedBy": "the test", "asked": request.input})

    resources.register("arn:aws:states:::statelight:approve", approve)
    try:
        execution = run(machine, alice, worker, one_task("arn:aws:states:::statelight:approve",
                                                         Parameters={"question": "ok?"}))
        assert json.loads(execution.output) == {"approvedBy": "the test", "asked": {"question": "ok?"}}
    finally:
        resources.unregister(approve)


def test_a_performer_can_wait_for_an_answer_through_a_token_of_its_own(machine, alice, worker):
    from designer.models import TaskToken

    def ask(request):
        # a callback's kind: SendTask* answer it (an approval's token answers only its decision)
        TaskToken.objects.create(token="performer-token-0123456789", kind=TaskToken.CALLBACK,
                                 execution_id=request.execution_id, effect_id=request.effect_id,
                                 state_name=request.state, request={"question": request.input})
        return resources.WAIT

    resources.register(lambda request: request.resource_arn.endswith(":ask"), ask, first=True)
    try:
        execution = run(machine, alice, worker, one_task("arn:aws:states:::statelight:ask"))
        assert execution.status == "RUNNING"
        rt.send_task_success("performer-token-0123456789", '{"approved": true}')
        worker.drain()
        execution.refresh_from_db()
        assert json.loads(execution.output) == {"approved": True}
    finally:
        resources.unregister(ask)


def test_a_crashing_performer_fails_the_task_not_the_worker(machine, alice, worker):
    def broken(request):
        raise KeyError("oops")

    resources.register("arn:aws:states:::statelight:broken", broken)
    try:
        execution = run(machine, alice, worker, one_task("arn:aws:states:::statelight:broken"))
        assert execution.status == "FAILED" and execution.error == "States.TaskFailed"
        assert "KeyError" in execution.cause
    finally:
        resources.unregister(broken)


def test_wait_for_task_token_invokes_the_resource_then_waits(machine, alice, worker):
    seen = []
    engine.task_handler("arn:aws:states:::events:putEvents")(lambda task_input, context: seen.append(task_input))
    definition = one_task("arn:aws:states:::events:putEvents.waitForTaskToken",
                          Parameters={"Entries": [{"Detail": {"token.$": "$$.Task.Token"}}]})
    execution = run(machine, alice, worker, definition)
    assert execution.status == "RUNNING"
    [message] = seen
    rt.send_task_success(message["Entries"][0]["Detail"]["token"], '"ok"')
    worker.drain()
    execution.refresh_from_db()
    assert json.loads(execution.output) == "ok"


# --- Step Functions Local mock test cases -------------------------------------------------

MOCKED = {"StartAt": "First", "States": {
    "First": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FirstFunction",
              "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 1, "MaxAttempts": 3}], "Next": "Ask"},
    "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"MessageBody.$": "$$.Task.Token"}, "End": True}}}
CONFIG = {
    "StateMachines": {"M": {"TestCases": {"HappyPath": {"First": "FailTwiceThenOk", "Ask": "Answered"},
                                          "Unhappy": {"First": "AlwaysFails"}}}},
    "MockedResponses": {
        "FailTwiceThenOk": {"0-1": {"Throw": {"Error": "Boom", "Cause": "mocked"}}, "2": {"Return": {"mocked": 1}}},
        "Answered": {"0": {"Return": {"answer": "from the mock"}}},
        "AlwaysFails": {"0-9": {"Throw": {"Error": "Nope", "Cause": "never"}}},
    }}


@pytest.fixture
def mock_config(tmp_path, settings):
    path = tmp_path / "mocks.json"
    path.write_text(json.dumps(CONFIG))
    settings.STATELIGHT_MOCK_CONFIG = str(path)
    return path


def test_a_mock_test_case_answers_tasks_retries_and_callbacks_included(machine, alice, mock_config, clock):
    execution = rt.start_execution(machine("M", MOCKED), owner=alice, mock_test_case="HappyPath")
    worker = rt.Runtime(inline_tasks=True, worker_id="w", clock=clock)
    worker.cache = None  # the call counters come back from the store between steps
    for _ in range(4):
        worker.drain()
        clock.advance(2)
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == {"answer": "from the mock"}
    assert execution.runtime_state.mock_calls == {"First": 3, "Ask": 1}
    failures = HistoryEvent.objects.filter(execution=execution, type="LambdaFunctionFailed").count()
    assert failures == 2


def test_a_mocked_failure_fails_the_task(machine, alice, worker, mock_config):
    execution = rt.start_execution(machine("M", MOCKED), owner=alice, mock_test_case="Unhappy")
    worker.drain()
    execution.refresh_from_db()
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Nope", "never")


def test_an_unknown_test_case_is_refused_when_starting(machine, alice, mock_config):
    with pytest.raises(rt.InvalidMockTestCase, match="no test case 'Nope'"):
        rt.start_execution(machine("M", MOCKED), owner=alice, mock_test_case="Nope")


def test_a_test_case_without_a_mock_config_is_refused(machine, alice, settings):
    settings.STATELIGHT_MOCK_CONFIG = ""
    with pytest.raises(rt.InvalidMockTestCase, match="STATELIGHT_MOCK_CONFIG"):
        rt.start_execution(machine("M", MOCKED), owner=alice, mock_test_case="HappyPath")

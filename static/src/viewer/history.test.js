// State runs read from history: the same recorded histories as
// tests/designer/test_viewer.py, so the browser and the server agree.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { StateRuns, readableCause, resourcesOf } from "./history.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const recorded = JSON.parse(readFileSync(join(root, "tests/designer/histories/fanout_retry_catch.json"), "utf8"));
const upTo = (id) => recorded.history.filter((e) => e.id <= id);

const only = (statuses) => Object.fromEntries(Object.entries(statuses).map(([k, v]) => [k, v.status]));

test("a finished run: Map iterations summed up, failed first; a caught task; a retried one succeeded", () => {
  const runs = new StateRuns().addAll(recorded.history);
  assert.equal(runs.status, "SUCCEEDED");
  assert.deepEqual(only(runs.statuses()), {
    P: "succeeded", A: "succeeded", W: "succeeded", M: "succeeded", U: "failed", B: "succeeded", C: "caught", D: "succeeded",
  });
  assert.equal(runs.statuses({ M: 0 }).U.status, "succeeded");
  assert.equal(runs.statuses({ M: 1 }).U.status, "failed");
});

test("every event finds its state, the Map's own events past their children's links", () => {
  const runs = new StateRuns().addAll(recorded.history);
  const owner = (id) => runs.entries.get(runs.byEvent.get(id))?.name ?? null;
  const byType = (type) => recorded.history.filter((e) => e.type === type).map((e) => e.id);
  for (const id of byType("MapIterationFailed")) assert.equal(owner(id), "M");
  for (const id of byType("MapStateSucceeded")) assert.equal(owner(id), "M");
  for (const id of byType("ParallelStateSucceeded")) assert.equal(owner(id), "P");
  const exits = recorded.history.filter((e) => e.type.endsWith("StateExited"));
  for (const e of exits) assert.equal(owner(e.id), e.stateExitedEventDetails.name);
  const [w] = runs.ofState("W");
  assert.equal(runs.entries.get(w.parent).name, "P");
});

test("Map progress counts iterations, and the picker lists the failed ones first", () => {
  const runs = new StateRuns().addAll(recorded.history);
  const map = runs.latest("M");
  const { counts, order } = runs.progress(map);
  assert.deepEqual(counts, { total: 2, succeeded: 1, running: 0, failed: 1, aborted: 0 });
  assert.deepEqual(order.map((it) => it.index), [1, 0]);
  assert.deepEqual(runs.ofState("U", 1).map((e) => e.iteration.index), [1]);
});

test("mid-way: a failed attempt with a retry pending is retrying, then running again", () => {
  const failed = recorded.history.find((e) => e.type === "LambdaFunctionFailed" && runsName(e.id) === "B");
  const runs = new StateRuns().addAll(upTo(failed.id));
  assert.equal(runs.statuses().B.status, "retrying");
  runs.addAll(upTo(failed.id + 1));
  assert.equal(runs.statuses().B.status, "running");
  assert.equal(runs.latest("B").attempts.length, 2);
});

function runsName(id) {
  const runs = new StateRuns().addAll(upTo(id));
  return runs.entries.get(runs.byEvent.get(id))?.name;
}

test("duplicates are ignored", () => {
  const runs = new StateRuns().addAll(upTo(20));
  runs.addAll(upTo(30));
  assert.equal(runs.events.length, 30);
  assert.deepEqual(runs.events.map((e) => e.id), Array.from({ length: 30 }, (_, i) => i + 1));
});

const entered = (id, prev, type, name, input = "{}") => ({
  id, previousEventId: prev, timestamp: id, type: `${type}StateEntered`, stateEnteredEventDetails: { name, input },
});

test("waiting: for a timer, a callback, an approval, an activity (until a worker takes it)", () => {
  const runs = new StateRuns().addAll([
    { id: 1, previousEventId: 0, timestamp: 1, type: "ExecutionStarted", executionStartedEventDetails: { input: "{}" } },
    entered(2, 1, "Parallel", "All"),
    { id: 3, previousEventId: 2, timestamp: 3, type: "ParallelStateStarted" },
    entered(4, 3, "Wait", "Nap"),
    entered(5, 3, "Task", "Call"),
    { id: 6, previousEventId: 5, timestamp: 6, type: "TaskScheduled", taskScheduledEventDetails: { resourceType: "lambda", resource: "invoke.waitForTaskToken", parameters: "{}" } },
    { id: 7, previousEventId: 6, timestamp: 7, type: "TaskStarted" },
    entered(8, 3, "Task", "Ask"),
    { id: 9, previousEventId: 8, timestamp: 9, type: "TaskScheduled", taskScheduledEventDetails: { resourceType: "statelight", resource: "approval", parameters: "{}" } },
    entered(10, 3, "Task", "Work"),
    { id: 11, previousEventId: 10, timestamp: 11, type: "ActivityScheduled", activityScheduledEventDetails: { resource: "arn:aws:states:us-east-1:1:activity:w", input: "{}" } },
  ]);
  const statuses = runs.statuses();
  assert.deepEqual(statuses.Nap, { status: "waiting", waitingFor: "timer" });
  assert.deepEqual(statuses.Call, { status: "waiting", waitingFor: "callback" });
  assert.deepEqual(statuses.Ask, { status: "waiting", waitingFor: "approval" });
  assert.deepEqual(statuses.Work, { status: "waiting", waitingFor: "activity" });
  assert.deepEqual(statuses.All, { status: "running" });
  runs.add({ id: 12, previousEventId: 11, timestamp: 12, type: "ActivityStarted" });
  assert.deepEqual(runs.statuses().Work, { status: "running" });
  // rejected, not caught: the execution fails; the others are aborted
  runs.add({ id: 13, previousEventId: 9, timestamp: 13, type: "TaskFailed", taskFailedEventDetails: { error: "Statelight.ApprovalRejected", cause: "no" } });
  runs.add({ id: 14, previousEventId: 13, timestamp: 14, type: "ParallelStateFailed" });
  runs.add({ id: 15, previousEventId: 14, timestamp: 15, type: "ExecutionFailed", executionFailedEventDetails: { error: "Statelight.ApprovalRejected" } });
  assert.deepEqual(only(runs.statuses()), { All: "failed", Nap: "aborted", Call: "aborted", Ask: "failed", Work: "aborted" });
  assert.equal(runs.status, "FAILED");
});

test("a stopped execution leaves its open states aborted; a Fail state is failed", () => {
  const runs = new StateRuns().addAll([
    { id: 1, previousEventId: 0, timestamp: 1, type: "ExecutionStarted" },
    entered(2, 1, "Wait", "Nap"),
    { id: 3, previousEventId: 2, timestamp: 3, type: "WaitStateAborted" },
    { id: 4, previousEventId: 3, timestamp: 4, type: "ExecutionAborted" },
  ]);
  assert.deepEqual(only(runs.statuses()), { Nap: "aborted" });
  const failing = new StateRuns().addAll([
    { id: 1, previousEventId: 0, timestamp: 1, type: "ExecutionStarted" },
    entered(2, 1, "Fail", "Boom"),
    { id: 3, previousEventId: 2, timestamp: 3, type: "ExecutionFailed" },
  ]);
  assert.deepEqual(only(failing.statuses()), { Boom: "failed" });
});

test("a Python handler's cause reads as its exception and stack trace", () => {
  const failed = recorded.history.find((e) => e.type === "LambdaFunctionFailed");
  const readable = readableCause(failed.lambdaFunctionFailedEventDetails.cause);
  assert.match(readable.title, /^UnreliableError: attempt 1 of UnreliableFunction failed/);
  assert.ok(readable.trace.some((line) => line.includes("handlers.py")));
  assert.equal(readableCause("just words"), null);
});

test("what a Task waits for comes from its definition when the history does not say", () => {
  const definition = { StartAt: "P", States: { P: { Type: "Parallel", End: true, Branches: [
    { StartAt: "Call", States: { Call: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", End: true } } },
    { StartAt: "Ask", States: { Ask: { Type: "Task", Resource: "arn:aws:states:::statelight:approval", End: true } } },
  ] } } };
  const resources = resourcesOf(definition);
  assert.deepEqual(Object.keys(resources).sort(), ["Ask", "Call"]);
  const runs = new StateRuns(resources).addAll([
    { id: 1, previousEventId: 0, timestamp: 1, type: "ExecutionStarted" },
    entered(2, 1, "Parallel", "P"),
    { id: 3, previousEventId: 2, timestamp: 3, type: "ParallelStateStarted" },
    entered(4, 3, "Task", "Call"),
    { id: 5, previousEventId: 4, timestamp: 5, type: "TaskScheduled", taskScheduledEventDetails: { resourceType: "lambda", resource: "invoke" } },
    entered(6, 3, "Task", "Ask"),
    { id: 7, previousEventId: 6, timestamp: 7, type: "TaskScheduled", taskScheduledEventDetails: { resourceType: "statelight", resource: "approval" } },
  ]);
  assert.deepEqual(runs.statuses().Call, { status: "waiting", waitingFor: "callback" });
  assert.deepEqual(runs.statuses().Ask, { status: "waiting", waitingFor: "approval" });
});

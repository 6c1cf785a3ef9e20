// State runs read from history events by where they happened: the same recorded history as
// tests/designer/test_viewer.py, so the browser and the server agree.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { StateRuns, readableCause, resourcesOf } from "./runs.js";
import { envelopes } from "./socket.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const recorded = JSON.parse(readFileSync(join(root, "tests/designer/histories/fanout_retry_catch.json"), "utf8"));
const upTo = (id) => recorded.history.filter((e) => e.event.id <= id);
const events = recorded.history.map((e) => e.event);

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

test("every event is in the run it says, the Map's own events in the Map's", () => {
  const runs = new StateRuns().addAll(recorded.history);
  const owner = (id) => runs.entries.get(runs.byEvent.get(id))?.name ?? null;
  const byType = (type) => events.filter((e) => e.type === type).map((e) => e.id);
  for (const id of byType("MapIterationFailed")) assert.equal(owner(id), "M");
  for (const id of byType("MapStateSucceeded")) assert.equal(owner(id), "M");
  for (const id of byType("ParallelStateSucceeded")) assert.equal(owner(id), "P");
  for (const e of events.filter((e) => e.type.endsWith("StateExited"))) assert.equal(owner(e.id), e.stateExitedEventDetails.name);
  const [w] = runs.ofState("W");
  assert.equal(runs.entries.get(w.parent).name, "P");
  assert.deepEqual(runs.ofState("U").map((u) => u.iteration.index), [0, 1]);
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
  const failed = events.find((e) => e.type === "LambdaFunctionFailed" && runsName(e.id) === "B");
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

// an envelope as the socket sends it: the event and its run, and the run's frame path on its *StateEntered
const at = (event, run = null) => ({ event: { previousEventId: event.id - 1, timestamp: event.id, ...event }, run });
const entered = (id, type, name, path = []) => ({ ...at({ id, type: `${type}StateEntered`, stateEnteredEventDetails: { name, input: "{}" } }, id), path });

test("waiting: for a timer, a callback, an approval, an activity (until a worker takes it)", () => {
  const branch = (i) => [[2, i]];
  const runs = new StateRuns().addAll([
    at({ id: 1, type: "ExecutionStarted", executionStartedEventDetails: { input: "{}" } }),
    entered(2, "Parallel", "All"),
    at({ id: 3, type: "ParallelStateStarted" }, 2),
    entered(4, "Wait", "Nap", branch(0)),
    entered(5, "Task", "Call", branch(1)),
    at({ id: 6, type: "TaskScheduled", taskScheduledEventDetails: { resourceType: "lambda", resource: "invoke.waitForTaskToken", parameters: "{}" } }, 5),
    at({ id: 7, type: "TaskStarted" }, 5),
    entered(8, "Task", "Ask", branch(2)),
    at({ id: 9, type: "TaskScheduled", taskScheduledEventDetails: { resourceType: "statelight", resource: "approval", parameters: "{}" } }, 8),
    entered(10, "Task", "Work", branch(3)),
    at({ id: 11, type: "ActivityScheduled", activityScheduledEventDetails: { resource: "arn:aws:states:us-east-1:1:activity:w", input: "{}" } }, 10),
  ]);
  const statuses = runs.statuses();
  assert.deepEqual(statuses.Nap, { status: "waiting", waitingFor: "timer" });
  assert.deepEqual(statuses.Call, { status: "waiting", waitingFor: "callback" });
  assert.deepEqual(statuses.Ask, { status: "waiting", waitingFor: "approval" });
  assert.deepEqual(statuses.Work, { status: "waiting", waitingFor: "activity" });
  assert.deepEqual(statuses.All, { status: "running" });
  runs.add(at({ id: 12, type: "ActivityStarted" }, 10));
  assert.deepEqual(runs.statuses().Work, { status: "running" });
  // rejected, not caught: the execution fails; the others are aborted
  runs.add(at({ id: 13, type: "TaskFailed", taskFailedEventDetails: { error: "Statelight.ApprovalRejected", cause: "no" } }, 8));
  runs.add(at({ id: 14, type: "ParallelStateFailed" }, 2));
  runs.add(at({ id: 15, type: "ExecutionFailed", executionFailedEventDetails: { error: "Statelight.ApprovalRejected" } }));
  assert.deepEqual(only(runs.statuses()), { All: "failed", Nap: "aborted", Call: "aborted", Ask: "failed", Work: "aborted" });
  assert.equal(runs.status, "FAILED");
});

test("a stopped execution leaves its open states aborted; a Fail state is failed", () => {
  const runs = new StateRuns().addAll([
    at({ id: 1, type: "ExecutionStarted" }),
    entered(2, "Wait", "Nap"),
    at({ id: 3, type: "WaitStateAborted" }, 2),
    at({ id: 4, type: "ExecutionAborted" }),
  ]);
  assert.deepEqual(only(runs.statuses()), { Nap: "aborted" });
  const failing = new StateRuns().addAll([at({ id: 1, type: "ExecutionStarted" }), entered(2, "Fail", "Boom"), at({ id: 3, type: "ExecutionFailed" })]);
  assert.deepEqual(only(failing.statuses()), { Boom: "failed" });
});

test("a redriven Map iteration runs again in the same Map run", () => {
  const runs = new StateRuns().addAll([
    at({ id: 1, type: "ExecutionStarted" }),
    entered(2, "Map", "Each"),
    at({ id: 3, type: "MapStateStarted", mapStateStartedEventDetails: { length: 1 } }, 2),
    at({ id: 4, type: "MapIterationStarted", mapIterationStartedEventDetails: { name: "Each", index: 0 } }, 2),
    entered(5, "Task", "Work", [[2, 0]]),
    at({ id: 6, type: "TaskFailed", taskFailedEventDetails: { error: "Boom" } }, 5),
    at({ id: 7, type: "MapIterationFailed", mapIterationFailedEventDetails: { name: "Each", index: 0 } }, 2),
    at({ id: 8, type: "MapStateFailed" }, 2),
    at({ id: 9, type: "ExecutionFailed" }),
    at({ id: 10, type: "ExecutionRedriven" }),
    at({ id: 11, type: "MapIterationStarted", mapIterationStartedEventDetails: { name: "Each", index: 0 } }, 2),
    entered(12, "Task", "Work", [[2, 0]]),
  ]);
  assert.equal(runs.status, "RUNNING");
  assert.deepEqual(runs.ofState("Work").map((w) => [w.status, w.iteration.index]), [["failed", 0], ["running", 0]]);
  assert.equal(runs.latest("Each").iterations.get(0).status, "running");
});

test("a Python handler's cause reads as its exception and stack trace", () => {
  const failed = events.find((e) => e.type === "LambdaFunctionFailed");
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
    at({ id: 1, type: "ExecutionStarted" }),
    entered(2, "Parallel", "P"),
    at({ id: 3, type: "ParallelStateStarted" }, 2),
    entered(4, "Task", "Call", [[2, 0]]),
    at({ id: 5, type: "TaskScheduled", taskScheduledEventDetails: { resourceType: "lambda", resource: "invoke" } }, 4),
    entered(6, "Task", "Ask", [[2, 1]]),
    at({ id: 7, type: "TaskScheduled", taskScheduledEventDetails: { resourceType: "statelight", resource: "approval" } }, 6),
  ]);
  assert.deepEqual(runs.statuses().Call, { status: "waiting", waitingFor: "callback" });
  assert.deepEqual(runs.statuses().Ask, { status: "waiting", waitingFor: "approval" });
});

test("the socket's compact messages unpack into the events with their runs and paths", () => {
  const packed = {
    type: "events",
    events: recorded.history.map((e) => e.event),
    runs: recorded.history.map((e) => e.run),
    paths: Object.fromEntries(recorded.history.filter((e) => "path" in e).map((e) => [String(e.event.id), e.path])),
  };
  assert.deepEqual(envelopes(packed), recorded.history);
});

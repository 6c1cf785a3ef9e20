import assert from "node:assert/strict";
import { test } from "node:test";

import { addState, connect, disconnect, insertOnEdge, pasteStates, removeStates, renameState, setFields, uniqueName } from "./edit.js";
import { aslToGraph, graphToAsl } from "./graph.js";

const twoTasks = () => ({
  Comment: "A simple Step Function example",
  StartAt: "FirstTask",
  States: {
    FirstTask: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:FirstFunction", Next: "SecondTask" },
    SecondTask: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:SecondFunction", End: true },
  },
});

test("building the seed's two-task machine from an empty one", () => {
  let d = { StartAt: "", States: {} };
  d = addState(d, "", "FirstTask", { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:FirstFunction", End: true });
  d = addState(d, "", "SecondTask", { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:SecondFunction", End: true });
  d = connect(d, "/States/FirstTask", "next", "/States/SecondTask");
  d = setFields(d, "", {}); // a no-op on a missing state
  d = { Comment: "A simple Step Function example", ...d };
  assert.equal(JSON.stringify(d), JSON.stringify(twoTasks()));
});

test("edits never mutate their input", () => {
  const d = twoTasks();
  const before = JSON.stringify(d);
  renameState(d, "/States/FirstTask", "One");
  removeStates(d, ["/States/SecondTask"]);
  connect(d, "/States/SecondTask", "catch-new", "/States/FirstTask");
  assert.equal(JSON.stringify(d), before);
});

test("rename keeps order and follows every reference", () => {
  const d = renameState(twoTasks(), "/States/SecondTask", "Second");
  assert.deepEqual(Object.keys(d.States), ["FirstTask", "Second"]);
  assert.equal(d.States.FirstTask.Next, "Second");
  assert.equal(renameState(d, "/States/FirstTask", "Start").StartAt, "Start");
});

test("removing a state reconnects or ends what pointed at it", () => {
  const d = removeStates(twoTasks(), ["/States/SecondTask"]);
  assert.deepEqual(d.States.FirstTask, { Type: "Task", Resource: twoTasks().States.FirstTask.Resource, End: true });
  const e = removeStates(twoTasks(), ["/States/FirstTask"]);
  assert.equal(e.StartAt, "SecondTask");
});

test("insert on an edge, choice rules, catchers and disconnect", () => {
  const graph = aslToGraph(twoTasks());
  const [edge] = graph.edges;
  let d = insertOnEdge(twoTasks(), edge, "Wait", { Type: "Wait", Seconds: 1, End: true });
  assert.equal(d.States.FirstTask.Next, "Wait");
  assert.deepEqual(d.States.Wait, { Type: "Wait", Seconds: 1, Next: "SecondTask" });
  d = addState(d, "", "C", { Type: "Choice", Choices: [] });
  d = connect(d, "/States/C", "choice-new", "/States/Wait");
  d = connect(d, "/States/C", "default", "/States/SecondTask");
  assert.equal(d.States.C.Choices[0].Next, "Wait");
  assert.equal(d.States.C.Default, "SecondTask");
  d = connect(d, "/States/FirstTask", "catch-new", "/States/C");
  assert.deepEqual(d.States.FirstTask.Catch, [{ ErrorEquals: ["States.ALL"], Next: "C" }]);
  // a second catcher goes before the catch-all, for task failures
  const two = connect(d, "/States/FirstTask", "catch-new", "/States/Wait");
  assert.deepEqual(two.States.FirstTask.Catch.map((c) => [c.ErrorEquals[0], c.Next]), [["States.TaskFailed", "Wait"], ["States.ALL", "C"]]);
  const catchEdge = aslToGraph(d).edges.find((e) => e.kind === "catch");
  assert.equal(catchEdge.label, "States.ALL");
  d = disconnect(d, catchEdge);
  assert.equal(d.States.FirstTask.Catch, undefined);
});

test("states go into Parallel branches and Map processors; names stay unique", () => {
  let d = addState(twoTasks(), "", "P", { Type: "Parallel", Branches: [{ StartAt: "", States: {} }], End: true });
  d = addState(d, "/States/P/Branches/0", "Inner", { Type: "Pass", End: true });
  assert.equal(d.States.P.Branches[0].StartAt, "Inner");
  assert.equal(uniqueName(d, "Inner"), "Inner 2");
  const { definition, names } = pasteStates(d, "", [{ name: "P", state: d.States.P }]);
  assert.deepEqual(names, ["P 2"]);
  assert.deepEqual(Object.keys(definition.States["P 2"].Branches[0].States), ["Inner 2"]);
  assert.equal(definition.States["P 2"].Branches[0].StartAt, "Inner 2");
  assert.deepEqual(graphToAsl(aslToGraph(definition)), definition);
});

test("a state moved into a branch leaves its transitions behind", async () => {
  const { moveState } = await import("./edit.js");
  let d = addState(twoTasks(), "", "P", { Type: "Parallel", Branches: [{ StartAt: "", States: {} }], End: true });
  d = moveState(d, "/States/SecondTask", "/States/P/Branches/0");
  assert.deepEqual(Object.keys(d.States), ["FirstTask", "P"]);
  assert.equal(d.States.FirstTask.End, true);
  assert.equal(d.States.P.Branches[0].StartAt, "SecondTask");
  assert.equal(d.States.P.Branches[0].States.SecondTask.End, true);
  // never into itself
  assert.equal(moveState(d, "/States/P", "/States/P/Branches/0"), d);
});

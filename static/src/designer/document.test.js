import assert from "node:assert/strict";
import { test } from "node:test";

import { addTemplate, moveNodes, moveToScope, openDocument, paste, rename, replaceWith, textOf, withDefinition, withLayout } from "./document.js";

const machine = {
  StartAt: "A",
  States: {
    A: { Type: "Pass", Next: "P" },
    P: { Type: "Parallel", Branches: [{ StartAt: "In", States: { In: { Type: "Pass", End: true } } }], End: true },
  },
};
const opened = () => openDocument({ definition: JSON.stringify(machine), draft: "", layout: { positions: {
  "/States/A": { x: 0, y: 0 }, "/States/P": { x: 0, y: 120 }, "/States/P/Branches/0/States/In": { x: 18, y: 26 },
} } });

test("a machine opens from its draft, else its definition, else empty, with the text as stored", () => {
  const draft = '{"StartAt": "X",   "States": {}}';
  assert.deepEqual(openDocument({ definition: JSON.stringify(machine), draft, layout: null }),
    { definition: { StartAt: "X", States: {} }, text: draft, layout: {} });
  const stored = JSON.stringify(machine, null, 4);
  assert.deepEqual(openDocument({ definition: stored, draft: "{not json", layout: {} }), { definition: machine, text: stored, layout: {} });
  assert.deepEqual(openDocument({ definition: "[]", draft: "", layout: {} }), { definition: { StartAt: "", States: {} }, text: null, layout: {} });
});

test("the text stays byte for byte until the definition changes, then it has one stable formatting", () => {
  const stored = '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}\n';
  const doc = openDocument({ definition: stored, draft: "", layout: {} });
  assert.equal(textOf(doc), stored);
  assert.equal(textOf(moveNodes(doc, { "/States/A": { x: 1, y: 2 } })), stored); // a move is no edit of the definition
  assert.equal(withDefinition(doc, doc.definition), doc);
  const renamed = rename(doc, "/States/A", "B").doc;
  assert.equal(textOf(renamed), JSON.stringify({ StartAt: "B", States: { B: { Type: "Pass", End: true } } }, null, 2));
  const typed = '{ "StartAt": "B", "States": { "B": { "Type": "Pass", "End": true } } }';
  assert.equal(textOf(withDefinition(renamed, JSON.parse(typed), typed)), typed); // the code view: as typed
  const version = replaceWith(doc, { definition: JSON.parse(typed), text: typed, positions: { "/States/B": { x: 0, y: 0 } } });
  assert.equal(textOf(version), typed);
  assert.deepEqual(version.layout.positions, { "/States/B": { x: 0, y: 0 } });
});

test("a layout or a move that leaves every state where it is changes nothing", () => {
  const doc = opened();
  assert.equal(withLayout(doc, { ...doc.layout.positions }), doc);
  assert.equal(moveNodes(doc, { "/States/A": { x: 0, y: 0 } }), doc);
  assert.notEqual(withLayout(doc, { ...doc.layout.positions, "/States/A": { x: 0, y: 1 } }), doc);
});

test("a rename carries the positions of the state and of everything inside it", () => {
  const { doc, select } = rename(opened(), "/States/P", "Q");
  assert.deepEqual(select, ["/States/Q"]);
  assert.equal(doc.definition.States.A.Next, "Q");
  assert.deepEqual(Object.keys(doc.layout.positions).sort(), ["/States/A", "/States/Q", "/States/Q/Branches/0/States/In"]);
});

test("a state moved into a branch takes its new id and the position it was dropped at", () => {
  const { doc, select } = moveToScope(opened(), "/States/A", "/States/P/Branches/0", { x: 30, y: 90 });
  assert.deepEqual(select, ["/States/P/Branches/0/States/A"]);
  assert.deepEqual(doc.layout.positions["/States/P/Branches/0/States/A"], { x: 30, y: 90 });
  assert.equal(doc.layout.positions["/States/A"], undefined);
});

test("a template dropped on an edge goes halfway along it; pasted states sit beside their originals", () => {
  const start = opened();
  const edge = { id: "/States/A→next", source: "/States/A", target: "/States/P", kind: "next" };
  const { doc } = addTemplate(start, { templateId: "Wait", edge });
  assert.equal(doc.definition.States.A.Next, "Wait");
  assert.deepEqual(doc.layout.positions["/States/Wait"], { x: 30, y: 60 });
  const pasted = paste(doc, "", [{ name: "A", state: machine.States.A, position: { x: 0, y: 0 } }]);
  assert.deepEqual(pasted.select, ["/States/A 2"]);
  assert.deepEqual(pasted.doc.layout.positions["/States/A 2"], { x: 40, y: 40 });
  assert.equal(addTemplate(start, { templateId: "no such template" }), null);
});

test("moving nodes changes only their positions", () => {
  const start = opened();
  const moved = moveNodes(start, { "/States/A": { x: 5, y: 5 } });
  assert.equal(moved.definition, start.definition);
  assert.deepEqual(moved.layout.positions["/States/A"], { x: 5, y: 5 });
  assert.deepEqual(moved.layout.positions["/States/P"], { x: 0, y: 120 });
});

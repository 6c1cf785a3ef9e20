import assert from "node:assert/strict";
import { test } from "node:test";

import { aslToGraph } from "../asl/graph.js";
import { READABLE_ZOOM, allInView, focusOf, readableViewport, startOf } from "./viewport.js";

const rect = (x, y, w = 210, h = 58) => ({ x, y, w, h });

test("the focus is what runs or waits, else what failed; the start is the first view's", () => {
  const graph = aslToGraph({ StartAt: "A", States: { A: { Type: "Pass", Next: "B" }, B: { Type: "Pass", Next: "C" }, C: { Type: "Succeed" } } });
  assert.deepEqual(focusOf(graph, { A: { status: "succeeded" } }), []);
  assert.deepEqual(startOf(graph), ["/States/A"]);
  assert.deepEqual(focusOf(graph, { A: { status: "succeeded" }, B: { status: "caught" } }), ["/States/B"]);
  assert.deepEqual(focusOf(graph, { B: { status: "failed" }, C: { status: "waiting", waitingFor: "timer" } }), ["/States/C"]);
});

test("a machine that fits at a readable size is shown whole", () => {
  const all = [rect(0, 0), rect(0, 120)];
  const view = readableViewport(all, [all[0]], 1000, 600);
  assert.equal(view.zoom, 1);
  assert.ok(allInView(all, view, 1000, 600));
});

test("a tall machine is shown at the readable zoom around its focus, never past its edges", () => {
  const all = Array.from({ length: 30 }, (_, i) => rect(0, i * 120));
  const middle = readableViewport(all, [all[15]], 1000, 500);
  assert.equal(middle.zoom, READABLE_ZOOM);
  assert.ok(allInView([all[15]], middle, 1000, 500));
  const first = readableViewport(all, [all[0]], 1000, 500);
  assert.equal(first.y, 24); // the top of the machine at the top of the canvas, not centred in empty space
  const last = readableViewport(all, [all[29]], 1000, 500);
  assert.equal(Math.round(last.y + (29 * 120 + 58) * READABLE_ZOOM), 500 - 24);
  assert.equal(first.x, (1000 - 210 * READABLE_ZOOM) / 2); // narrow: centred across
});

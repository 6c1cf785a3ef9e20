import assert from "node:assert/strict";
import { test } from "node:test";

import { aslToGraph } from "../asl/graph.js";
import { LANE, measure } from "./geometry.js";
import { autoLayout } from "./layout.js";

test("auto-layout places every state, containers around their lanes, no overlaps in a scope", async () => {
  const inner = (p) => ({ StartAt: `${p}1`, States: { [`${p}1`]: { Type: "Pass", Next: `${p}2` }, [`${p}2`]: { Type: "Pass", End: true } } });
  const definition = {
    StartAt: "A",
    States: {
      A: { Type: "Pass", Next: "P" },
      P: { Type: "Parallel", Branches: [inner("b"), { StartAt: "M", States: { M: { Type: "Map", ItemProcessor: inner("m"), End: true } } }], Next: "Z" },
      Z: { Type: "Succeed" },
    },
  };
  const graph = aslToGraph(definition);
  const { positions } = await autoLayout(graph);
  const states = graph.nodes.filter((n) => n.kind === "state");
  assert.deepEqual(Object.keys(positions).sort(), states.map((n) => n.id).sort());
  const boxes = measure(aslToGraph(definition, { positions }));
  // inside a lane, states start below its label
  for (const n of states.filter((s) => s.parent)) {
    assert.ok(boxes.get(n.id).y >= LANE.head, n.id);
  }
  // top level flows downwards A -> P -> Z without overlapping
  const [a, p, z] = ["/States/A", "/States/P", "/States/Z"].map((id) => boxes.get(id));
  assert.ok(a.y + a.h <= p.y && p.y + p.h <= z.y);
  // the Parallel is as wide as its two lanes
  const lanes = ["/States/P/Branches/0", "/States/P/Branches/1"].map((id) => boxes.get(id));
  assert.ok(p.w >= lanes[0].w + lanes[1].w);
});

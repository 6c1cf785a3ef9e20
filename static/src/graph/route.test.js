import assert from "node:assert/strict";
import { test } from "node:test";

import { detour, roundedPath } from "./route.js";

test("an edge past a state goes round it, on the nearer side", () => {
  const map = { x: 0, y: 100, w: 260, h: 160 };
  assert.equal(detour(300, 50, 300, 400, [map]), null); // clear on the right
  const points = detour(200, 50, 240, 400, [map]);
  assert.deepEqual(points[2], [282, 68]);
  assert.deepEqual(points.at(-1), [240, 400]);
  assert.equal(detour(200, 300, 200, 50, [map]), null); // upwards: left to the step path
  assert.match(roundedPath(points), /^M 200,50 L .* L 240,400$/);
  // a catcher leaving on the right goes down between its state and the next one
  const beside = { x: 290, y: 0, w: 200, h: 60 };
  const side = detour(260, 30, 330, 200, [beside], 0, "right");
  assert.deepEqual(side.slice(0, 2), [[260, 30], [268, 30]]);
  assert.deepEqual(side.at(-1), [330, 200]);
});

// Round trip: every definition we can find, through the same modules the
// browser bundle uses, comes back semantically equal (and in key order).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { aslToGraph, graphToAsl } from "./graph.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const shared = join(root, "../shared");

function definitions() {
  const found = [];
  const cases = join(shared, "conformance/cases");
  if (existsSync(cases)) {
    for (const name of readdirSync(cases).sort()) {
      const file = join(cases, name, "definition.json");
      if (existsSync(file)) found.push(file);
    }
  }
  for (const dir of [join(shared, "seed/examples"), join(root, "examples")]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) if (name.endsWith(".asl.json")) found.push(join(dir, name));
  }
  return found;
}

test("every known definition survives aslToGraph then graphToAsl", (t) => {
  const files = definitions();
  if (!existsSync(shared)) t.diagnostic("../shared is absent: only examples/ checked");
  assert.ok(files.length > 0, "no definitions found");
  let nested = 0;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    let definition;
    try {
      definition = JSON.parse(text);
    } catch {
      continue; // not JSON: nothing for the designer to import
    }
    const graph = aslToGraph(definition, {});
    if (graph.nodes.some((n) => n.kind === "lane")) nested += 1;
    const back = graphToAsl(graph);
    assert.deepStrictEqual(back, definition, file);
    assert.equal(JSON.stringify(back), JSON.stringify(definition), `key order: ${file}`);
  }
  t.diagnostic(`${files.length} definitions, ${nested} with Parallel or Map`);
});

test("unknown fields, odd shapes and legacy Iterator are kept", () => {
  const definition = {
    Comment: "odd",
    "x-custom": { keep: [1, 2] },
    StartAt: "M",
    States: {
      M: { Type: "Map", Iterator: { StartAt: "A", States: { A: { Type: "Pass", End: true, Foo: 1 } } }, Next: "P" },
      P: {
        Type: "Parallel",
        Branches: [{ StartAt: "B", States: { B: { Type: "Succeed" } }, Comment: "b" }, "not a branch", { StartAt: "C" }],
        End: true,
      },
      Broken: "not a state",
    },
    Version: "1.0",
  };
  assert.equal(JSON.stringify(graphToAsl(aslToGraph(definition))), JSON.stringify(definition));
});

test("nodes nest in lanes, edges carry labels", () => {
  const definition = {
    StartAt: "C",
    States: {
      C: {
        Type: "Choice",
        Choices: [{ Variable: "$.n", NumericGreaterThan: 3, Next: "P" }, { Condition: "{% $x %}", Next: "Done" }],
        Default: "Done",
      },
      P: {
        Type: "Parallel",
        Branches: [{ StartAt: "T", States: { T: { Type: "Task", Resource: "r", End: true, Catch: [{ ErrorEquals: ["States.ALL"], Next: "F" }] }, F: { Type: "Fail" } } }],
        Next: "Done",
      },
      Done: { Type: "Succeed" },
    },
  };
  const { nodes, edges } = aslToGraph(definition, { positions: { "/States/C": { x: 5, y: 6 } } });
  const byId = Object.fromEntries(nodes.map((n) => [n.id, n]));
  assert.deepEqual(byId["/States/C"].position, { x: 5, y: 6 });
  assert.equal(byId["/States/C"].start, true);
  assert.equal(byId["/States/P/Branches/0"].kind, "lane");
  assert.equal(byId["/States/P/Branches/0/States/T"].parent, "/States/P/Branches/0");
  const labels = Object.fromEntries(edges.map((e) => [e.id, e.label]));
  assert.equal(labels["/States/C→choice0"], "$.n > 3");
  assert.equal(labels["/States/C→choice1"], "$x");
  assert.equal(labels["/States/C→default"], "Default");
  assert.equal(labels["/States/P/Branches/0/States/T→catch0"], "States.ALL");
});

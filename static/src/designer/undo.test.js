import assert from "node:assert/strict";
import { test } from "node:test";

import { createUndo, record, redo, undo } from "./undo.js";

test("undo and redo walk the snapshots; a new edit drops the redo branch", () => {
  let h = createUndo("a");
  h = record(h, "b", { now: 0 });
  h = record(h, "c", { now: 5000 });
  assert.equal(undo(h).present, "b");
  assert.equal(undo(undo(h)).present, "a");
  assert.equal(undo(undo(undo(h))).present, "a"); // nothing before the start
  assert.equal(redo(undo(h)).present, "c");
  const branched = record(undo(h), "d", { now: 9000 });
  assert.equal(branched.present, "d");
  assert.equal(redo(branched).present, "d");
});

test("typing in one field is one step", () => {
  let h = createUndo("a");
  h = record(h, "ab", { coalesce: "name", now: 0 });
  h = record(h, "abc", { coalesce: "name", now: 300 });
  h = record(h, "abcd", { coalesce: "name", now: 600 });
  assert.deepEqual(h.past, ["a"]);
  h = record(h, "other", { coalesce: "comment", now: 700 });
  assert.deepEqual(h.past, ["a", "abcd"]);
});

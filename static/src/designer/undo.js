// The designer's undo stack (not an execution's history: that is viewer/runs.js):
// undo/redo over {definition, layout, text} snapshots. Snapshots are immutable
// (edits make new objects), so keeping them is cheap. Edits with the same
// `coalesce` key in quick succession (typing in a field) are one step.

const LIMIT = 200;
const COALESCE_MS = 1200;

export function createUndo(present) {
  return { past: [], present, future: [], lastKey: null, lastAt: 0 };
}

export function record(stack, present, { coalesce = null, now = Date.now() } = {}) {
  if (present === stack.present) return stack;
  const merge = coalesce !== null && coalesce === stack.lastKey && now - stack.lastAt < COALESCE_MS;
  const past = merge ? stack.past : [...stack.past, stack.present].slice(-LIMIT);
  return { past, present, future: [], lastKey: coalesce, lastAt: now };
}

export function undo(stack) {
  if (!stack.past.length) return stack;
  const present = stack.past[stack.past.length - 1];
  return { past: stack.past.slice(0, -1), present, future: [stack.present, ...stack.future], lastKey: null, lastAt: 0 };
}

export function redo(stack) {
  if (!stack.future.length) return stack;
  const [present, ...future] = stack.future;
  return { past: [...stack.past, stack.present], present, future, lastKey: null, lastAt: 0 };
}

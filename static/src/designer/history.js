// Undo/redo over {definition, layout} snapshots. Snapshots are immutable
// (edits make new objects), so keeping them is cheap. Edits with the same
// `coalesce` key in quick succession (typing in a field) are one step.

const LIMIT = 200;
const COALESCE_MS = 1200;

export function createHistory(present) {
  return { past: [], present, future: [], lastKey: null, lastAt: 0 };
}

export function record(history, present, { coalesce = null, now = Date.now() } = {}) {
  if (present === history.present) return history;
  const merge = coalesce !== null && coalesce === history.lastKey && now - history.lastAt < COALESCE_MS;
  const past = merge ? history.past : [...history.past, history.present].slice(-LIMIT);
  return { past, present, future: [], lastKey: coalesce, lastAt: now };
}

// Changes that are not steps of their own (e.g. the first auto-layout).
export function replacePresent(history, present) {
  return { ...history, present };
}

export function undo(history) {
  if (!history.past.length) return history;
  const present = history.past[history.past.length - 1];
  return { past: history.past.slice(0, -1), present, future: [history.present, ...history.future], lastKey: null, lastAt: 0 };
}

export function redo(history) {
  if (!history.future.length) return history;
  const [present, ...future] = history.future;
  return { past: [...history.past, history.present], present, future, lastKey: null, lastAt: 0 };
}

// Keyboard shortcuts, as a table: the first row that matches a key press runs.
// A row: {keys, mod (Ctrl or ⌘), shift, alt (only when given), whileTyping, prevent, run}.
import { useEffect, useRef } from "react";

const typing = (el) => el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.closest?.(".cm-editor"));

function matches(row, e) {
  return row.keys.includes(e.key.toLowerCase())
    && Boolean(row.mod) === (e.ctrlKey || e.metaKey)
    && (row.shift === undefined || row.shift === e.shiftKey)
    && (row.alt === undefined || row.alt === e.altKey)
    && (row.whileTyping || !typing(e.target));
}

export function useShortcuts(rows, enabled) {
  const current = useRef(rows);
  current.current = rows;
  useEffect(() => {
    if (!enabled) return undefined;
    const onKey = (e) => {
      const row = current.current.find((r) => matches(r, e));
      if (!row) return;
      if (row.prevent) e.preventDefault();
      row.run();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled]);
}

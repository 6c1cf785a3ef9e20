// The document (document.js) and its undo stack. change(update) takes the
// current document and returns the next one (the same object: nothing happened).
import { useCallback, useMemo, useState } from "react";

import { aslToGraph } from "../asl/graph.js";
import { textOf } from "./document.js";
import { createUndo, record, redo, undo } from "./undo.js";

export function useDocument(opened) {
  const [stack, setStack] = useState(() => createUndo(opened));
  const { present } = stack;
  const { definition, layout } = present;
  const graph = useMemo(() => aslToGraph(definition, layout), [definition, layout]);
  // what gets saved, validated, run, exported and shown in the code view
  const text = useMemo(() => textOf(present), [present]);

  const change = useCallback((update, { coalesce = null } = {}) => {
    setStack((s) => {
      const next = update(s.present);
      return next === s.present ? s : record(s, next, { coalesce });
    });
  }, []);

  return {
    definition, layout, graph, text, change,
    canUndo: stack.past.length > 0,
    canRedo: stack.future.length > 0,
    undo: useCallback(() => setStack(undo), []),
    redo: useCallback(() => setStack(redo), []),
  };
}

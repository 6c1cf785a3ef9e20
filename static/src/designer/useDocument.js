// The document and its undo stack. change(update) takes the current
// document and returns the next one (the same object: nothing happened);
// `step: false` replaces the present instead of adding an undo step.
import { useCallback, useMemo, useState } from "react";

import { aslToGraph, graphToAsl } from "../asl/graph.js";
import { openDocument } from "./document.js";
import { createUndo, record, redo, replacePresent, undo } from "./undo.js";

export function useDocument(config) {
  const [stack, setStack] = useState(() => createUndo(openDocument(config)));
  const { definition, layout } = stack.present;
  const graph = useMemo(() => aslToGraph(definition, layout), [definition, layout]);
  // what gets saved, validated, exported and shown in the code view
  const text = useMemo(() => JSON.stringify(graphToAsl(graph), null, 2), [graph]);

  const change = useCallback((update, { coalesce = null, step = true } = {}) => {
    setStack((s) => {
      const next = update(s.present);
      if (next === s.present) return s;
      return step ? record(s, next, { coalesce }) : replacePresent(s, next);
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

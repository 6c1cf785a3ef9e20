// What a person does to the machine on the canvas, in the inspector and in
// the problems panel, as undo steps; each keeps the selection on what it made.
import { useCallback } from "react";

import { connect, disconnect, parseId, removeStates, stateAt } from "../asl/edit.js";
import * as documents from "./document.js";

// copied states travel between machines of the same page session
let clipboard = null;

export function useEditing({ definition, layout, graph, change }, selected, setSelected) {
  // (definition -> definition, or a new definition) as one step; `coalesce`: typing in one field
  const editDefinition = useCallback((update, coalesce = null) => {
    change((doc) => documents.withDefinition(doc, typeof update === "function" ? update(doc.definition) : update), { coalesce });
  }, [change]);

  // typed in the code view: kept as typed
  const editText = useCallback((definition, text) => {
    change((doc) => documents.withDefinition(doc, definition, text), { coalesce: "code" });
  }, [change]);

  // an operation of document.js returning {doc, select}
  const apply = useCallback((operation, ...args) => {
    change((doc) => {
      const result = operation(doc, ...args);
      if (!result) return doc;
      setSelected(result.select);
      return result.doc;
    });
  }, [change, setSelected]);

  const moveNodes = useCallback((moved) => change((doc) => documents.moveNodes(doc, moved)), [change]);
  const addTemplate = useCallback((drop) => apply(documents.addTemplate, drop), [apply]);
  const rename = useCallback((id, newName) => apply(documents.rename, id, newName), [apply]);
  const moveToScope = useCallback((id, scopeId, position) => apply(documents.moveToScope, id, scopeId, position), [apply]);
  const connectStates = useCallback((source, handle, target) => editDefinition((d) => connect(d, source, handle, target)), [editDefinition]);

  const deleteSelection = useCallback(() => {
    if (!selected.length) return;
    const edges = graph.edges.filter((e) => selected.includes(e.id)).sort((a, b) => (b.index ?? 0) - (a.index ?? 0));
    const states = selected.filter((id) => graph.nodes.some((n) => n.id === id && n.kind === "state"));
    editDefinition((d) => {
      let out = d;
      for (const e of edges) out = disconnect(out, e);
      return removeStates(out, states);
    });
    setSelected([]);
  }, [selected, graph, editDefinition, setSelected]);

  const copySelection = useCallback(() => {
    const ids = selected.filter((id) => stateAt(definition, id) !== undefined);
    if (!ids.length) return false;
    clipboard = ids.map((id) => ({ name: parseId(id).name, state: stateAt(definition, id), position: layout.positions?.[id] }));
    try {
      navigator.clipboard?.writeText(JSON.stringify(Object.fromEntries(clipboard.map((c) => [c.name, c.state])), null, 2)).catch(() => {});
    } catch {
      // the system clipboard is a bonus
    }
    return true;
  }, [selected, definition, layout]);

  const paste = useCallback(() => {
    if (!clipboard?.length) return;
    const target = selected.find((id) => stateAt(definition, id) !== undefined);
    apply(documents.paste, target ? parseId(target).scopeId : "", clipboard);
  }, [selected, definition, apply]);

  const cutSelection = useCallback(() => {
    if (copySelection()) deleteSelection();
  }, [copySelection, deleteSelection]);

  const duplicateSelection = useCallback(() => {
    if (copySelection()) paste();
  }, [copySelection, paste]);

  return {
    editDefinition, editText, moveNodes, addTemplate, rename, moveToScope, connectStates,
    deleteSelection, copySelection, cutSelection, duplicateSelection, paste,
  };
}

// The document the designer edits: {definition, layout}, the layout (node
// positions) beside the definition, never inside it. Pure functions: a
// document in, a new document out (with the states to select afterwards),
// so an undo step is just the old document.
import { addState, insertOnEdge, moveState, parseId, pasteStates, renameState, uniqueName } from "../asl/edit.js";
import { isObject } from "../asl/graph.js";
import { join, within } from "../asl/pointer.js";
import { templateById } from "../asl/templates.js";

const EMPTY = { StartAt: "", States: {} };

function startingDefinition(config) {
  for (const text of [config.draft, config.definition]) {
    if (!text) continue;
    try {
      const value = JSON.parse(text);
      if (isObject(value)) return value;
    } catch {
      // an unreadable draft: fall back to the saved definition
    }
  }
  return EMPTY;
}

export function openDocument(config) {
  return { definition: startingDefinition(config), layout: isObject(config.layout) ? config.layout : {} };
}

const positionsOf = (doc) => doc.layout.positions ?? {};
const withPositions = (doc, positions) => ({ ...doc, layout: { ...doc.layout, positions } });

// layout positions follow a rename (the node and everything inside it)
function rekey(positions, from, to) {
  const out = {};
  for (const [id, p] of Object.entries(positions)) out[within(id, from) ? to + id.slice(from.length) : id] = p;
  return out;
}

export function moveNodes(doc, moved) {
  return withPositions(doc, { ...positionsOf(doc), ...moved });
}

export function rename(doc, id, newName) {
  const newId = join(parseId(id).scopeId, "States", newName);
  return {
    doc: { definition: renameState(doc.definition, id, newName), layout: { ...doc.layout, positions: rekey(positionsOf(doc), id, newId) } },
    select: [newId],
  };
}

export function moveToScope(doc, id, scopeId, position) {
  const newId = join(scopeId, "States", parseId(id).name);
  const positions = { ...rekey(positionsOf(doc), id, newId), [newId]: position };
  return { doc: { definition: moveState(doc.definition, id, scopeId), layout: { ...doc.layout, positions } }, select: [newId] };
}

// A state from the palette: dropped at a position in a scope, or onto an edge (halfway along it).
export function addTemplate(doc, { templateId, scopeId = "", position = null, edge = null }) {
  const template = templateById(templateId);
  if (!template) return null;
  const name = uniqueName(doc.definition, template.name);
  const id = join(scopeId, "States", name);
  const positions = { ...positionsOf(doc) };
  let definition;
  if (edge) {
    definition = insertOnEdge(doc.definition, edge, name, template.make());
    const src = positions[edge.source];
    const dst = positions[edge.target];
    if (src && dst) positions[id] = { x: Math.round((src.x + dst.x) / 2 + 30), y: Math.round((src.y + dst.y) / 2) };
  } else {
    definition = addState(doc.definition, scopeId, name, template.make());
    if (position) positions[id] = position;
  }
  return { doc: { definition, layout: { ...doc.layout, positions } }, select: [id] };
}

// copied: [{name, state, position}] -> pasted into a scope beside the originals
export function paste(doc, scopeId, copied) {
  const { definition, names } = pasteStates(doc.definition, scopeId, copied);
  const positions = { ...positionsOf(doc) };
  copied.forEach((c, i) => {
    if (c.position) positions[join(scopeId, "States", names[i])] = { x: c.position.x + 40, y: c.position.y + 40 };
  });
  return { doc: { definition, layout: { ...doc.layout, positions } }, select: names.map((n) => join(scopeId, "States", n)) };
}

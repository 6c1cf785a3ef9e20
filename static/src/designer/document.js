// The document the designer edits: {definition, layout, text}. The layout
// (node positions) travels beside the definition, never inside it. `text` is
// the definition as the person wrote it (as stored when opened, or as typed in
// the code view): what is saved, run and exported while nothing else changed,
// byte for byte. Any other edit drops it, and the definition is then written
// in one stable formatting. Pure functions: a document in, a new document out
// (with the states to select afterwards), so an undo step is the old document.
import { addState, insertOnEdge, moveState, parseId, pasteStates, renameState, uniqueName } from "../asl/edit.js";
import { aslToGraph, isObject } from "../asl/graph.js";
import { join, within } from "../asl/pointer.js";
import { templateById } from "../asl/templates.js";

const EMPTY = { StartAt: "", States: {} };

// the draft if there is one, else the saved definition
function starting(config) {
  for (const text of [config.draft, config.definition]) {
    if (!text) continue;
    try {
      const definition = JSON.parse(text);
      if (isObject(definition)) return { definition, text };
    } catch {
      // an unreadable draft: fall back to the saved definition
    }
  }
  return { definition: EMPTY, text: null };
}

export function openDocument(config) {
  return { ...starting(config), layout: isObject(config.layout) ? config.layout : {} };
}

export const textOf = (doc) => doc.text ?? JSON.stringify(doc.definition, null, 2);

// A new definition; `text` only when the person wrote it so (the code view).
export function withDefinition(doc, definition, text = null) {
  return definition === doc.definition ? doc : { ...doc, definition, text };
}

// States, none of them placed yet: the machine is laid out before it is first drawn.
export function needsLayout(doc) {
  const states = aslToGraph(doc.definition, doc.layout).nodes.filter((n) => n.kind === "state");
  return states.length > 0 && states.every((n) => !n.position);
}

const positionsOf = (doc) => doc.layout.positions ?? {};
const withPositions = (doc, positions) => ({ ...doc, layout: { ...doc.layout, positions } });

// layout positions follow a rename (the node and everything inside it)
function rekey(positions, from, to) {
  const out = {};
  for (const [id, p] of Object.entries(positions)) out[within(id, from) ? to + id.slice(from.length) : id] = p;
  return out;
}

const samePoint = (a, b) => a?.x === b?.x && a?.y === b?.y;

function samePositions(a, b) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((id) => samePoint(a[id], b[id]));
}

// A whole new definition (imported, or a published version opened), placed where given.
export function replaceWith(doc, { definition, text = null, positions = null }) {
  const next = withDefinition(doc, definition, text);
  return positions ? withPositions(next, positions) : next;
}

// Every state placed anew (auto-layout): no change when each stays where it is.
export function withLayout(doc, positions) {
  return samePositions(positionsOf(doc), positions) ? doc : withPositions(doc, positions);
}

// Positions for some nodes; where they already are is no change (a click, a layout that moves nothing).
export function moveNodes(doc, moved) {
  const positions = positionsOf(doc);
  if (Object.entries(moved).every(([id, p]) => samePoint(positions[id], p))) return doc;
  return withPositions(doc, { ...positions, ...moved });
}

export function rename(doc, id, newName) {
  const newId = join(parseId(id).scopeId, "States", newName);
  const renamed = withDefinition(doc, renameState(doc.definition, id, newName));
  return { doc: withPositions(renamed, rekey(positionsOf(doc), id, newId)), select: [newId] };
}

export function moveToScope(doc, id, scopeId, position) {
  const newId = join(scopeId, "States", parseId(id).name);
  const positions = { ...rekey(positionsOf(doc), id, newId), [newId]: position };
  return { doc: withPositions(withDefinition(doc, moveState(doc.definition, id, scopeId)), positions), select: [newId] };
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
  return { doc: withPositions(withDefinition(doc, definition), positions), select: [id] };
}

// copied: [{name, state, position}] -> pasted into a scope beside the originals
export function paste(doc, scopeId, copied) {
  const { definition, names } = pasteStates(doc.definition, scopeId, copied);
  const positions = { ...positionsOf(doc) };
  copied.forEach((c, i) => {
    if (c.position) positions[join(scopeId, "States", names[i])] = { x: c.position.x + 40, y: c.position.y + 40 };
  });
  return { doc: withPositions(withDefinition(doc, definition), positions), select: names.map((n) => join(scopeId, "States", n)) };
}

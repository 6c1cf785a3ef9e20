// The graph (asl/graph.js) as React Flow nodes and edges: boxes from
// geometry.js, problems and run status as data (nodes.jsx and CSS decide
// the look).
import { MarkerType } from "@xyflow/react";

import { absolute, isContainerType } from "./geometry.js";

function handleOf(edge) {
  if (edge.kind === "choice" || edge.kind === "catch") return `${edge.kind}-${edge.index}`;
  return edge.kind;
}

// Which handles a node has: when it changes, React Flow must measure them again.
function handleKey(node) {
  const state = node.state ?? {};
  const count = (list) => (Array.isArray(list) ? list.length : 0);
  return `${node.type}:${count(state.Choices)}:${count(state.Catch)}`;
}

export function toFlowNodes(graph, boxes, problems, statuses, selected, editable, children) {
  return graph.nodes.map((node) => {
    const box = boxes.get(node.id) ?? { x: 0, y: 0, w: 10, h: 10 };
    const common = { id: node.id, position: { x: box.x, y: box.y }, parentId: node.parent ?? undefined };
    if (node.kind === "lane") {
      const empty = !(children.get(node.id) ?? []).length;
      return {
        ...common, type: "lane", draggable: false, selectable: false, connectable: false, focusable: false,
        width: box.w, height: box.h, style: { width: box.w, height: box.h }, data: { node, empty },
      };
    }
    const status = statuses?.[node.id] ?? statuses?.[node.name];
    return {
      ...common,
      type: isContainerType(node.type) ? "container" : "state",
      extent: node.parent ? "parent" : undefined,
      selected: selected.has(node.id),
      draggable: editable,
      width: box.w,
      height: box.h,
      style: { width: box.w, height: box.h },
      data: { node, problems: problems.byNode.get(node.id), status, editable, handles: handleKey(node) },
    };
  });
}

const sameStatus = (a, b) => a === b || (a?.status === b?.status && a?.waitingFor === b?.waitingFor);

export function sameFlowNode(a, b) {
  if (a.type !== b.type || a.parentId !== b.parentId || a.extent !== b.extent || a.selected !== b.selected
      || a.draggable !== b.draggable || a.width !== b.width || a.height !== b.height
      || a.position.x !== b.position.x || a.position.y !== b.position.y) return false;
  const keys = Object.keys(b.data);
  if (keys.length !== Object.keys(a.data).length) return false;
  return keys.every((k) => (k === "status" ? sameStatus(a.data[k], b.data[k]) : a.data[k] === b.data[k]));
}

// The other states of each edge's scope, in flow coordinates, for edges to go round.
function obstaclesByScope(graph, boxes, byId) {
  const scopes = new Map();
  for (const node of graph.nodes) {
    if (node.kind !== "state") continue;
    const box = boxes.get(node.id);
    const at = absolute(boxes, byId, node.id);
    if (!box) continue;
    if (!scopes.has(node.scope)) scopes.set(node.scope, []);
    scopes.get(node.scope).push({ id: node.id, x: at.x, y: at.y, w: box.w, h: box.h });
  }
  return scopes;
}

function labelShift(ids, id) {
  return ids.length < 2 ? 0 : ids.indexOf(id) - (ids.length - 1) / 2;
}

export function toFlowEdges(graph, selected, boxes, byId) {
  const scopes = obstaclesByScope(graph, boxes, byId);
  const pairs = new Map();
  for (const edge of graph.edges) {
    const key = `${edge.source}→${edge.target}`;
    pairs.set(key, [...(pairs.get(key) ?? []), edge.id]);
  }
  return graph.edges.map((edge) => ({
    id: edge.id,
    source: edge.source,
    target: edge.target,
    sourceHandle: handleOf(edge),
    targetHandle: "in",
    label: edge.label || undefined,
    type: "state",
    selected: selected.has(edge.id),
    className: `sl-edge sl-edge-${edge.kind}`,
    markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
    data: {
      edge,
      labelShift: labelShift(pairs.get(`${edge.source}→${edge.target}`), edge.id),
      obstacles: (scopes.get(byId.get(edge.source)?.scope) ?? []).filter((o) => o.id !== edge.source && o.id !== edge.target),
    },
  }));
}

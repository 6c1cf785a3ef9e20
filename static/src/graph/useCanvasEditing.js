// What dragging on the canvas means in edit mode: a state moved (perhaps into
// another lane), a connection drawn, a palette entry dropped (perhaps onto an
// edge). Each ends in one call up (onMove, onMoveToScope, onConnect, onDrop).
import { useCallback } from "react";

import { parseId } from "../asl/edit.js";
import { absolute } from "./geometry.js";

export const TEMPLATE_MIME = "application/x-statelight-template";

// the innermost lane under a point of the flow ("" for the machine), and the point inside it
function scopeAt(graph, boxes, byId, point) {
  let best = { scopeId: "", position: point, depth: -1 };
  for (const node of graph.nodes) {
    if (node.kind !== "lane") continue;
    const box = boxes.get(node.id);
    const at = absolute(boxes, byId, node.id);
    if (point.x >= at.x && point.y >= at.y && point.x <= at.x + box.w && point.y <= at.y + box.h) {
      const depth = node.id.split("/").length;
      if (depth > best.depth) best = { scopeId: node.id, position: { x: point.x - at.x, y: point.y - at.y }, depth };
    }
  }
  return best;
}

// the edge under a point of the screen, if any
function edgeAt(graph, clientX, clientY) {
  for (const el of document.elementsFromPoint(clientX, clientY)) {
    const g = el.closest?.(".react-flow__edge, [data-edge-id]");
    if (!g) continue;
    const id = g.dataset.edgeId ?? (g.getAttribute("data-testid") ?? "").replace(/^rf__edge-/, "");
    const edge = graph.edges.find((e) => e.id === id);
    if (edge) return edge;
  }
  return null;
}

export function useCanvasEditing({ graph, boxes, byId, flow, editable, onMove, onMoveToScope, onConnect, onDrop }) {
  const onNodeDragStop = useCallback((_event, node, dragged) => {
    // one state dropped into another lane (or out onto the machine): it changes scope
    const moving = byId.get(node.id);
    if (onMoveToScope && dragged.length === 1 && moving?.kind === "state" && !moving.parent) {
      const box = boxes.get(node.id);
      const centre = { x: node.position.x + box.w / 2, y: node.position.y + box.h / 2 };
      const target = scopeAt(graph, boxes, byId, centre);
      if (target.scopeId !== moving.scope && !target.scopeId.startsWith(node.id + "/")) {
        onMoveToScope(node.id, target.scopeId, {
          x: Math.round(target.position.x - box.w / 2), y: Math.round(target.position.y - box.h / 2),
        });
        return;
      }
    }
    if (!onMove) return;
    const moved = {};
    for (const n of dragged) moved[n.id] = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
    onMove(moved);
  }, [graph, boxes, byId, onMove, onMoveToScope]);

  const isValidConnection = useCallback((c) => {
    if (c.source === c.target) return false;
    const a = byId.get(c.source);
    const b = byId.get(c.target);
    return Boolean(a && b && a.kind === "state" && b.kind === "state" && a.scope === b.scope);
  }, [byId]);

  const handleConnect = useCallback((c) => {
    if (onConnect && isValidConnection(c)) onConnect(c.source, c.sourceHandle ?? "next", c.target);
  }, [onConnect, isValidConnection]);

  const onDragOver = useCallback((event) => {
    if (!editable) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  }, [editable]);

  const handleDrop = useCallback((event) => {
    if (!editable || !onDrop) return;
    const templateId = event.dataTransfer.getData(TEMPLATE_MIME) || event.dataTransfer.getData("text/plain");
    if (!templateId) return;
    event.preventDefault();
    const edge = edgeAt(graph, event.clientX, event.clientY);
    if (edge) {
      onDrop({ templateId, edge, scopeId: parseId(edge.source).scopeId, position: null });
      return;
    }
    const scope = scopeAt(graph, boxes, byId, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    onDrop({ templateId, edge: null, scopeId: scope.scopeId, position: { x: Math.round(scope.position.x - 105), y: Math.round(scope.position.y - 29) } });
  }, [editable, onDrop, flow, graph, boxes, byId]);

  return { onNodeDragStop, isValidConnection, handleConnect, onDragOver, handleDrop };
}

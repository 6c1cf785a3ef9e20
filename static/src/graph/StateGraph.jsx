// The state graph: one component for the designer (mode "edit") and the
// execution viewer (mode "view"). Three separate inputs, as in Airflow's
// graph view: structure (definition), layout (positions), run status
// (statuses: {stateName or node id: {status, waitingFor}}), applied last.
import {
  Background, Controls, MarkerType, MiniMap, ReactFlow, ReactFlowProvider, applyNodeChanges, getNodesBounds,
  useReactFlow,
} from "@xyflow/react";
import { toPng, toSvg } from "html-to-image";
import { forwardRef, useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState } from "react";

import { aslToGraph } from "../asl/graph.js";
import { parseId } from "../asl/edit.js";
import { absolute, isContainerType, measure } from "./geometry.js";
import { edgeTypes } from "./edges.jsx";
import { nodeTypes } from "./nodes.jsx";
import { problemsByNode } from "./problems.js";

export const TYPE_COLOURS = {
  Task: "#93b4f5", Pass: "#b8c2d1", Choice: "#f3c47a", Wait: "#c4b1f5", Succeed: "#96dcae", Fail: "#f4a3a3",
  Parallel: "#d7f0ed", Map: "#f5d9f7",
};
const minimapColour = (n) => (n.type === "lane" ? "transparent" : TYPE_COLOURS[n.data?.node?.type] ?? "#cbd5e1");

export const TEMPLATE_MIME = "application/x-statelight-template";

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

function toFlowNodes(graph, boxes, problems, statuses, selected, editable, children) {
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

const sameStatus = (a, b) => a === b || (a?.status === b?.status && a?.waitingFor === b?.waitingFor);

function sameFlowNode(a, b) {
  if (a.type !== b.type || a.parentId !== b.parentId || a.extent !== b.extent || a.selected !== b.selected
      || a.draggable !== b.draggable || a.width !== b.width || a.height !== b.height
      || a.position.x !== b.position.x || a.position.y !== b.position.y) return false;
  const keys = Object.keys(b.data);
  if (keys.length !== Object.keys(a.data).length) return false;
  return keys.every((k) => (k === "status" ? sameStatus(a.data[k], b.data[k]) : a.data[k] === b.data[k]));
}

function toFlowEdges(graph, selected, boxes, byId) {
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

function labelShift(ids, id) {
  return ids.length < 2 ? 0 : ids.indexOf(id) - (ids.length - 1) / 2;
}

const Canvas = forwardRef(function Canvas(props, ref) {
  const {
    definition, layout, statuses, problems, mode = "view", selected = [], onSelect, onMove, onMoveToScope, onConnect, onDrop,
    onNodeDoubleClick, minimap = true, className = "",
  } = props;
  const editable = mode === "edit";
  const wrapper = useRef(null);
  const flow = useReactFlow();
  const graph = useMemo(() => aslToGraph(definition, layout), [definition, layout]);
  const boxes = useMemo(() => measure(graph), [graph]);
  const byProblem = useMemo(() => problemsByNode(graph, problems), [graph, problems]);
  const selectedSet = useMemo(() => new Set(selected), [selected]);
  const children = useMemo(() => {
    const map = new Map();
    for (const n of graph.nodes) if (n.parent) map.set(n.parent, [...(map.get(n.parent) ?? []), n]);
    return map;
  }, [graph]);
  // a node whose inputs did not change keeps its object: React Flow then draws again only
  // the states whose status (or anything else) changed, not the whole machine per event
  const previousNodes = useRef(new Map());
  const flowNodes = useMemo(() => {
    const next = toFlowNodes(graph, boxes, byProblem, statuses, selectedSet, editable, children).map((n) => {
      const old = previousNodes.current.get(n.id);
      return old && sameFlowNode(old, n) ? old : n;
    });
    previousNodes.current = new Map(next.map((n) => [n.id, n]));
    return next;
  }, [graph, boxes, byProblem, statuses, selectedSet, editable, children]);
  const merged = useRef(new WeakMap()); // flow node -> the node React Flow has (with measured)
  const [nodes, setNodes] = useState(flowNodes);
  // fit an opened machine once; an empty canvas keeps its viewport, so
  // the first dropped state does not make the view jump
  const [fitOnOpen] = useState(() => graph.nodes.length > 0);
  useEffect(() => {
    // keep what React Flow measured (handle positions) for nodes whose size
    // did not change: without it every edit re-measures, and a connection
    // dragged meanwhile finds no handle to land on
    setNodes((current) => {
      const before = new Map(current.map((n) => [n.id, n]));
      return flowNodes.map((n) => {
        const old = before.get(n.id);
        const same = old?.measured && old.width === n.width && old.height === n.height && old.data.handles === n.data.handles;
        if (!same) return n;
        if (merged.current.get(n) === old) return old;
        const kept = { ...n, measured: old.measured };
        merged.current.set(n, kept);
        return kept;
      });
    });
  }, [flowNodes]);

  const byId = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n])), [graph]);
  const flowEdges = useMemo(() => toFlowEdges(graph, selectedSet, boxes, byId), [graph, selectedSet, boxes, byId]);

  // the innermost lane under a point of the flow ("" for the machine), and the point inside it
  const scopeAt = useCallback((point) => {
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
  }, [graph, boxes, byId]);

  useImperativeHandle(ref, () => ({
    fitView: () => flow.fitView({ padding: 0.15, maxZoom: 1, duration: 0 }),
    graph: () => graph,
    scopeAt,
    // the whole graph as an SVG or PNG data URL
    async exportImage(format) {
      const bounds = getNodesBounds(flow.getNodes());
      // at 1:1 with a margin, scaled down only past 4096 px
      const zoom = Math.min(1, 4000 / Math.max(bounds.width, bounds.height, 1));
      const width = Math.ceil(bounds.width * zoom + 80);
      const height = Math.ceil(bounds.height * zoom + 80);
      const viewport = { x: 40 - bounds.x * zoom, y: 40 - bounds.y * zoom, zoom };
      const element = wrapper.current?.querySelector(".react-flow__viewport");
      const render = format === "svg" ? toSvg : toPng;
      return render(element, {
        backgroundColor: "#ffffff", width, height,
        filter: (el) => !el.classList?.contains("react-flow__handle"), // a picture has nothing to drag
        style: { width: `${width}px`, height: `${height}px`, transform: `translate(${viewport.x}px, ${viewport.y}px) scale(${viewport.zoom})` },
      });
    },
  }), [flow, graph, scopeAt]);

  // Selection has one owner: the `selected` prop. React Flow's select
  // changes become onSelect calls, never local state, so the two cannot fight.
  const selectedRef = useRef(selectedSet);
  selectedRef.current = selectedSet;
  const applySelect = useCallback((changes) => {
    const picks = changes.filter((c) => c.type === "select");
    if (!picks.length || !onSelect) return;
    const next = new Set(selectedRef.current);
    for (const c of picks) {
      if (c.selected) next.add(c.id);
      else next.delete(c.id);
    }
    const same = next.size === selectedRef.current.size && [...next].every((id) => selectedRef.current.has(id));
    if (!same) {
      selectedRef.current = next;
      onSelect([...next]);
    }
  }, [onSelect]);

  const onNodesChange = useCallback((changes) => {
    applySelect(changes);
    const rest = changes.filter((c) => c.type !== "remove" && c.type !== "select");
    if (rest.length) setNodes((current) => applyNodeChanges(rest, current));
  }, [applySelect]);

  const onEdgesChange = useCallback((changes) => applySelect(changes), [applySelect]);

  const onNodeDragStop = useCallback((_event, node, dragged) => {
    // one state dropped into another lane (or out onto the machine): it changes scope
    const moving = byId.get(node.id);
    if (onMoveToScope && dragged.length === 1 && moving?.kind === "state" && !moving.parent) {
      const box = boxes.get(node.id);
      const centre = { x: node.position.x + box.w / 2, y: node.position.y + box.h / 2 };
      const target = scopeAt(centre);
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
  }, [onMove, onMoveToScope, byId, boxes, scopeAt]);

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
    const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    // dropped on an edge: insert the state there
    let edge = null;
    for (const el of document.elementsFromPoint(event.clientX, event.clientY)) {
      const g = el.closest?.(".react-flow__edge, [data-edge-id]");
      if (g) {
        const id = g.dataset.edgeId ?? (g.getAttribute("data-testid") ?? "").replace(/^rf__edge-/, "");
        edge = graph.edges.find((e) => e.id === id) ?? null;
        if (edge) break;
      }
    }
    if (edge) {
      const scopeId = parseId(edge.source).scopeId;
      onDrop({ templateId, edge, scopeId, position: null });
      return;
    }
    const scope = scopeAt(point);
    onDrop({ templateId, edge: null, scopeId: scope.scopeId, position: { x: Math.round(scope.position.x - 105), y: Math.round(scope.position.y - 29) } });
  }, [editable, onDrop, flow, graph, scopeAt]);

  return (
    <div ref={wrapper} className={`sl-graph ${className}`} data-mode={mode} onDragOver={onDragOver} onDrop={handleDrop}>
      <ReactFlow
        nodes={nodes}
        edges={flowEdges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStop={onNodeDragStop}
        onConnect={handleConnect}
        isValidConnection={isValidConnection}
        onNodeDoubleClick={onNodeDoubleClick}
        nodesDraggable={editable}
        nodesConnectable={editable}
        edgesFocusable={editable}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={["Meta", "Control", "Shift"]}
        connectionRadius={28}
        minZoom={0.1}
        maxZoom={2}
        fitView={fitOnOpen}
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        proOptions={{ hideAttribution: true }}
        onlyRenderVisibleElements={graph.nodes.length > 150}
      >
        <Background gap={20} size={1} color="#d9dde5" />
        <Controls showInteractive={false} position="bottom-left" />
        {minimap ? <MiniMap pannable zoomable position="bottom-right" style={{ width: 168, height: 112 }} nodeColor={minimapColour} nodeStrokeWidth={0} className="sl-minimap" /> : null}
      </ReactFlow>
    </div>
  );
});

export const StateGraph = forwardRef(function StateGraph(props, ref) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} ref={ref} />
    </ReactFlowProvider>
  );
});

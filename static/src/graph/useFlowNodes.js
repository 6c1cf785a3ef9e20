// The React Flow nodes of a graph, drawn again only where something changed.
import { applyNodeChanges } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { sameFlowNode, toFlowNodes } from "./flow.js";

export function useFlowNodes({ graph, boxes, problems, statuses, selectedSet, editable }) {
  const children = useMemo(() => {
    const map = new Map();
    for (const n of graph.nodes) if (n.parent) map.set(n.parent, [...(map.get(n.parent) ?? []), n]);
    return map;
  }, [graph]);
  // a node whose inputs did not change keeps its object: React Flow then draws again only
  // the states whose status (or anything else) changed, not the whole machine per event
  const previous = useRef(new Map());
  const flowNodes = useMemo(() => {
    const next = toFlowNodes(graph, boxes, problems, statuses, selectedSet, editable, children).map((n) => {
      const old = previous.current.get(n.id);
      return old && sameFlowNode(old, n) ? old : n;
    });
    previous.current = new Map(next.map((n) => [n.id, n]));
    return next;
  }, [graph, boxes, problems, statuses, selectedSet, editable, children]);

  const merged = useRef(new WeakMap()); // flow node -> the node React Flow has (with measured)
  const [nodes, setNodes] = useState(flowNodes);
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

  // React Flow's own changes (measurements, drag positions); selection is not its to keep
  const applyChanges = useCallback((changes) => {
    const rest = changes.filter((c) => c.type !== "remove" && c.type !== "select");
    if (rest.length) setNodes((current) => applyNodeChanges(rest, current));
  }, []);

  return [nodes, applyChanges];
}

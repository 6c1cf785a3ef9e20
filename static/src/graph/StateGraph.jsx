// The state graph: one component for the designer (mode "edit") and the
// execution viewer (mode "view"). Three separate inputs, as in Airflow's
// graph view: structure (definition), layout (positions), run status
// (statuses: {stateName or node id: {status, waitingFor}}), applied last.
// `readable` (the viewer): names stay readable and the view follows what runs
// (useReadableView) instead of fitting the whole machine.
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { forwardRef, useCallback, useImperativeHandle, useMemo, useRef } from "react";

import { aslToGraph } from "../asl/graph.js";
import { edgeTypes } from "./edges.jsx";
import { exportImage } from "./exportImage.js";
import { toFlowEdges } from "./flow.js";
import { measure } from "./geometry.js";
import { nodeTypes } from "./nodes.jsx";
import { problemsByNode } from "./problems.js";
import { useCanvasEditing } from "./useCanvasEditing.js";
import { useFlowNodes } from "./useFlowNodes.js";
import { useReadableView } from "./useReadableView.js";
import { useSelection } from "./useSelection.js";

export { TEMPLATE_MIME } from "./useCanvasEditing.js";

const TYPE_COLOURS = {
  Task: "#93b4f5", Pass: "#b8c2d1", Choice: "#f3c47a", Wait: "#c4b1f5", Succeed: "#96dcae", Fail: "#f4a3a3",
  Parallel: "#d7f0ed", Map: "#f5d9f7",
};
const minimapColour = (n) => (n.type === "lane" ? "transparent" : TYPE_COLOURS[n.data?.node?.type] ?? "#cbd5e1");
const FIT = { padding: 0.15, maxZoom: 1 };

const Canvas = forwardRef(function Canvas(props, ref) {
  const {
    definition, layout, statuses, problems, mode = "view", selected = [], onSelect, onMove, onMoveToScope, onConnect, onDrop,
    onNodeDoubleClick, minimap = true, readable = false, className = "",
  } = props;
  const editable = mode === "edit";
  const wrapper = useRef(null);
  const flow = useReactFlow();
  const graph = useMemo(() => aslToGraph(definition, layout), [definition, layout]);
  const boxes = useMemo(() => measure(graph), [graph]);
  const byId = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n])), [graph]);
  const byProblem = useMemo(() => problemsByNode(graph, problems), [graph, problems]);
  const { selectedSet, applySelect } = useSelection(selected, onSelect);
  const [nodes, applyNodeChanges] = useFlowNodes({ graph, boxes, problems: byProblem, statuses, selectedSet, editable });
  const edges = useMemo(() => toFlowEdges(graph, selectedSet, boxes, byId), [graph, selectedSet, boxes, byId]);
  const gestures = useCanvasEditing({ graph, boxes, byId, flow, editable, onMove, onMoveToScope, onConnect, onDrop });
  const onMoveStart = useReadableView({ enabled: readable, flow, wrapper, graph, boxes, byId, statuses });
  // fit an opened machine once; an empty canvas keeps its viewport, so
  // the first dropped state does not make the view jump
  const fitOnOpen = useRef(graph.nodes.length > 0 && !readable).current;

  useImperativeHandle(ref, () => ({
    fitView: () => flow.fitView({ ...FIT, duration: 0 }),
    exportImage: (format) => exportImage(flow, wrapper.current, format),
  }), [flow]);

  const onNodesChange = useCallback((changes) => {
    applySelect(changes);
    applyNodeChanges(changes);
  }, [applySelect, applyNodeChanges]);

  return (
    <div ref={wrapper} className={`sl-graph ${className}`} data-mode={mode} onDragOver={gestures.onDragOver} onDrop={gestures.handleDrop}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={applySelect}
        onNodeDragStop={gestures.onNodeDragStop}
        onConnect={gestures.handleConnect}
        isValidConnection={gestures.isValidConnection}
        onNodeDoubleClick={onNodeDoubleClick}
        onMoveStart={onMoveStart}
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
        fitViewOptions={FIT}
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

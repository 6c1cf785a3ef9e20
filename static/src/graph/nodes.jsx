// The canvas's node types. Structure comes in `data.node`; status and
// problems are separate data; CSS (graph.css) decides how they look, the
// status badge included (an empty element the stylesheet draws per status).
import { Handle, Position } from "@xyflow/react";
import { memo } from "react";

import { stateSummary } from "../asl/summary.js";
import { StateIcon } from "./icons.jsx";

const CATCHING = new Set(["Task", "Parallel", "Map"]);
const TERMINAL = new Set(["Succeed", "Fail", "Choice"]);

function nodeAttributes(data) {
  const { node, status, problems } = data;
  const attrs = {
    "data-state-name": node.name,
    "data-state-type": node.type ?? "Unknown",
    "data-status": status?.status ?? "not-started",
  };
  if (status?.status === "waiting" && status.waitingFor) attrs["data-waiting-for"] = status.waitingFor;
  if (problems?.length) attrs["data-problems"] = problems.some((p) => p.severity !== "WARNING") ? "error" : "warning";
  if (node.start) attrs["data-start"] = "";
  if (node.state && node.state.End === true) attrs["data-end"] = "";
  return attrs;
}

function SourceHandles({ node, editable }) {
  const state = node.state ?? {};
  const handles = [];
  if (node.type === "Choice") {
    const rules = Array.isArray(state.Choices) ? state.Choices : [];
    const slots = rules.length + 2;
    rules.forEach((_, i) => handles.push(
      <Handle key={`c${i}`} id={`choice-${i}`} type="source" position={Position.Bottom}
        className="sl-handle sl-handle-choice" style={{ left: `${((i + 1) / (slots + 1)) * 100}%` }} title={`Rule ${i + 1}`} />,
    ));
    handles.push(<Handle key="new" id="choice-new" type="source" position={Position.Bottom} isConnectable={editable}
      className="sl-handle sl-handle-new" style={{ left: `${((rules.length + 1) / (slots + 1)) * 100}%` }} title="New rule: drag to a state" />);
    handles.push(<Handle key="default" id="default" type="source" position={Position.Bottom} isConnectable={editable}
      className="sl-handle sl-handle-default" style={{ left: `${((rules.length + 2) / (slots + 1)) * 100}%` }} title="Default: drag to a state" />);
  } else if (!TERMINAL.has(node.type)) {
    handles.push(<Handle key="next" id="next" type="source" position={Position.Bottom} isConnectable={editable}
      className="sl-handle sl-handle-next" title="Next: drag to a state" />);
  }
  if (CATCHING.has(node.type)) {
    const catchers = Array.isArray(state.Catch) ? state.Catch : [];
    catchers.forEach((_, i) => handles.push(
      <Handle key={`k${i}`} id={`catch-${i}`} type="source" position={Position.Right}
        className="sl-handle sl-handle-catch" style={{ top: `${30 + i * 10}%` }} title={`Catch ${i + 1}`} />,
    ));
    handles.push(<Handle key="knew" id="catch-new" type="source" position={Position.Right} isConnectable={editable}
      className="sl-handle sl-handle-catch-new" style={{ top: node.type === "Task" ? "50%" : "22px" }} title="Catch: drag to a state" />);
  }
  return handles;
}

function ProblemBadge({ problems }) {
  if (!problems?.length) return null;
  return (
    <span className="sl-node-badge" title={problems.map((p) => p.message).join("\n")}>
      {problems.length}
    </span>
  );
}

export const StateNode = memo(function StateNode({ data, selected }) {
  const { node, editable } = data;
  return (
    <div className={`sl-node${selected ? " is-selected" : ""}`} {...nodeAttributes(data)}>
      <Handle id="in" type="target" position={Position.Top} className="sl-handle sl-handle-in" isConnectable={editable} />
      <span className="sl-node-icon"><StateIcon type={node.type} /></span>
      <span className="sl-node-text">
        <span className="sl-node-name">{node.name}</span>
        <span className="sl-node-sub">{node.type ?? "?"}{stateSummary(node.state) ? " · " + stateSummary(node.state) : ""}</span>
      </span>
      <ProblemBadge problems={data.problems} />
      {editable ? null : <span className="sl-node-status" aria-hidden="true" />}
      <SourceHandles node={node} editable={editable} />
    </div>
  );
});

export const ContainerNode = memo(function ContainerNode({ data, selected }) {
  const { node, editable } = data;
  return (
    <div className={`sl-node sl-container${selected ? " is-selected" : ""}`} {...nodeAttributes(data)}>
      <Handle id="in" type="target" position={Position.Top} className="sl-handle sl-handle-in" isConnectable={editable} />
      <div className="sl-container-head">
        <span className="sl-node-icon"><StateIcon type={node.type} /></span>
        <span className="sl-node-text">
          <span className="sl-node-name">{node.name}</span>
          <span className="sl-node-sub">{node.type}{stateSummary(node.state) ? " · " + stateSummary(node.state) : ""}</span>
        </span>
        <ProblemBadge problems={data.problems} />
      </div>
      {editable ? null : <span className="sl-node-status" aria-hidden="true" />}
      <SourceHandles node={node} editable={editable} />
    </div>
  );
});

export const LaneNode = memo(function LaneNode({ data }) {
  const empty = data.empty;
  return (
    <div className="sl-lane" data-lane={data.node.id}>
      <span className="sl-lane-label">{data.node.label}</span>
      {empty ? <span className="sl-lane-empty">Drop states here</span> : null}
    </div>
  );
});

export const nodeTypes = { state: StateNode, container: ContainerNode, lane: LaneNode };

// The states palette: drag an entry onto the canvas, into a Parallel branch or
// Map processor, or onto an edge to insert it there. Double-click adds it.
import { FLOW_TYPES, TASK_PRESETS } from "../asl/templates.js";
import { StateIcon } from "../graph/icons.jsx";
import { TEMPLATE_MIME } from "../graph/StateGraph.jsx";

function Entry({ template, type, onAdd }) {
  return (
    <li
      className="sl-palette-item"
      draggable
      data-template={template.id}
      data-state-type={type}
      title={`${template.label}: ${template.hint}`}
      onDragStart={(e) => {
        e.dataTransfer.setData(TEMPLATE_MIME, template.id);
        e.dataTransfer.setData("text/plain", template.id);
        e.dataTransfer.effectAllowed = "copy";
      }}
      onDoubleClick={() => onAdd(template.id)}
    >
      <span className="sl-node-icon"><StateIcon type={type} /></span>
      <span className="sl-palette-text">
        <span className="sl-palette-label">{template.label}</span>
        <span className="sl-palette-hint">{template.hint}</span>
      </span>
    </li>
  );
}

export function Palette({ onAdd }) {
  return (
    <nav className="sl-palette" aria-label="States">
      <h2>Tasks</h2>
      <ul>{TASK_PRESETS.map((t) => <Entry key={t.id} template={t} type="Task" onAdd={onAdd} />)}</ul>
      <h2>Flow</h2>
      <ul>{FLOW_TYPES.map((t) => <Entry key={t.id} template={t} type={t.id} onAdd={onAdd} />)}</ul>
    </nav>
  );
}

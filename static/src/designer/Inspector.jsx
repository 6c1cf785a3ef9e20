// The form for the selected state (or the machine when nothing is selected).
import { useEffect, useState } from "react";

import { isObject } from "../asl/graph.js";
import { HAS_RETRY_CATCH, HAS_TRANSITION, MACHINE_FIELDS, fieldsFor, queryLanguage } from "../asl/fields.js";
import { parseId, replaceState, scopeAt, setFields, setScopeFields, stateAt } from "../asl/edit.js";
import { StateIcon } from "../graph/icons.jsx";
import { quickFixes } from "./fixes.js";
import { RetryCatchSections, Section, TransitionSection, TYPE_SECTIONS, fieldProblems } from "./sections.jsx";
import { JsonField, NumberField, Row, SelectField, TextField } from "./widgets.jsx";

function Field({ field, value, onChange, problems }) {
  const props = { label: field.key, value, onChange, problems: fieldProblems(problems, field.key) };
  switch (field.kind) {
    case "json": return <JsonField {...props} />;
    case "number": return <NumberField {...props} allowExpression={false} />;
    case "numberOrExpr": return <NumberField {...props} />;
    case "select": return <SelectField {...props} options={field.options} empty="(default)" />;
    default: return <TextField {...props} placeholder={field.hint} />;
  }
}

function NameField({ name, onRename }) {
  const [text, setText] = useState(name);
  useEffect(() => setText(name), [name]);
  const commit = () => {
    if (text.trim() && text !== name) onRename(text.trim());
    else setText(name);
  };
  return (
    <Row label="Name" htmlFor="sl-state-name">
      <input id="sl-state-name" className="sl-input" value={text} onChange={(e) => setText(e.target.value)} onBlur={commit}
        onKeyDown={(e) => { if (e.key === "Enter") commit(); if (e.key === "Escape") setText(name); }} maxLength={80} />
    </Row>
  );
}

function StateInspector({ definition, id, problems, onEdit, onRename }) {
  const state = stateAt(definition, id);
  const { scopeId, name } = parseId(id);
  const scope = scopeAt(definition, scopeId);
  const siblings = Object.keys(scope?.States ?? {}).filter((n) => n !== name);
  if (!isObject(state)) {
    return <div className="sl-inspector-body"><p className="sl-empty-note">This state is not an object: edit it in the code view.</p></div>;
  }
  const ql = queryLanguage(definition, state);
  const key = (k) => `${id}:${k}`;
  const set = (k) => (value) => onEdit((d) => setFields(d, id, { [k]: value }), key(k));
  const general = (problems ?? []).filter((p) => !p.field || !Object.hasOwn(state, p.field.split("/")[1] ?? ""));
  const ctx = { definition, id, state, problems, onEdit, siblings, ql, key, set };
  const TypeSection = TYPE_SECTIONS[state.Type];
  const groups = new Map();
  for (const field of fieldsFor(definition, state)) {
    const g = field.group ?? "General";
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(field);
  }
  return (
    <div className="sl-inspector-body">
      <div className="sl-inspector-title" data-state-type={state.Type}>
        <span className="sl-node-icon"><StateIcon type={state.Type} /></span>
        <span>{state.Type ?? "Unknown"} state</span>
      </div>
      {general.length ? (
        <div className="sl-problems-inline">
          {general.map((p, i) => (
            <div key={i} className={`sl-problem-card ${p.severity === "WARNING" ? "is-warning" : ""}`} role="alert">
              <div>{p.message}</div>
              <div className="sl-fixes">
                {quickFixes(p, definition, id).map((fix) => (
                  <button key={fix.label} type="button" className="sl-mini sl-fix" onClick={() => onEdit(fix.apply, null)}>{fix.label}</button>
                ))}
              </div>
            </div>
          ))}
        </div>
      ) : null}
      <NameField name={name} onRename={(newName) => {
        if (!siblings.includes(newName)) onRename(id, newName);
      }} />
      <TextField label="Comment" value={state.Comment} onChange={set("Comment")} problems={fieldProblems(problems, "Comment")} />
      <SelectField label="QueryLanguage" value={state.QueryLanguage ?? ""} options={["", "JSONPath", "JSONata"]}
        empty={`Inherit (${definition.QueryLanguage ?? "JSONPath"})`} onChange={set("QueryLanguage")} problems={fieldProblems(problems, "QueryLanguage")} />

      {HAS_TRANSITION.has(state.Type) ? <TransitionSection ctx={ctx} /> : null}
      {TypeSection ? <TypeSection ctx={ctx} /> : null}
      {[...groups.entries()].map(([group, fields]) => (
        <Section key={group} title={group}>
          {fields.map((field) => <Field key={field.key} field={field} value={state[field.key]} onChange={set(field.key)} problems={problems} />)}
        </Section>
      ))}

      {HAS_RETRY_CATCH.has(state.Type) ? <RetryCatchSections ctx={ctx} /> : null}

      <details className="sl-section sl-raw">
        <summary>State JSON (every field)</summary>
        <JsonField label="State" value={state} rows={10} onChange={(v) => { if (isObject(v)) onEdit((d) => replaceState(d, id, v), key("raw")); }} />
      </details>
    </div>
  );
}

function MachineInspector({ definition, problems, onEdit }) {
  const states = Object.keys(isObject(definition.States) ? definition.States : {});
  const set = (k) => (v) => onEdit((d) => setScopeFields(d, "", { [k]: v }), `machine:${k}`);
  return (
    <div className="sl-inspector-body">
      <div className="sl-inspector-title"><span>State machine</span></div>
      <p className="sl-empty-note">Select a state to edit it. Drag states from the palette onto the canvas.</p>
      <SelectField label="StartAt" value={definition.StartAt ?? ""} options={["", ...states]} onChange={(v) => set("StartAt")(v ?? "")} problems={fieldProblems(problems, "StartAt")} />
      {MACHINE_FIELDS.map((field) => <Field key={field.key} field={field} value={definition[field.key]} onChange={set(field.key)} problems={problems} />)}
    </div>
  );
}

export function Inspector({ definition, selectedId, problems, machineProblems, onEdit, onRename }) {
  const valid = selectedId && stateAt(definition, selectedId) !== undefined;
  return (
    <aside className="sl-inspector" aria-label="Inspector">
      {valid
        ? <StateInspector key={selectedId} definition={definition} id={selectedId} problems={problems} onEdit={onEdit} onRename={onRename} />
        : isObject(definition) ? <MachineInspector definition={definition} problems={machineProblems} onEdit={onEdit} /> : null}
    </aside>
  );
}

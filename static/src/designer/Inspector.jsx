// The form for the selected state (or the machine when nothing is selected).
import { useEffect, useState } from "react";

import { isObject } from "../asl/graph.js";
import { HAS_RETRY_CATCH, HAS_TRANSITION, MACHINE_FIELDS, fieldsFor, queryLanguage } from "../asl/fields.js";
import { parseId, replaceState, scopeAt, setFields, setScopeFields, stateAt } from "../asl/edit.js";
import { join } from "../asl/pointer.js";
import { StateIcon } from "../graph/icons.jsx";
import { quickFixes } from "./fixes.js";
import { RuleEditor } from "./RuleEditor.jsx";
import { CheckField, JsonField, ListText, NumberField, Row, SelectField, TextField } from "./widgets.jsx";

const fieldProblems = (problems, key) => (problems ?? []).filter((p) => p.field === `/${key}` || p.field?.startsWith(`/${key}/`));

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

function Section({ title, children, actions }) {
  return (
    <section className="sl-section">
      <header className="sl-section-head"><h3>{title}</h3>{actions}</header>
      {children}
    </section>
  );
}

function ListEditor({ title, items, onChange, make, render, addLabel }) {
  const list = Array.isArray(items) ? items : [];
  const set = (i, item) => onChange(list.map((x, j) => (j === i ? item : x)));
  const remove = (i) => {
    const rest = list.filter((_, j) => j !== i);
    onChange(rest.length ? rest : undefined);
  };
  return (
    <Section title={title} actions={<button type="button" className="sl-mini" onClick={() => onChange([...list, make()])}>{addLabel}</button>}>
      {list.length === 0 ? <p className="sl-empty-note">None.</p> : null}
      {list.map((item, i) => (
        <div key={i} className="sl-card">
          <div className="sl-card-head"><span>#{i + 1}</span><button type="button" className="sl-mini sl-danger" onClick={() => remove(i)} aria-label={`Remove ${title} ${i + 1}`}>Remove</button></div>
          {render(item, (next) => set(i, next), i)}
        </div>
      ))}
    </Section>
  );
}

const patch = (object, key, value) => {
  const out = { ...object };
  if (value === undefined) delete out[key];
  else out[key] = value;
  return out;
};

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

      {HAS_TRANSITION.has(state.Type) ? (
        <Section title="Transition">
          <SelectField label="Next" value={state.Next ?? ""} options={["", ...siblings]} empty="(none)" problems={fieldProblems(problems, "Next")}
            onChange={(v) => onEdit((d) => setFields(d, id, v ? { Next: v, End: undefined } : { Next: undefined }), null)} />
          <CheckField label="End" value={state.End} problems={fieldProblems(problems, "End")}
            onChange={(v) => onEdit((d) => setFields(d, id, v ? { End: true, Next: undefined } : { End: undefined }), null)} />
        </Section>
      ) : null}

      {state.Type === "Choice" ? (
        <>
          <ListEditor title="Choices" items={state.Choices} addLabel="Add rule"
            onChange={(v) => onEdit((d) => setFields(d, id, { Choices: v ?? [] }), key("Choices"))}
            make={() => (ql === "JSONata" ? { Condition: "{% true %}", Next: siblings[0] ?? "" } : { Variable: "$.value", StringEquals: "value", Next: siblings[0] ?? "" })}
            render={(rule, setRule, i) => {
              const rp = fieldProblems(problems, `Choices/${i}`);
              if (ql === "JSONata" && isObject(rule) && (rule.Condition !== undefined || !rule.Variable)) {
                return (<>
                  <TextField label="Condition" value={rule.Condition} onChange={(v) => setRule(patch(rule, "Condition", v))} problems={rp} placeholder="{% $states.input.x > 1 %}" />
                  <SelectField label="Next" value={rule.Next ?? ""} options={["", ...siblings]} onChange={(v) => setRule(patch(rule, "Next", v ?? ""))} />
                  <JsonField label="Assign" value={rule.Assign} onChange={(v) => setRule(patch(rule, "Assign", v))} rows={2} />
                  <JsonField label="Output" value={rule.Output} onChange={(v) => setRule(patch(rule, "Output", v))} rows={2} />
                </>);
              }
              return <RuleEditor rule={rule} onChange={setRule} siblings={siblings} problems={rp} />;
            }} />
          <SelectField label="Default" value={state.Default ?? ""} options={["", ...siblings]} empty="(none)" onChange={set("Default")} problems={fieldProblems(problems, "Default")} />
        </>
      ) : null}

      {state.Type === "Parallel" ? (
        <ListEditor title="Branches" items={state.Branches} addLabel="Add branch"
          onChange={(v) => onEdit((d) => setFields(d, id, { Branches: v ?? [] }), null)}
          make={() => ({ StartAt: "", States: {} })}
          render={(branch, setBranch, i) => (
            <SelectField label="StartAt" value={branch?.StartAt ?? ""} options={["", ...Object.keys(branch?.States ?? {})]}
              onChange={(v) => setBranch(patch(branch, "StartAt", v ?? ""))} problems={fieldProblems(problems, `Branches/${i}/StartAt`)} />
          )} />
      ) : null}

      {state.Type === "Map" ? (() => {
        const pkey = isObject(state.ItemProcessor) ? "ItemProcessor" : isObject(state.Iterator) ? "Iterator" : "ItemProcessor";
        const processor = isObject(state[pkey]) ? state[pkey] : { StartAt: "", States: {} };
        return (
          <Section title={pkey === "Iterator" ? "Iterator" : "Item processor"}>
            <SelectField label="StartAt" value={processor.StartAt ?? ""} options={["", ...Object.keys(processor.States ?? {})]}
              onChange={(v) => onEdit((d) => setScopeFields(d, join(id, pkey), { StartAt: v ?? "" }), null)} problems={fieldProblems(problems, `${pkey}/StartAt`)} />
            <JsonField label="ProcessorConfig" value={processor.ProcessorConfig} rows={2} problems={fieldProblems(problems, `${pkey}/ProcessorConfig`)}
              onChange={(v) => onEdit((d) => setScopeFields(d, join(id, pkey), { ProcessorConfig: v }), key("ProcessorConfig"))} />
          </Section>
        );
      })() : null}

      {[...groups.entries()].map(([group, fields]) => (
        <Section key={group} title={group}>
          {fields.map((field) => <Field key={field.key} field={field} value={state[field.key]} onChange={set(field.key)} problems={problems} />)}
        </Section>
      ))}

      {HAS_RETRY_CATCH.has(state.Type) ? (
        <>
          <ListEditor title="Retry" items={state.Retry} addLabel="Add retrier"
            onChange={(v) => onEdit((d) => setFields(d, id, { Retry: v }), key("Retry"))}
            make={() => ({ ErrorEquals: ["States.ALL"], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 })}
            render={(r, setR, i) => (<>
              <ListText label="ErrorEquals" value={r.ErrorEquals} onChange={(v) => setR(patch(r, "ErrorEquals", v))} problems={fieldProblems(problems, `Retry/${i}/ErrorEquals`)} />
              <div className="sl-grid2">
                <NumberField label="IntervalSeconds" value={r.IntervalSeconds} allowExpression={false} onChange={(v) => setR(patch(r, "IntervalSeconds", v))} problems={fieldProblems(problems, `Retry/${i}/IntervalSeconds`)} />
                <NumberField label="MaxAttempts" value={r.MaxAttempts} allowExpression={false} onChange={(v) => setR(patch(r, "MaxAttempts", v))} problems={fieldProblems(problems, `Retry/${i}/MaxAttempts`)} />
                <NumberField label="BackoffRate" value={r.BackoffRate} allowExpression={false} onChange={(v) => setR(patch(r, "BackoffRate", v))} problems={fieldProblems(problems, `Retry/${i}/BackoffRate`)} />
                <NumberField label="MaxDelaySeconds" value={r.MaxDelaySeconds} allowExpression={false} onChange={(v) => setR(patch(r, "MaxDelaySeconds", v))} problems={fieldProblems(problems, `Retry/${i}/MaxDelaySeconds`)} />
              </div>
              <SelectField label="JitterStrategy" value={r.JitterStrategy ?? ""} options={["", "FULL", "NONE"]} onChange={(v) => setR(patch(r, "JitterStrategy", v))} />
            </>)} />
          <ListEditor title="Catch" items={state.Catch} addLabel="Add catcher"
            onChange={(v) => onEdit((d) => setFields(d, id, { Catch: v }), key("Catch"))}
            make={() => ({ ErrorEquals: ["States.ALL"], Next: siblings[0] ?? "" })}
            render={(c, setC, i) => (<>
              <ListText label="ErrorEquals" value={c.ErrorEquals} onChange={(v) => setC(patch(c, "ErrorEquals", v))} problems={fieldProblems(problems, `Catch/${i}/ErrorEquals`)} />
              <SelectField label="Next" value={c.Next ?? ""} options={["", ...siblings]} onChange={(v) => setC(patch(c, "Next", v ?? ""))} problems={fieldProblems(problems, `Catch/${i}/Next`)} />
              {ql === "JSONata"
                ? <JsonField label="Output" value={c.Output} rows={2} onChange={(v) => setC(patch(c, "Output", v))} />
                : <TextField label="ResultPath" value={c.ResultPath} placeholder="$" onChange={(v) => setC(patch(c, "ResultPath", v))} problems={fieldProblems(problems, `Catch/${i}/ResultPath`)} />}
              <JsonField label="Assign" value={c.Assign} rows={2} onChange={(v) => setC(patch(c, "Assign", v))} />
            </>)} />
        </>
      ) : null}

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

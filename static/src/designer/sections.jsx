// The inspector's sections for one state: its transition, what its type adds
// (Choice rules, Parallel branches, the Map's item processor), Retry and Catch.
// Each takes the inspector's context: {definition, id, state, problems, onEdit,
// siblings (the names it may go to), ql (its query language), key (undo
// coalescing per field), set (field setter)}.
import { isObject } from "../asl/graph.js";
import { setFields, setScopeFields } from "../asl/edit.js";
import { join } from "../asl/pointer.js";
import { RuleEditor } from "./RuleEditor.jsx";
import { CheckField, JsonField, ListText, NumberField, SelectField, TextField } from "./widgets.jsx";

export const fieldProblems = (problems, key) => (problems ?? []).filter((p) => p.field === `/${key}` || p.field?.startsWith(`/${key}/`));

export function Section({ title, children, actions }) {
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

export function TransitionSection({ ctx: { id, state, problems, onEdit, siblings } }) {
  return (
    <Section title="Transition">
      <SelectField label="Next" value={state.Next ?? ""} options={["", ...siblings]} empty="(none)" problems={fieldProblems(problems, "Next")}
        onChange={(v) => onEdit((d) => setFields(d, id, v ? { Next: v, End: undefined } : { Next: undefined }), null)} />
      <CheckField label="End" value={state.End} problems={fieldProblems(problems, "End")}
        onChange={(v) => onEdit((d) => setFields(d, id, v ? { End: true, Next: undefined } : { End: undefined }), null)} />
    </Section>
  );
}

function ChoiceRules({ ctx: { id, state, problems, onEdit, siblings, ql, key, set } }) {
  return (
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
  );
}

function ParallelBranches({ ctx: { id, state, problems, onEdit } }) {
  return (
    <ListEditor title="Branches" items={state.Branches} addLabel="Add branch"
      onChange={(v) => onEdit((d) => setFields(d, id, { Branches: v ?? [] }), null)}
      make={() => ({ StartAt: "", States: {} })}
      render={(branch, setBranch, i) => (
        <SelectField label="StartAt" value={branch?.StartAt ?? ""} options={["", ...Object.keys(branch?.States ?? {})]}
          onChange={(v) => setBranch(patch(branch, "StartAt", v ?? ""))} problems={fieldProblems(problems, `Branches/${i}/StartAt`)} />
      )} />
  );
}

function MapProcessor({ ctx: { id, state, problems, onEdit, key } }) {
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
}

// what a state's type adds to the common fields
export const TYPE_SECTIONS = { Choice: ChoiceRules, Parallel: ParallelBranches, Map: MapProcessor };

export function RetryCatchSections({ ctx: { id, state, problems, onEdit, siblings, ql, key } }) {
  return (
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
  );
}

// A JSONPath Choice rule: a form for one comparison (Variable, operator,
// value), the rule's JSON for anything else (And / Or / Not).
import { isObject } from "../asl/graph.js";
import { JsonField, NumberField, SelectField, TextField } from "./widgets.jsx";

const FAMILIES = {
  String: ["Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"],
  Numeric: ["Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"],
  Timestamp: ["Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"],
  Boolean: ["Equals"],
};
const BASE = [
  ...Object.entries(FAMILIES).flatMap(([family, ops]) => ops.map((op) => family + op)),
  "StringMatches", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp",
];
export const OPERATORS = [...BASE, ...BASE.filter((op) => !op.startsWith("Is") && op !== "StringMatches").map((op) => op + "Path")];
const OTHER_KEYS = new Set(["Variable", "Next", "Comment", "Assign", "Output"]);

// the operator of a one-comparison rule, else null
export function simpleOperator(rule) {
  if (!isObject(rule) || typeof rule.Variable !== "string") return null;
  const ops = Object.keys(rule).filter((k) => !OTHER_KEYS.has(k));
  return ops.length === 1 && OPERATORS.includes(ops[0]) ? ops[0] : null;
}

function parseValue(operator, text) {
  if (operator.endsWith("Path") || operator.startsWith("String") || operator.startsWith("Timestamp")) return text;
  if (operator.startsWith("Numeric")) return text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
  return text === "true" ? true : text === "false" ? false : text;
}

export function RuleEditor({ rule, onChange, siblings, problems }) {
  const operator = simpleOperator(rule);
  const { Next, ...condition } = isObject(rule) ? rule : {};
  const next = <SelectField label="Next" value={Next ?? ""} options={["", ...siblings]} onChange={(v) => onChange({ ...rule, Next: v ?? "" })} />;
  if (!operator) {
    return (<>
      <JsonField label="Rule" value={condition} rows={4} problems={problems} onChange={(v) => isObject(v) && onChange({ ...v, Next })} />
      {next}
    </>);
  }
  const value = rule[operator];
  const setOperator = (op) => {
    if (!op) return;
    const out = {};
    for (const [k, v] of Object.entries(rule)) out[k === operator ? op : k] = k === operator ? parseValue(op, String(v)) : v;
    onChange(out);
  };
  return (<>
    <TextField label="Variable" value={rule.Variable} placeholder="$.value" problems={problems} onChange={(v) => onChange({ ...rule, Variable: v ?? "" })} />
    <SelectField label="Operator" value={operator} options={OPERATORS} onChange={setOperator} />
    {operator.startsWith("Is") || operator === "BooleanEquals" ? (
      <SelectField label="Value" value={String(value)} options={["true", "false"]} onChange={(v) => onChange({ ...rule, [operator]: v === "true" })} />
    ) : operator.startsWith("Numeric") && !operator.endsWith("Path") ? (
      <NumberField label="Value" value={value} onChange={(v) => onChange({ ...rule, [operator]: v ?? 0 })} />
    ) : (
      <TextField label="Value" value={value} placeholder={operator.endsWith("Path") ? "$.other" : ""}
        onChange={(v) => onChange({ ...rule, [operator]: v ?? "" })} />
    )}
    <TextField label="Comment" value={rule.Comment} onChange={(v) => {
      const out = { ...rule };
      if (v === undefined) delete out.Comment;
      else out.Comment = v;
      onChange(out);
    }} />
    {next}
  </>);
}

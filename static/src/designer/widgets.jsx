// Form widgets for the inspector. Each keeps its own text while you type and
// only hands over values that make sense (valid JSON, a number, ...); when
// the value changes from elsewhere (undo, the code view) the text follows.
import { useEffect, useRef, useState } from "react";

function useSyncedText(value, format, parse) {
  const [text, setText] = useState(() => format(value));
  const last = useRef(value);
  useEffect(() => {
    if (value === last.current) return;
    last.current = value;
    let same = false;
    try {
      same = JSON.stringify(parse(text)) === JSON.stringify(value);
    } catch {
      same = false;
    }
    if (!same) setText(format(value));
  }, [value]); // eslint-disable-line react-hooks/exhaustive-deps
  return [text, setText, last];
}

export function Row({ label, problems, children, hint, htmlFor }) {
  const bad = problems?.length > 0;
  return (
    <div className={`sl-field${bad ? " has-problem" : ""}`} data-field={label}>
      <label className="sl-field-label" htmlFor={htmlFor}>{label}</label>
      {children}
      {hint ? <div className="sl-field-hint">{hint}</div> : null}
      {bad ? problems.map((p, i) => <div key={i} className="sl-field-problem" role="alert">{p.message}</div>) : null}
    </div>
  );
}

let counter = 0;
const useId = () => useRef(`f${++counter}`).current;

export function TextField({ label, value, onChange, problems, placeholder, multiline = false }) {
  const id = useId();
  const [text, setText, last] = useSyncedText(value, (v) => (typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v)), (t) => (t === "" ? undefined : t));
  const change = (e) => {
    setText(e.target.value);
    const next = e.target.value === "" ? undefined : e.target.value;
    last.current = next;
    onChange(next);
  };
  const Tag = multiline ? "textarea" : "input";
  return (
    <Row label={label} problems={problems} htmlFor={id}>
      <Tag id={id} className="sl-input" value={text} placeholder={placeholder} onChange={change} spellCheck={false} />
    </Row>
  );
}

// A number, or (JSONata) an expression string like "{% $x %}".
export function NumberField({ label, value, onChange, problems, allowExpression = true }) {
  const id = useId();
  const parse = (t) => (t.trim() === "" ? undefined : Number.isFinite(Number(t)) ? Number(t) : t);
  const [text, setText, last] = useSyncedText(value, (v) => (v === undefined ? "" : String(v)), parse);
  const change = (e) => {
    setText(e.target.value);
    const next = parse(e.target.value);
    if (typeof next === "string" && !allowExpression) return;
    last.current = next;
    onChange(next);
  };
  return (
    <Row label={label} problems={problems} htmlFor={id}>
      <input id={id} className="sl-input" value={text} onChange={change} inputMode="numeric" spellCheck={false} />
    </Row>
  );
}

export function JsonField({ label, value, onChange, problems, rows = 4 }) {
  const id = useId();
  const parse = (t) => (t.trim() === "" ? undefined : JSON.parse(t));
  const [text, setText, last] = useSyncedText(value, (v) => (v === undefined ? "" : JSON.stringify(v, null, 2)), parse);
  const [error, setError] = useState(null);
  const change = (e) => {
    setText(e.target.value);
    try {
      const next = parse(e.target.value);
      setError(null);
      last.current = next;
      onChange(next);
    } catch (err) {
      setError("Not valid JSON yet: " + err.message);
    }
  };
  const all = error ? [...(problems ?? []), { message: error }] : problems;
  return (
    <Row label={label} problems={all} htmlFor={id}>
      <textarea id={id} className="sl-input sl-json" rows={rows} value={text} onChange={change} spellCheck={false} />
    </Row>
  );
}

export function SelectField({ label, value, options, onChange, problems, empty = "—" }) {
  const id = useId();
  return (
    <Row label={label} problems={problems} htmlFor={id}>
      <select id={id} className="sl-input" value={value ?? ""} onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}>
        {options.includes(value ?? "") ? null : <option value={value}>{value}</option>}
        {options.map((o) => <option key={o} value={o}>{o === "" ? empty : o}</option>)}
      </select>
    </Row>
  );
}

export function CheckField({ label, value, onChange, problems }) {
  const id = useId();
  return (
    <Row label={label} problems={problems} htmlFor={id}>
      <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked ? true : undefined)} />
    </Row>
  );
}

export function ListText({ label, value, onChange, problems }) {
  // ["a", "b"] as "a, b"
  const id = useId();
  const format = (v) => (Array.isArray(v) ? v.join(", ") : "");
  const parse = (t) => t.split(",").map((s) => s.trim()).filter(Boolean);
  const [text, setText, last] = useSyncedText(value, format, parse);
  return (
    <Row label={label} problems={problems} htmlFor={id}>
      <input id={id} className="sl-input" value={text} spellCheck={false} onChange={(e) => {
        setText(e.target.value);
        const next = parse(e.target.value);
        last.current = next;
        onChange(next);
      }} />
    </Row>
  );
}

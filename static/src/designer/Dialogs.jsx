// Modal dialogs: run (with the sample inputs), versions (with a diff), import.
import { useEffect, useState } from "react";

import { call, navigate } from "./api.js";
import { load, store } from "./storage.js";

export function Modal({ title, onClose, children, wide = false }) {
  useEffect(() => {
    const onKey = (e) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div className="sl-modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`sl-modal${wide ? " is-wide" : ""}`} role="dialog" aria-modal="true" aria-label={title}>
        <header className="sl-modal-head"><h2>{title}</h2><button type="button" className="sl-icon-button" onClick={onClose} aria-label="Close">×</button></header>
        {children}
      </div>
    </div>
  );
}

// The machine's sample inputs (named, kept with it) are offered first, the first one
// pre-filled; the input in the box can be kept as one of them, or one removed.
export function RunDialog({ urls, text, samples, onSamples, onClose }) {
  const remembered = `sl-run-input:${urls.run}`;
  const [input, setInput] = useState(() => samples[0]?.text ?? load(remembered, "{}"));
  const [sampleName, setSampleName] = useState(samples[0]?.name ?? "");
  const [testCase, setTestCase] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const choose = (name) => {
    const sample = samples.find((s) => s.name === name);
    if (sample) setInput(sample.text);
    setSampleName(name);
  };
  const keep = async (body) => {
    const r = await call(urls.inputs, { body });
    if (r.ok) onSamples(r.data.inputs);
    setError(r.ok ? null : r.data?.error ?? "Could not keep the sample input");
  };
  const run = async () => {
    try {
      JSON.parse(input);
    } catch (e) {
      setError("The input is not valid JSON: " + e.message);
      return;
    }
    store(remembered, input);
    setBusy(true);
    const r = await call(urls.run, { body: { definition: text, input, mock_test_case: testCase } });
    setBusy(false);
    if (r.ok && r.data.url) navigate(r.data.url);
    else setError(r.data?.error ?? "Could not start the execution");
  };
  const known = samples.some((s) => s.name === sampleName);
  return (
    <Modal title="Run" onClose={onClose}>
      <div className="sl-modal-body">
        {samples.length ? (
          <>
            <label className="sl-field-label" htmlFor="sl-run-sample">Sample input</label>
            <select id="sl-run-sample" className="sl-input" value={known ? sampleName : ""} onChange={(e) => choose(e.target.value)}>
              {known ? null : <option value="">(not a sample input)</option>}
              {samples.map((s) => <option key={s.name} value={s.name}>{s.name}</option>)}
            </select>
          </>
        ) : null}
        <label className="sl-field-label" htmlFor="sl-run-input">Input (JSON)</label>
        <textarea id="sl-run-input" className="sl-input sl-json" rows={8} value={input} onChange={(e) => setInput(e.target.value)} spellCheck={false} />
        <div className="sl-sample-keep">
          <label className="sl-field-label" htmlFor="sl-run-sample-name">Keep as sample input</label>
          <input id="sl-run-sample-name" className="sl-input" value={sampleName} onChange={(e) => setSampleName(e.target.value)} placeholder="a name, e.g. Happy path" />
          <button type="button" className="sl-mini" onClick={() => keep({ name: sampleName, input })}>Save input</button>
          {known ? <button type="button" className="sl-mini" onClick={() => keep({ name: sampleName, delete: true })}>Remove</button> : null}
        </div>
        <label className="sl-field-label" htmlFor="sl-run-mock">Mock test case (optional)</label>
        <input id="sl-run-mock" className="sl-input" value={testCase} onChange={(e) => setTestCase(e.target.value)} placeholder="e.g. HappyPath" />
        <p className="sl-field-hint">Runs the definition in the editor (it is saved first) and opens the execution viewer. Sample inputs are kept with the machine (<code>NAME.inputs.json</code> for <code>manage.py apply</code> and <code>export</code>).</p>
        {error ? <div className="sl-field-problem" role="alert">{error}</div> : null}
      </div>
      <footer className="sl-modal-foot">
        <button type="button" className="sl-button" onClick={onClose}>Cancel</button>
        <button type="button" className="sl-button is-primary" onClick={run} disabled={busy}>Start execution</button>
      </footer>
    </Modal>
  );
}

export function VersionsDialog({ urls, text, onClose, onRestore }) {
  const [versions, setVersions] = useState(null);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("editor");
  const [diff, setDiff] = useState(null);
  useEffect(() => {
    call(urls.versions, { method: "GET" }).then((r) => {
      const list = r.data?.versions ?? [];
      setVersions(list);
      if (list.length) setFrom(String(list[0].number));
    });
  }, [urls.versions]);
  useEffect(() => {
    if (!from) return;
    call(urls.diff, { body: { from, to, definition: text } }).then((r) => setDiff(r.ok ? r.data : { error: r.data?.error }));
  }, [from, to, text, urls.diff]);
  const options = (versions ?? []).map((v) => <option key={v.number} value={String(v.number)}>Version {v.number}{v.description ? ` — ${v.description}` : ""}</option>);
  return (
    <Modal title="Versions" onClose={onClose} wide>
      <div className="sl-modal-body">
        {versions === null ? <p>Loading…</p> : versions.length === 0 ? <p className="sl-empty-note">No published versions yet. Publish to create version 1.</p> : (
          <>
            <ul className="sl-version-list">
              {versions.map((v) => (
                <li key={v.number} data-version={v.number}>
                  <strong>Version {v.number}</strong> <span className="muted">{new Date(v.created_at).toLocaleString()}</span>
                  {v.description ? <span> — {v.description}</span> : null}
                  <button type="button" className="sl-mini" onClick={() => onRestore(v.number)}>Open in editor</button>
                </li>
              ))}
            </ul>
            <div className="sl-diff-pick">
              <label>From <select className="sl-input" value={from} onChange={(e) => setFrom(e.target.value)}>{options}<option value="saved">Saved machine</option></select></label>
              <label>To <select className="sl-input" value={to} onChange={(e) => setTo(e.target.value)}><option value="editor">Editor (unsaved)</option><option value="saved">Saved machine</option>{options}</select></label>
            </div>
            {diff?.error ? <div className="sl-field-problem">{diff.error}</div> : null}
            {diff?.lines ? (
              <pre className="sl-diff" aria-label="Diff">
                {diff.lines.length === 0 ? <span className="muted">No differences.</span> : diff.lines.map((line, i) => (
                  <div key={i} className={line.startsWith("+") ? "is-add" : line.startsWith("-") ? "is-del" : line.startsWith("@@") ? "is-hunk" : ""}>{line}</div>
                ))}
              </pre>
            ) : null}
          </>
        )}
      </div>
    </Modal>
  );
}

export function ImportDialog({ urls, onClose, onImport }) {
  const [text, setText] = useState("");
  const [error, setError] = useState(null);
  const send = async (form) => {
    const r = await call(urls.import, { form });
    if (r.ok) onImport(r.data.definition);
    else setError(r.data?.error ?? "Could not import");
  };
  return (
    <Modal title="Import ASL" onClose={onClose}>
      <div className="sl-modal-body">
        <label className="sl-field-label" htmlFor="sl-import-file">A JSON or YAML file</label>
        <input id="sl-import-file" type="file" accept=".json,.yaml,.yml,.asl,application/json,text/yaml" onChange={(e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          const form = new FormData();
          form.append("file", file);
          send(form);
        }} />
        <label className="sl-field-label" htmlFor="sl-import-text">…or paste it</label>
        <textarea id="sl-import-text" className="sl-input sl-json" rows={10} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false}
          placeholder={'StartAt: Hello\nStates:\n  Hello:\n    Type: Pass\n    End: true'} />
        {error ? <div className="sl-field-problem" role="alert">{error}</div> : null}
      </div>
      <footer className="sl-modal-foot">
        <button type="button" className="sl-button" onClick={onClose}>Cancel</button>
        <button type="button" className="sl-button is-primary" onClick={() => {
          const form = new FormData();
          form.append("text", text);
          send(form);
        }}>Import</button>
      </footer>
    </Modal>
  );
}

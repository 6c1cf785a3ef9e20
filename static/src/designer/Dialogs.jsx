// Modal dialogs: run, versions (with a diff), import.
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

export function RunDialog({ urls, text, onClose }) {
  const [input, setInput] = useState(() => load(`sl-run-input:${urls.run}`, "{}"));
  const [testCase, setTestCase] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    try {
      JSON.parse(input);
    } catch (e) {
      setError("The input is not valid JSON: " + e.message);
      return;
    }
    store(`sl-run-input:${urls.run}`, input);
    setBusy(true);
    const r = await call(urls.run, { body: { definition: text, input, mock_test_case: testCase } });
    setBusy(false);
    if (r.ok && r.data.url) navigate(r.data.url);
    else setError(r.data?.error ?? "Could not start the execution");
  };
  return (
    <Modal title="Run" onClose={onClose}>
      <div className="sl-modal-body">
        <label className="sl-field-label" htmlFor="sl-run-input">Input (JSON)</label>
        <textarea id="sl-run-input" className="sl-input sl-json" rows={8} value={input} onChange={(e) => setInput(e.target.value)} spellCheck={false} />
        <label className="sl-field-label" htmlFor="sl-run-mock">Mock test case (optional)</label>
        <input id="sl-run-mock" className="sl-input" value={testCase} onChange={(e) => setTestCase(e.target.value)} placeholder="e.g. HappyPath" />
        <p className="sl-field-hint">Runs the definition in the editor (it is saved first) and opens the execution viewer.</p>
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

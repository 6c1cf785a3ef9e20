// The designer page: palette | canvas (+ code view) | inspector, problems below.
// The definition (with the layout beside it) is the document; the graph is
// drawn from it, and what gets saved is graphToAsl of that graph.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { addState, connect, disconnect, insertOnEdge, moveState, parseId, pasteStates, removeStates, renameState, stateAt, uniqueName } from "../asl/edit.js";
import { aslToGraph, graphToAsl, isObject } from "../asl/graph.js";
import { join, within } from "../asl/pointer.js";
import { templateById } from "../asl/templates.js";
import { autoLayout } from "../graph/layout.js";
import { problemsByNode } from "../graph/problems.js";
import { StateGraph } from "../graph/StateGraph.jsx";
import { call, leaving } from "./api.js";
import { CodeView } from "./CodeView.jsx";
import { ImportDialog, RunDialog, VersionsDialog } from "./Dialogs.jsx";
import { createHistory, record, redo, replacePresent, undo } from "./history.js";
import { Inspector } from "./Inspector.jsx";
import { Palette } from "./Palette.jsx";
import { Problems } from "./Problems.jsx";
import { load, store } from "./storage.js";

const EMPTY = { StartAt: "", States: {} };

function startingDocument(config) {
  for (const text of [config.draft, config.definition]) {
    if (!text) continue;
    try {
      const value = JSON.parse(text);
      if (isObject(value)) return value;
    } catch {
      // an unreadable draft: fall back to the saved definition
    }
  }
  return EMPTY;
}

// layout positions follow a rename (the node and everything inside it)
function rekey(layout, from, to) {
  const positions = {};
  for (const [id, p] of Object.entries(layout.positions ?? {})) positions[within(id, from) ? to + id.slice(from.length) : id] = p;
  return { ...layout, positions };
}

let clipboard = null;
const typing = (el) => el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.closest?.(".cm-editor"));

export function Designer({ config }) {
  const urls = config.urls;
  const [history, setHistory] = useState(() => createHistory({
    definition: startingDocument(config),
    layout: isObject(config.layout) ? config.layout : {},
  }));
  const { definition, layout } = history.present;
  const [selected, setSelected] = useState([]);
  const [codeOpen, setCodeOpen] = useState(() => load("sl-code-open") === "1");
  const [codeError, setCodeError] = useState(null);
  const [problems, setProblems] = useState([]);
  const [checking, setChecking] = useState(false);
  const [problemsCollapsed, setProblemsCollapsed] = useState(false);
  const [status, setStatus] = useState({ kind: "saved", text: config.draft ? "Draft restored" : "Saved" });
  const [dialog, setDialog] = useState(null);
  const [toast, setToast] = useState(null);
  const graphRef = useRef(null);
  const first = useRef(true);
  // a machine opened without positions is laid out before it is first drawn
  const [ready, setReady] = useState(() => {
    const states = aslToGraph(history.present.definition, history.present.layout).nodes.filter((n) => n.kind === "state");
    return !(states.length && states.every((n) => !n.position));
  });

  const graph = useMemo(() => aslToGraph(definition, layout), [definition, layout]);
  // what gets saved, validated, exported and shown in the code view
  const text = useMemo(() => JSON.stringify(graphToAsl(graph), null, 2), [graph]);
  const byNode = useMemo(() => problemsByNode(graph, problems), [graph, problems]);

  const say = useCallback((message, kind = "info") => {
    setToast({ message, kind, at: Date.now() });
  }, []);
  useEffect(() => {
    if (!toast) return undefined;
    const t = setTimeout(() => setToast(null), 4000);
    return () => clearTimeout(t);
  }, [toast]);

  // --- editing -----------------------------------------------------------
  const edit = useCallback((change, coalesce = null, layoutChange = null) => {
    setHistory((h) => {
      const next = typeof change === "function" ? change(h.present.definition) : change;
      const nextLayout = layoutChange ? layoutChange(h.present.layout) : h.present.layout;
      if (next === h.present.definition && nextLayout === h.present.layout) return h;
      return record(h, { definition: next, layout: nextLayout }, { coalesce });
    });
  }, []);

  const moveNodes = useCallback((moved) => {
    setHistory((h) => record(h, { ...h.present, layout: { ...h.present.layout, positions: { ...(h.present.layout.positions ?? {}), ...moved } } }));
  }, []);

  const runLayout = useCallback(async (asStep = true) => {
    const started = performance.now();
    const { positions } = await autoLayout(aslToGraph(history.present.definition, {}));
    setHistory((h) => (asStep ? record : replacePresent)(h, { ...h.present, layout: { ...h.present.layout, positions } }));
    setReady(true);
    requestAnimationFrame(() => requestAnimationFrame(() => {
      graphRef.current?.fitView();
      document.body.dataset.layoutMs = String(Math.round(performance.now() - started));
      document.body.dataset.laidOutAt = String(Math.round(performance.now()));
    }));
  }, [history.present.definition]);

  // first open without positions: lay it out (not an undo step)
  useEffect(() => {
    if (first.current) {
      first.current = false;
      if (!ready) runLayout(false);
    }
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const addTemplate = useCallback(({ templateId, scopeId = "", position = null, edge = null }) => {
    const template = templateById(templateId);
    if (!template) return;
    setHistory((h) => {
      const { definition: d, layout: l } = h.present;
      const name = uniqueName(d, template.name);
      let next;
      let positions = { ...(l.positions ?? {}) };
      if (edge) {
        next = insertOnEdge(d, edge, name, template.make());
        const src = positions[edge.source];
        const dst = positions[edge.target];
        if (src && dst) positions[join(scopeId, "States", name)] = { x: Math.round((src.x + dst.x) / 2 + 30), y: Math.round((src.y + dst.y) / 2) };
      } else {
        next = addState(d, scopeId, name, template.make());
        if (position) positions[join(scopeId, "States", name)] = position;
      }
      setSelected([join(scopeId, "States", name)]);
      return record(h, { definition: next, layout: { ...l, positions } });
    });
  }, []);

  const rename = useCallback((id, newName) => {
    const newId = join(parseId(id).scopeId, "States", newName);
    edit((d) => renameState(d, id, newName), null, (l) => rekey(l, id, newId));
    setSelected([newId]);
  }, [edit]);

  const moveToScope = useCallback((id, scopeId, position) => {
    const newId = join(scopeId, "States", parseId(id).name);
    edit((d) => moveState(d, id, scopeId), null, (l) => {
      const moved = rekey(l, id, newId);
      return { ...moved, positions: { ...moved.positions, [newId]: position } };
    });
    setSelected([newId]);
  }, [edit]);

  const onConnect = useCallback((source, handle, target) => edit((d) => connect(d, source, handle, target)), [edit]);

  const deleteSelection = useCallback(() => {
    if (!selected.length) return;
    const edges = graph.edges.filter((e) => selected.includes(e.id)).sort((a, b) => (b.index ?? 0) - (a.index ?? 0));
    const states = selected.filter((id) => graph.nodes.some((n) => n.id === id && n.kind === "state"));
    edit((d) => {
      let out = d;
      for (const e of edges) out = disconnect(out, e);
      return removeStates(out, states);
    });
    setSelected([]);
  }, [selected, graph, edit]);

  const copySelection = useCallback(() => {
    const ids = selected.filter((id) => stateAt(definition, id) !== undefined);
    if (!ids.length) return false;
    clipboard = ids.map((id) => ({ name: parseId(id).name, state: stateAt(definition, id), position: layout.positions?.[id] }));
    try {
      navigator.clipboard?.writeText(JSON.stringify(Object.fromEntries(clipboard.map((c) => [c.name, c.state])), null, 2)).catch(() => {});
    } catch {
      // the system clipboard is a bonus
    }
    return true;
  }, [selected, definition, layout]);

  const paste = useCallback(() => {
    if (!clipboard?.length) return;
    const target = selected.find((id) => stateAt(definition, id) !== undefined);
    const scopeId = target ? parseId(target).scopeId : "";
    const copied = clipboard;
    setHistory((h) => {
      const { definition: d, names } = pasteStates(h.present.definition, scopeId, copied);
      const positions = { ...(h.present.layout.positions ?? {}) };
      copied.forEach((c, i) => {
        if (c.position) positions[join(scopeId, "States", names[i])] = { x: c.position.x + 40, y: c.position.y + 40 };
      });
      setSelected(names.map((n) => join(scopeId, "States", n)));
      return record(h, { definition: d, layout: { ...h.present.layout, positions } });
    });
  }, [selected, definition]);

  const doUndo = useCallback(() => setHistory(undo), []);
  const doRedo = useCallback(() => setHistory(redo), []);

  // --- code view -----------------------------------------------------------
  const onCodeText = useCallback((value) => {
    let parsed;
    try {
      parsed = JSON.parse(value);
    } catch (e) {
      setCodeError(e.message);
      return;
    }
    if (!isObject(parsed)) {
      setCodeError("A state machine is a JSON object.");
      return;
    }
    setCodeError(null);
    edit(parsed, "code");
  }, [edit]);

  // --- validation (server-side, debounced) ---------------------------------
  const validateSeq = useRef(0);
  useEffect(() => {
    const seq = ++validateSeq.current;
    setChecking(true);
    const t = setTimeout(async () => {
      const r = await call(urls.validate, { body: { definition: text } });
      if (seq !== validateSeq.current) return;
      setChecking(false);
      if (r.ok) setProblems(r.data.problems ?? []);
    }, 350);
    return () => clearTimeout(t);
  }, [text, urls.validate]);
  useEffect(() => {
    document.body.dataset.validation = checking ? "checking" : problems.length ? "invalid" : "valid";
  }, [checking, problems]);

  // --- saving ------------------------------------------------------------
  const savedRef = useRef({ text, layout: JSON.stringify(layout) });
  const dirty = savedRef.current.text !== text || savedRef.current.layout !== JSON.stringify(layout);
  useEffect(() => {
    if (!dirty) return undefined;
    setStatus({ kind: "dirty", text: "Unsaved changes" });
    const t = setTimeout(async () => {
      setStatus({ kind: "saving", text: "Saving draft…" });
      const r = await call(urls.draft, { body: { definition: text, layout } });
      if (r.ok) {
        savedRef.current = { text, layout: JSON.stringify(layout) };
        setStatus({ kind: "saved", text: `Draft saved ${new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}` });
      } else setStatus({ kind: "error", text: "Draft not saved" });
    }, 1200);
    return () => clearTimeout(t);
  }, [text, layout, dirty, urls.draft]);
  useEffect(() => {
    document.body.dataset.saveState = status.kind;
    if (status.kind !== "dirty" && status.kind !== "saving") return undefined;
    // leaving inside the autosave's second: ask first
    const warn = (e) => {
      if (leaving) return;
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [status]);

  const save = useCallback(async () => {
    setStatus({ kind: "saving", text: "Saving…" });
    const r = await call(urls.save, { body: { definition: text, layout } });
    if (r.ok) {
      savedRef.current = { text, layout: JSON.stringify(layout) };
      if (r.data.saved === "definition") {
        setStatus({ kind: "saved", text: "Saved" });
        say("Saved");
      } else {
        setStatus({ kind: "saved", text: "Saved as draft" });
        say(`Saved as a draft: fix ${r.data.problems.length} problem(s) to save the machine itself`, "warning");
      }
    } else {
      setStatus({ kind: "error", text: "Not saved" });
      say(r.data?.error ?? "Could not save", "error");
    }
  }, [text, layout, urls.save, say]);

  const publish = useCallback(async () => {
    const description = "";
    const r = await call(urls.publish, { body: { definition: text, layout, description } });
    if (r.ok) {
      savedRef.current = { text, layout: JSON.stringify(layout) };
      setStatus({ kind: "saved", text: `Version ${r.data.version.number} published` });
      say(`Published version ${r.data.version.number}`);
    } else if (r.data?.problems) {
      setProblemsCollapsed(false);
      say(`Not published: fix ${r.data.problems.length} problem(s) first`, "error");
    } else say(r.data?.error ?? "Could not publish", "error");
  }, [text, layout, urls.publish, say]);

  const importDefinition = useCallback(async (imported) => {
    const { positions } = await autoLayout(aslToGraph(imported, {}));
    setHistory((h) => record(h, { definition: imported, layout: { ...h.present.layout, positions } }));
    setSelected([]);
    setDialog(null);
    say("Imported");
    requestAnimationFrame(() => requestAnimationFrame(() => graphRef.current?.fitView()));
  }, [say]);

  const restoreVersion = useCallback(async (number) => {
    const r = await call(`${urls.versions}${number}/`, { method: "GET" });
    if (!r.ok) return;
    const d = JSON.parse(r.data.definition);
    setHistory((h) => record(h, { definition: d, layout: isObject(r.data.layout) && r.data.layout.positions ? r.data.layout : h.present.layout }));
    setDialog(null);
    say(`Version ${number} opened in the editor`);
  }, [urls.versions, say]);

  const download = useCallback((href, filename) => {
    const a = document.createElement("a");
    a.href = href;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
  }, []);

  const exportAs = useCallback(async (format) => {
    if (format === "json") {
      const url = URL.createObjectURL(new Blob([text + "\n"], { type: "application/json" }));
      download(url, `${config.machine.name}.asl.json`);
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      return;
    }
    const dataUrl = await graphRef.current.exportImage(format);
    download(dataUrl, `${config.machine.name}.${format}`);
  }, [text, config.machine.name, download]);

  // --- keyboard --------------------------------------------------------------
  useEffect(() => {
    const onKey = (e) => {
      if (dialog) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === "s") {
        e.preventDefault();
        save();
        return;
      }
      if (typing(e.target)) return;
      if (mod && key === "z" && !e.shiftKey) { e.preventDefault(); doUndo(); }
      else if (mod && (key === "y" || (key === "z" && e.shiftKey))) { e.preventDefault(); doRedo(); }
      else if (mod && key === "c") copySelection();
      else if (mod && key === "x") { if (copySelection()) deleteSelection(); }
      else if (mod && key === "v") { e.preventDefault(); paste(); }
      else if (mod && key === "d") { e.preventDefault(); if (copySelection()) paste(); }
      else if (mod && key === "a") { e.preventDefault(); setSelected(graph.nodes.filter((n) => n.kind === "state").map((n) => n.id)); }
      else if (!mod && (e.key === "Delete" || e.key === "Backspace")) { e.preventDefault(); deleteSelection(); }
      else if (!mod && key === "l" && !e.altKey) runLayout(true);
      else if (!mod && key === "f") graphRef.current?.fitView();
      else if (!mod && e.key === "Escape") setSelected([]);
      else if (!mod && e.key === "?") setDialog("keys");
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [dialog, save, doUndo, doRedo, copySelection, deleteSelection, paste, runLayout, graph]);

  const codeToggled = useRef(false);
  useEffect(() => {
    store("sl-code-open", codeOpen ? "1" : "0");
    if (!codeToggled.current) {
      codeToggled.current = true; // not on the first render: only when the canvas changes width
      return undefined;
    }
    const t = setTimeout(() => graphRef.current?.fitView(), 60);
    return () => clearTimeout(t);
  }, [codeOpen]);

  const selectedState = selected.length === 1 && stateAt(definition, selected[0]) !== undefined ? selected[0] : null;
  const nodeOf = useCallback((p) => {
    for (const [id, list] of byNode.byNode) if (list.some((q) => q.path === p.path && q.message === p.message)) return id;
    return null;
  }, [byNode]);
  const machineProblems = useMemo(() => byNode.machine.map((p) => ({ ...p, field: p.path })), [byNode]);

  return (
    <div className="sl-designer">
      <div className="sl-toolbar" role="toolbar" aria-label="Designer">
        <div className="sl-toolbar-title">
          <a href={urls.home} className="sl-crumb">Machines</a><span className="sl-crumb-sep">/</span>
          <strong className="sl-machine-name">{config.machine.name}</strong>
          <span className={`sl-save-state is-${status.kind}`} data-save-state={status.kind}>{status.text}</span>
        </div>
        <div className="sl-toolbar-group">
          <button type="button" className="sl-button" onClick={doUndo} disabled={!history.past.length} title="Undo (Ctrl+Z)">Undo</button>
          <button type="button" className="sl-button" onClick={doRedo} disabled={!history.future.length} title="Redo (Ctrl+Shift+Z)">Redo</button>
          <button type="button" className="sl-button" onClick={() => runLayout(true)} title="Auto-layout (L)">Auto-layout</button>
          <button type="button" className="sl-button" onClick={() => graphRef.current?.fitView()} title="Fit (F)">Fit</button>
          <button type="button" className={`sl-button${codeOpen ? " is-on" : ""}`} aria-pressed={codeOpen} onClick={() => setCodeOpen((v) => !v)}>Code</button>
        </div>
        <div className="sl-toolbar-group">
          <button type="button" className="sl-button" onClick={() => setDialog("import")}>Import</button>
          <details className="sl-menu">
            <summary className="sl-button">Export</summary>
            <div className="sl-menu-items">
              <button type="button" onClick={(e) => { e.currentTarget.closest("details").open = false; exportAs("json"); }}>ASL JSON</button>
              <button type="button" onClick={(e) => { e.currentTarget.closest("details").open = false; exportAs("svg"); }}>Graph as SVG</button>
              <button type="button" onClick={(e) => { e.currentTarget.closest("details").open = false; exportAs("png"); }}>Graph as PNG</button>
            </div>
          </details>
          <button type="button" className="sl-button" onClick={() => setDialog("versions")}>Versions</button>
          <button type="button" className="sl-button" onClick={save} title="Save (Ctrl+S)">Save</button>
          <button type="button" className="sl-button" onClick={publish} disabled={problems.some((p) => p.severity !== "WARNING")} title="Publish a new version">Publish</button>
          <button type="button" className="sl-button is-primary" onClick={() => setDialog("run")}>Run</button>
        </div>
      </div>
      <div className={`sl-workspace${codeOpen ? " with-code" : ""}`}>
        <Palette onAdd={(templateId) => addTemplate({ templateId, scopeId: "" })} />
        <div className="sl-canvas" aria-label="Canvas">
          {ready ? <StateGraph ref={graphRef} definition={definition} layout={layout} problems={problems} mode="edit"
            selected={selected} onSelect={setSelected} onMove={moveNodes} onMoveToScope={moveToScope} onConnect={onConnect} onDrop={addTemplate}
            onNodeDoubleClick={(_e, node) => setSelected([node.id])} /> : <div className="sl-canvas-empty">Laying out…</div>}
          {graph.nodes.length === 0 ? <div className="sl-canvas-empty">Drag a state from the palette to start.</div> : null}
        </div>
        {codeOpen ? <CodeView text={text} onText={onCodeText} error={codeError} /> : null}
        <Inspector definition={definition} selectedId={selectedState} problems={selectedState ? byNode.byNode.get(selectedState) : []}
          machineProblems={machineProblems} onEdit={edit} onRename={rename} />
      </div>
      <Problems problems={problems} nodeOf={nodeOf} definition={definition} onSelect={setSelected} onEdit={edit} pending={checking}
        collapsed={problemsCollapsed} onToggle={() => setProblemsCollapsed((v) => !v)} />
      {toast ? <div className={`sl-toast is-${toast.kind}`} role="status">{toast.message}</div> : null}
      {dialog === "run" ? <RunDialog urls={urls} text={text} onClose={() => setDialog(null)} /> : null}
      {dialog === "versions" ? <VersionsDialog urls={urls} text={text} onClose={() => setDialog(null)} onRestore={restoreVersion} /> : null}
      {dialog === "import" ? <ImportDialog urls={urls} onClose={() => setDialog(null)} onImport={importDefinition} /> : null}
      {dialog === "keys" ? <KeysDialog onClose={() => setDialog(null)} /> : null}
    </div>
  );
}

function KeysDialog({ onClose }) {
  const keys = [
    ["Ctrl/⌘ Z", "Undo"], ["Ctrl/⌘ Shift Z, Ctrl Y", "Redo"], ["Ctrl/⌘ C / X / V", "Copy / cut / paste states"],
    ["Ctrl/⌘ D", "Duplicate"], ["Delete, Backspace", "Delete states or edges"], ["Ctrl/⌘ A", "Select all"],
    ["Ctrl/⌘ S", "Save"], ["L", "Auto-layout"], ["F", "Fit to screen"], ["Esc", "Clear selection"],
  ];
  return (
    <div className="sl-modal-backdrop" onMouseDown={onClose}>
      <div className="sl-modal" role="dialog" aria-label="Keyboard shortcuts">
        <header className="sl-modal-head"><h2>Keyboard shortcuts</h2></header>
        <div className="sl-modal-body"><table className="sl-keys"><tbody>{keys.map(([k, v]) => <tr key={k}><td><kbd>{k}</kbd></td><td>{v}</td></tr>)}</tbody></table></div>
      </div>
    </div>
  );
}

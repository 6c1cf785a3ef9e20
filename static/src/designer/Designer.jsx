// The designer page: palette | canvas (+ code view) | inspector, problems below.
// The definition (with the layout beside it) is the document (document.js,
// opened by main.jsx); the graph is drawn from it. Each concern is a hook of
// its own: editing, auto-layout, validation, saving, the code view, the keyboard.
import { useCallback, useMemo, useRef, useState } from "react";

import { stateAt } from "../asl/edit.js";
import { aslToGraph, isObject } from "../asl/graph.js";
import { autoLayout } from "../graph/layout.js";
import { problemsByNode } from "../graph/problems.js";
import { StateGraph } from "../graph/StateGraph.jsx";
import { call } from "./api.js";
import { CodeView } from "./CodeView.jsx";
import { ImportDialog, RunDialog, VersionsDialog } from "./Dialogs.jsx";
import { replaceWith } from "./document.js";
import { exportMachine } from "./exporting.js";
import { Inspector } from "./Inspector.jsx";
import { KeysDialog } from "./KeysDialog.jsx";
import { Palette } from "./Palette.jsx";
import { Problems } from "./Problems.jsx";
import { Toolbar } from "./Toolbar.jsx";
import { useAutoLayout } from "./useAutoLayout.js";
import { useCodeView } from "./useCodeView.js";
import { useDocument } from "./useDocument.js";
import { useEditing } from "./useEditing.js";
import { useSaving } from "./useSaving.js";
import { useShortcuts } from "./useShortcuts.js";
import { useToast } from "./useToast.js";
import { useValidation } from "./useValidation.js";

const afterPaint = (fn) => requestAnimationFrame(() => requestAnimationFrame(fn));

// the keyboard (useShortcuts: the first row that matches runs)
const shortcuts = ({ save, doc, editing, selectAll, runLayout, fit, setSelected, setDialog }) => [
  { keys: ["s"], mod: true, whileTyping: true, prevent: true, run: save },
  { keys: ["z"], mod: true, shift: false, prevent: true, run: doc.undo },
  { keys: ["y", "z"], mod: true, prevent: true, run: doc.redo },
  { keys: ["c"], mod: true, run: editing.copySelection },
  { keys: ["x"], mod: true, run: editing.cutSelection },
  { keys: ["v"], mod: true, prevent: true, run: editing.paste },
  { keys: ["d"], mod: true, prevent: true, run: editing.duplicateSelection },
  { keys: ["a"], mod: true, prevent: true, run: selectAll },
  { keys: ["delete", "backspace"], prevent: true, run: editing.deleteSelection },
  { keys: ["l"], alt: false, run: runLayout },
  { keys: ["f"], run: fit },
  { keys: ["escape"], run: () => setSelected([]) },
  { keys: ["?"], run: () => setDialog("keys") },
];

export function Designer({ config, opened }) {
  const urls = config.urls;
  const graphRef = useRef(null);
  // the tests wait for body[data-fitted-at] to change after whatever fits the graph to the canvas
  const fit = useCallback(async () => {
    await graphRef.current?.fitView();
    document.body.dataset.fittedAt = String(Math.round(performance.now()));
  }, []);
  const doc = useDocument(opened);
  const { definition, layout, graph, text, change } = doc;
  const [selected, setSelected] = useState([]);
  const [dialog, setDialog] = useState(null);
  const [samples, setSamples] = useState(config.sampleInputs ?? []);
  const [problemsCollapsed, setProblemsCollapsed] = useState(false);
  const { toast, say } = useToast();
  const editing = useEditing(doc, selected, setSelected);
  const runLayout = useAutoLayout(doc, fit);
  const { problems, checking } = useValidation(text, urls.validate);
  const showProblems = useCallback(() => setProblemsCollapsed(false), []);
  const { status, save, publish } = useSaving(doc, { urls, restored: Boolean(config.draft), say, showProblems });
  const code = useCodeView(editing.editText, fit);
  const byNode = useMemo(() => problemsByNode(graph, problems), [graph, problems]);

  // a whole new definition (imported, or a published version opened): one undo step
  const importDefinition = useCallback(async (imported) => {
    const { positions } = await autoLayout(aslToGraph(imported, {}));
    change((d) => replaceWith(d, { definition: imported, positions }));
    setSelected([]);
    setDialog(null);
    say("Imported");
    afterPaint(fit);
  }, [change, say, fit]);

  const restoreVersion = useCallback(async (number) => {
    const r = await call(`${urls.versions}${number}/`, { method: "GET" });
    if (!r.ok) return;
    const positions = isObject(r.data.layout) ? r.data.layout.positions : null;
    change((d) => replaceWith(d, { definition: JSON.parse(r.data.definition), text: r.data.definition, positions }));
    setDialog(null);
    say(`Version ${number} opened in the editor`);
  }, [urls.versions, change, say]);

  const exportAs = useCallback((format) => exportMachine(format, { name: config.machine.name, text, graph: graphRef.current }),
    [config.machine.name, text]);

  const selectAll = () => setSelected(graph.nodes.filter((n) => n.kind === "state").map((n) => n.id));
  useShortcuts(shortcuts({ save, doc, editing, selectAll, runLayout, fit, setSelected, setDialog }), !dialog);

  const selectedState = selected.length === 1 && stateAt(definition, selected[0]) !== undefined ? selected[0] : null;
  const nodeOf = useCallback((p) => {
    for (const [id, list] of byNode.byNode) if (list.some((q) => q.path === p.path && q.message === p.message)) return id;
    return null;
  }, [byNode]);
  const machineProblems = useMemo(() => byNode.machine.map((p) => ({ ...p, field: p.path })), [byNode]);
  const closeDialog = useCallback(() => setDialog(null), []);

  return (
    <div className="sl-designer">
      <Toolbar name={config.machine.name} homeUrl={urls.home} status={status} doc={doc} codeOpen={code.open}
        canPublish={!problems.some((p) => p.severity !== "WARNING")}
        on={{ layout: runLayout, fit, toggleCode: code.toggle, dialog: setDialog, export: exportAs, save, publish }} />
      <div className={`sl-workspace${code.open ? " with-code" : ""}`}>
        <Palette onAdd={(templateId) => editing.addTemplate({ templateId, scopeId: "" })} />
        <div className="sl-canvas" aria-label="Canvas">
          <StateGraph ref={graphRef} definition={definition} layout={layout} problems={problems} mode="edit"
            selected={selected} onSelect={setSelected} onMove={editing.moveNodes} onMoveToScope={editing.moveToScope}
            onConnect={editing.connectStates} onDrop={editing.addTemplate}
            onNodeDoubleClick={(_e, node) => setSelected([node.id])} />
          {graph.nodes.length === 0 ? <div className="sl-canvas-empty">Drag a state from the palette to start.</div> : null}
        </div>
        {code.open ? <CodeView text={text} onText={code.onText} error={code.error} /> : null}
        <Inspector definition={definition} selectedId={selectedState} problems={selectedState ? byNode.byNode.get(selectedState) : []}
          machineProblems={machineProblems} onEdit={editing.editDefinition} onRename={editing.rename} />
      </div>
      <Problems problems={problems} nodeOf={nodeOf} definition={definition} onSelect={setSelected} onEdit={editing.editDefinition}
        pending={checking} collapsed={problemsCollapsed} onToggle={() => setProblemsCollapsed((v) => !v)} />
      {toast ? <div className={`sl-toast is-${toast.kind}`} role="status">{toast.message}</div> : null}
      {dialog === "run" ? <RunDialog urls={urls} text={text} samples={samples} onSamples={setSamples} onClose={closeDialog} /> : null}
      {dialog === "versions" ? <VersionsDialog urls={urls} text={text} onClose={closeDialog} onRestore={restoreVersion} /> : null}
      {dialog === "import" ? <ImportDialog urls={urls} onClose={closeDialog} onImport={importDefinition} /> : null}
      {dialog === "keys" ? <KeysDialog onClose={closeDialog} /> : null}
    </div>
  );
}

// The designer's toolbar: where the machine is, its save state, and every action.

function ExportMenu({ onExport }) {
  const pick = (format) => (e) => {
    e.currentTarget.closest("details").open = false;
    onExport(format);
  };
  return (
    <details className="sl-menu">
      <summary className="sl-button">Export</summary>
      <div className="sl-menu-items">
        <button type="button" onClick={pick("json")}>ASL JSON</button>
        <button type="button" onClick={pick("svg")}>Graph as SVG</button>
        <button type="button" onClick={pick("png")}>Graph as PNG</button>
      </div>
    </details>
  );
}

export function Toolbar({ name, homeUrl, status, doc, codeOpen, canPublish, on }) {
  return (
    <div className="sl-toolbar" role="toolbar" aria-label="Designer">
      <div className="sl-toolbar-title">
        <a href={homeUrl} className="sl-crumb">Machines</a><span className="sl-crumb-sep">/</span>
        <strong className="sl-machine-name">{name}</strong>
        <span className={`sl-save-state is-${status.kind}`} data-save-state={status.kind}>{status.text}</span>
      </div>
      <div className="sl-toolbar-group">
        <button type="button" className="sl-button" onClick={doc.undo} disabled={!doc.canUndo} title="Undo (Ctrl+Z)">Undo</button>
        <button type="button" className="sl-button" onClick={doc.redo} disabled={!doc.canRedo} title="Redo (Ctrl+Shift+Z)">Redo</button>
        <button type="button" className="sl-button" onClick={on.layout} title="Auto-layout (L)">Auto-layout</button>
        <button type="button" className="sl-button" onClick={on.fit} title="Fit (F)">Fit</button>
        <button type="button" className={`sl-button${codeOpen ? " is-on" : ""}`} aria-pressed={codeOpen} onClick={on.toggleCode}>Code</button>
      </div>
      <div className="sl-toolbar-group">
        <button type="button" className="sl-button" onClick={() => on.dialog("import")}>Import</button>
        <ExportMenu onExport={on.export} />
        <button type="button" className="sl-button" onClick={() => on.dialog("versions")}>Versions</button>
        <button type="button" className="sl-button" onClick={on.save} title="Save (Ctrl+S)">Save</button>
        <button type="button" className="sl-button" onClick={on.publish} disabled={!canPublish} title="Publish a new version">Publish</button>
        <button type="button" className="sl-button is-primary" onClick={() => on.dialog("run")}>Run</button>
      </div>
    </div>
  );
}

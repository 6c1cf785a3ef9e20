// The viewer's header: where the execution is, its status, and what can be
// done to it (stop, after a confirmation; redrive; fit the graph).
import { useState } from "react";

import { call } from "../http.js";

const REDRIVABLE = new Set(["FAILED", "ABORTED", "TIMED_OUT"]);

export function ViewerToolbar({ config, execution, status, onExecution, onFit }) {
  const [notice, setNotice] = useState(null);
  const [confirmStop, setConfirmStop] = useState(false);
  const act = async (url, what) => {
    setNotice(null);
    const r = await call(url, { body: {} });
    if (r.ok) {
      onExecution(r.data.execution);
      setNotice({ kind: "ok", text: what });
    } else setNotice({ kind: "error", text: r.data?.error ?? "It did not work." });
    setConfirmStop(false);
  };
  const running = status === "RUNNING";
  return (
    <header className="vw-toolbar">
      <div className="vw-title">
        <a className="sl-crumb" href={config.machine.designer}>{config.machine.name}</a>
        <span className="sl-crumb-sep">/</span>
        <a className="sl-crumb" href={config.machine.executions}>Runs</a>
        <span className="sl-crumb-sep">/</span>
        <h1 className="vw-name">{execution.name}</h1>
        <span className="pill status-pill" data-status={status} aria-label="Execution status">{status}</span>
        <span className="vw-live" title="Updates stream over a websocket; it reconnects by itself" />
      </div>
      <div className="vw-actions">
        {notice ? <span className={`vw-notice is-${notice.kind}`} role="status">{notice.text}</span> : null}
        {running && !confirmStop ? <button type="button" className="sl-button" onClick={() => setConfirmStop(true)}>Stop execution</button> : null}
        {running && confirmStop ? (
          <>
            <span className="vw-confirm">Stop it? Running tasks are abandoned.</span>
            <button type="button" className="sl-button is-danger" onClick={() => act(config.urls.stop, "Stopped.")}>Stop now</button>
            <button type="button" className="sl-button" onClick={() => setConfirmStop(false)}>Cancel</button>
          </>
        ) : null}
        {REDRIVABLE.has(status) && execution.type === "STANDARD"
          ? <button type="button" className="sl-button is-primary" onClick={() => act(config.urls.redrive, "Redriven: it runs again from the states that did not succeed.")}>Redrive</button>
          : null}
        <button type="button" className="sl-button" onClick={onFit}>Fit</button>
      </div>
    </header>
  );
}

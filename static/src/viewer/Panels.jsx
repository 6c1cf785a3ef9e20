// The viewer's side panel: the execution (no state selected) or one state's
// runs (input, output, error/cause, retries with what a Python handler logged
// in each attempt, timing; Map iterations), and the
// answers a person can give: approve/reject, or a callback/activity task's
// success or failure.
import { useEffect, useRef, useState } from "react";

import { decideOnCards } from "../approvals/card.js";
import { call } from "../http.js";
import { clock, dateTime, duration, pretty, STATUS_LABELS, WAITING_LABELS } from "./format.js";
import { readableCause } from "./runs.js";

export function JsonBlock({ label, value }) {
  if (value === undefined) return null;
  return (
    <div className="vw-block">
      <h4>{label}</h4>
      <pre className="vw-json" aria-label={label}>{pretty(value)}</pre>
    </div>
  );
}

export function CauseBlock({ error, cause }) {
  if (!error && !cause) return null;
  const readable = cause ? readableCause(cause) : null;
  return (
    <div className="vw-block vw-error" aria-label="Error">
      <h4>Error</h4>
      {error ? <p className="vw-error-name">{error}</p> : null}
      {readable ? (
        <>
          <p className="vw-error-message">{readable.title}</p>
          {readable.trace.length ? <pre className="vw-trace" aria-label="Stack trace">{readable.trace.join("\n")}</pre> : null}
        </>
      ) : cause ? <pre className="vw-cause" aria-label="Cause">{pretty(cause)}</pre> : null}
    </div>
  );
}

function StatusChip({ status, waitingFor }) {
  return (
    <span className="vw-chip" data-status={status}>
      {STATUS_LABELS[status] ?? status}{waitingFor ? ` · for ${WAITING_LABELS[waitingFor] ?? waitingFor}` : ""}
    </span>
  );
}

// --- answering ---------------------------------------------------------------------

// The approval card the inbox shows too: the server renders it (templates/approvals/card.html) and
// approvals/card.js decides on it. React never redraws it while it is the same card, so a
// half-written comment survives the events coming in.
export function ApprovalCard({ approval, onDone }) {
  const ref = useRef(null);
  useEffect(() => decideOnCards(ref.current, () => onDone()), [onDone]);
  return <div className="vw-approval" ref={ref} dangerouslySetInnerHTML={{ __html: approval.html }} />;
}

export function TaskAnswer({ task, onDone }) {
  const [output, setOutput] = useState("{}");
  const [errorName, setErrorName] = useState("");
  const [cause, setCause] = useState("");
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const send = async (body) => {
    setBusy(true);
    setProblem(null);
    const r = await call(task.answerUrl, { body });
    setBusy(false);
    if (r.ok) onDone();
    else setProblem(r.data?.error ?? "Could not answer the task.");
  };
  const success = () => {
    try {
      JSON.parse(output);
    } catch (e) {
      setProblem(`The output is not valid JSON: ${e.message}`);
      return;
    }
    send({ outcome: "success", output });
  };
  const what = task.kind === "activity" ? "an activity worker" : "a callback";
  return (
    <section className="vw-answer" aria-label={`Answer ${task.state}`} data-task={task.id}>
      <h3>Waiting for {what}</h3>
      <p className="sl-field-hint">
        Answer it here as {task.kind === "activity" ? "the worker" : "the callback"} would (SendTaskSuccess / SendTaskFailure).
        {task.worker ? ` Taken by ${task.worker}.` : ""}
      </p>
      <JsonBlock label="Task input" value={task.input} />
      <div className="sl-field">
        <label className="sl-field-label" htmlFor={`vw-output-${task.id}`}>Output (JSON)</label>
        <textarea id={`vw-output-${task.id}`} className="sl-input sl-json" rows={3} value={output} onChange={(e) => setOutput(e.target.value)} spellCheck={false} />
      </div>
      <div className="vw-buttons"><button type="button" className="sl-button is-primary" disabled={busy} onClick={success}>Send success</button></div>
      <div className="sl-grid2">
        <div className="sl-field">
          <label className="sl-field-label" htmlFor={`vw-error-${task.id}`}>Error</label>
          <input id={`vw-error-${task.id}`} className="sl-input" value={errorName} onChange={(e) => setErrorName(e.target.value)} placeholder="e.g. Rejected" />
        </div>
        <div className="sl-field">
          <label className="sl-field-label" htmlFor={`vw-cause-${task.id}`}>Cause</label>
          <input id={`vw-cause-${task.id}`} className="sl-input" value={cause} onChange={(e) => setCause(e.target.value)} />
        </div>
      </div>
      <div className="vw-buttons"><button type="button" className="sl-button is-danger" disabled={busy} onClick={() => send({ outcome: "failure", error: errorName, cause })}>Send failure</button></div>
      {problem ? <p className="sl-field-problem" role="alert">{problem}</p> : null}
    </section>
  );
}

function Pending({ tasks, onDone }) {
  return tasks.map((task) => (task.kind === "approval"
    ? <ApprovalCard key={task.id} approval={task.approval} onDone={onDone} />
    : <TaskAnswer key={task.id} task={task} onDone={onDone} />));
}

// --- the execution --------------------------------------------------------------------

export function ExecutionPanel({ runs, execution, tasks: pending, onAnswered, now }) {
  const tasks = runs.status === "RUNNING" ? pending : []; // a list fetched before the end is stale
  const started = runs.startEvent;
  const end = runs.status === "RUNNING" ? null : runs.endEvent;
  const endDetails = end ? Object.values(end).find((v) => v && typeof v === "object") ?? {} : {};
  const startedAt = runs.startedAt ?? execution.startDate;
  const stoppedAt = runs.status === "RUNNING" ? null : runs.stoppedAt;
  return (
    <div className="vw-panel-body">
      <h2 className="vw-panel-title">Execution</h2>
      <dl className="vw-facts">
        <dt>Status</dt><dd><span className="vw-exec-status" data-execution-status={runs.status}>{runs.status}</span></dd>
        <dt>Started</dt><dd>{dateTime(startedAt)}</dd>
        {stoppedAt ? <><dt>Ended</dt><dd>{dateTime(stoppedAt)}</dd></> : null}
        <dt>Duration</dt><dd>{duration((stoppedAt ?? now) - startedAt)}</dd>
        {execution.redriveCount ? <><dt>Redrives</dt><dd>{execution.redriveCount}</dd></> : null}
        {execution.mockTestCase ? <><dt>Mock test case</dt><dd>{execution.mockTestCase}</dd></> : null}
      </dl>
      {tasks.length ? <h3 className="vw-section-head">Waiting for an answer</h3> : null}
      {tasks.map((task) => (
        <div key={task.id} className="vw-pending">
          <p className="vw-pending-state">{task.state}</p>
          <Pending tasks={[task]} onDone={onAnswered} />
        </div>
      ))}
      <JsonBlock label="Input" value={started ? parseMaybe(started.executionStartedEventDetails?.input) : undefined} />
      {end?.type === "ExecutionSucceeded" ? <JsonBlock label="Output" value={parseMaybe(endDetails.output)} /> : null}
      {end && end.type !== "ExecutionSucceeded" ? <CauseBlock error={endDetails.error} cause={endDetails.cause} /> : null}
      <p className="sl-field-hint">Click a state to see its input, output, errors and timing.</p>
    </div>
  );
}

function parseMaybe(text) {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// --- one state ------------------------------------------------------------------------

function IterationPicker({ runs, map, pick, onPick }) {
  const { counts, order } = runs.progress(map);
  const total = Math.max(counts.total ?? 0, 1);
  const done = counts.succeeded;
  const failed = counts.failed + counts.aborted;
  return (
    <div className="vw-iterations">
      <div className="vw-progress" role="img" aria-label={`Iterations: ${done} done, ${counts.running} running, ${failed} failed of ${counts.total ?? "?"}`}>
        <span className="vw-progress-done" style={{ width: `${(100 * done) / total}%` }} />
        <span className="vw-progress-running" style={{ width: `${(100 * counts.running) / total}%` }} />
        <span className="vw-progress-failed" style={{ width: `${(100 * failed) / total}%` }} />
      </div>
      <p className="vw-progress-text" data-testid="map-progress">
        {done} done · {counts.running} running · {failed} failed · of {counts.total ?? "?"}
      </p>
      <label className="sl-field-label" htmlFor="vw-iteration">Iteration of {map.name}</label>
      <select id="vw-iteration" className="sl-input" value={pick ?? ""} onChange={(e) => onPick(e.target.value === "" ? null : Number(e.target.value))}>
        <option value="">All iterations</option>
        {order.map((it) => <option key={it.index} value={it.index}>#{it.index} · {it.status}</option>)}
      </select>
    </div>
  );
}

// What the handler logged in each attempt of one run: kept with the attempt, not in the history,
// fetched by (run, attempt) once the attempt has ended (they do not change after that).
function useAttemptLogs(runsUrl, entry) {
  const [logs, setLogs] = useState({}); // "run/attempt" -> {lines, dropped}
  const ended = entry ? entry.attempts.filter((a) => a.endedAt !== null).length : 0;
  const entryId = entry?.id ?? null;
  useEffect(() => {
    if (!runsUrl || entryId === null) return undefined;
    let current = true;
    entry.attempts.forEach((attempt, i) => {
      const key = `${entryId}/${i}`;
      if (attempt.endedAt === null || key in logs) return;
      call(`${runsUrl}${entryId}/attempts/${i}/logs`, { method: "GET" }).then((r) => {
        if (current && r.ok) setLogs((known) => ({ ...known, [key]: r.data }));
      });
    });
    return () => { current = false; };
  }, [runsUrl, entryId, ended]); // eslint-disable-line react-hooks/exhaustive-deps
  return entry ? entry.attempts.map((_, i) => logs[`${entryId}/${i}`]) : [];
}

const LOG_OPEN_UP_TO = 8; // lines; a longer log starts collapsed

function LogLines({ logs, attempt }) {
  if (!logs || (!logs.lines.length && !logs.dropped)) return null;
  const count = logs.lines.length;
  return (
    <details className="vw-log" open={count <= LOG_OPEN_UP_TO}>
      <summary>Log · {count} line{count === 1 ? "" : "s"}{logs.dropped ? ` (truncated: ${logs.dropped} earlier not kept)` : ""}</summary>
      <div className="vw-log-lines" role="log" aria-label={`Log of attempt ${attempt}`}>
        {logs.dropped ? <div className="vw-log-line vw-log-dropped">… {logs.dropped} earlier line{logs.dropped === 1 ? "" : "s"} not kept (truncated)</div> : null}
        {logs.lines.map((line, i) => (
          <div key={i} className="vw-log-line" data-level={line.level}>
            <span className="vw-log-time">{clock(line.time)}</span>
            <span className="vw-log-level">{line.level}</span>
            <span className="vw-log-message" title={line.logger || undefined}>{line.message}</span>
          </div>
        ))}
      </div>
    </details>
  );
}

function Attempts({ entry, logs }) {
  if (entry.attempts.length < 1) return null;
  return (
    <div className="vw-block">
      <h4>Attempts</h4>
      <table className="vw-attempts">
        <thead><tr><th>#</th><th>Outcome</th><th>Took</th><th>Error</th></tr></thead>
        <tbody>
          {entry.attempts.map((a, i) => [
            <tr key={i} data-outcome={a.outcome ?? "pending"}>
              <td>{i + 1}</td>
              <td>{a.outcome ?? "pending"}</td>
              <td>{a.endedAt ? duration(a.endedAt - a.scheduledAt) : ""}</td>
              <td>{a.error ?? ""}</td>
            </tr>,
            logs[i]?.lines.length || logs[i]?.dropped ? (
              <tr key={`log-${i}`} className="vw-log-row"><td colSpan={4}><LogLines logs={logs[i]} attempt={i + 1} /></td></tr>
            ) : null,
          ])}
        </tbody>
      </table>
    </div>
  );
}

export function StatePanel({ runs, name, node, status, picks, onPick, tasks, onAnswered, onClose, now, runsUrl }) {
  const map = runs.mapOf(name);
  const pick = map ? picks[map.name] : undefined;
  const ownIteration = map && map.name !== name ? pick : undefined;
  const entries = runs.ofState(name, ownIteration ?? null);
  const [chosen, setChosen] = useState(null);
  useEffect(() => setChosen(null), [name, ownIteration]);
  const entry = entries.find((e) => e.id === chosen) ?? entries[entries.length - 1];
  const mine = runs.status === "RUNNING" ? tasks.filter((t) => t.state === name) : [];
  const last = entry?.attempts[entry.attempts.length - 1];
  const logs = useAttemptLogs(runsUrl, entry);
  return (
    <div className="vw-panel-body" data-panel-state={name}>
      <div className="vw-panel-head">
        <h2 className="vw-panel-title">{name}</h2>
        <button type="button" className="sl-icon-button" aria-label="Close" onClick={onClose}>×</button>
      </div>
      <p className="vw-panel-sub">{node?.type ?? entry?.type ?? ""} <StatusChip status={status?.status ?? "not-started"} waitingFor={status?.waitingFor} /></p>
      {map ? <IterationPicker runs={runs} map={map} pick={pick} onPick={(index) => onPick(map.name, index)} /> : null}
      {entries.length > 1 ? (
        <div className="sl-field">
          <label className="sl-field-label" htmlFor="vw-run">Run</label>
          <select id="vw-run" className="sl-input" value={entry?.id ?? ""} onChange={(e) => setChosen(Number(e.target.value))}>
            {entries.map((e, i) => (
              <option key={e.id} value={e.id}>
                {e.iteration ? `iteration #${e.iteration.index}` : `run ${i + 1}`} · {e.status} · {clock(e.enteredAt)}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <Pending tasks={mine} onDone={onAnswered} />
      {entry ? (
        <>
          <dl className="vw-facts">
            <dt>Entered</dt><dd>{dateTime(entry.enteredAt)}</dd>
            {entry.endedAt ? <><dt>{entry.exitedAt ? "Exited" : "Ended"}</dt><dd>{dateTime(entry.endedAt)}</dd></> : null}
            <dt>Duration</dt><dd>{duration((entry.endedAt ?? (runs.status === "RUNNING" ? now : runs.stoppedAt)) - entry.enteredAt)}</dd>
            {entry.attempts.length ? <><dt>Retries</dt><dd data-testid="retries">{Math.max(0, entry.attempts.length - 1)}</dd></> : null}
            {entry.iteration ? <><dt>Iteration</dt><dd>#{entry.iteration.index}</dd></> : null}
          </dl>
          <CauseBlock error={entry.error} cause={entry.cause} />
          <Attempts entry={entry} logs={logs} />
          {last?.outcome === "succeeded" ? <JsonBlock label="Task result" value={last.result} /> : null}
          <JsonBlock label="Output" value={entry.output} />
          <JsonBlock label="Input" value={entry.input} />
          {last ? <JsonBlock label="Task parameters" value={last.parameters} /> : null}
          {entry.attempts.filter((a) => a.cause && a !== entry.attempts[entry.attempts.length - 1]).length ? (
            <details className="vw-block">
              <summary>Errors of earlier attempts</summary>
              {entry.attempts.slice(0, -1).filter((a) => a.error || a.cause).map((a, i) => <CauseBlock key={i} error={a.error} cause={a.cause} />)}
            </details>
          ) : null}
        </>
      ) : <p className="sl-empty-note">This state has not run{ownIteration !== undefined && ownIteration !== null ? ` in iteration #${ownIteration}` : ""}.</p>}
    </div>
  );
}

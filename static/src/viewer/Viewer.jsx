// The live execution viewer: the machine's graph coloured by status (data,
// applied last; CSS decides the look), a side panel for the execution or
// the selected state, and the events table / timeline below. Everything is
// derived from the history events the websocket streams (history.js).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { flushSync } from "react-dom";

import { aslToGraph } from "../asl/graph.js";
import { call } from "../designer/api.js";
import { StateGraph } from "../graph/StateGraph.jsx";
import { autoLayout } from "../graph/layout.js";
import { STATUS_LABELS } from "./format.js";
import { StateRuns, STATUSES, resourcesOf } from "./history.js";
import { ExecutionPanel, StatePanel } from "./Panels.jsx";
import { EventStream } from "./socket.js";
import { EventsTable, Timeline } from "./Tables.jsx";


const LIST_EVERY_MS = 250;

function parseDefinition(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { States: {} };
  }
}

function Legend() {
  return (
    <ul className="vw-legend" aria-label="Legend">
      {STATUSES.map((s) => <li key={s}><span className="vw-swatch" data-status={s} />{STATUS_LABELS[s]}</li>)}
    </ul>
  );
}

function useNow(running) {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}

export function Viewer({ config }) {
  const definition = useMemo(() => parseDefinition(config.definition), [config.definition]);
  const hasPositions = Object.keys(config.layout?.positions ?? {}).length > 0;
  const [layout, setLayout] = useState(hasPositions ? config.layout : null);
  const graph = useMemo(() => aslToGraph(definition, layout ?? {}), [definition, layout]);
  const runsRef = useRef(null);
  if (runsRef.current === null) runsRef.current = new StateRuns(resourcesOf(definition));
  const runs = runsRef.current;
  const [version, setVersion] = useState(0);
  const [picks, setPicks] = useState({});
  const [selected, setSelected] = useState(null);
  const [tasks, setTasks] = useState([]);
  const [tab, setTab] = useState("events");
  const [execution, setExecution] = useState(config.execution);
  const [notice, setNotice] = useState(null);
  const [confirmStop, setConfirmStop] = useState(false);
  const graphRef = useRef(null);
  const status = version === 0 ? config.execution.status : runs.status;
  const now = useNow(status === "RUNNING");

  useEffect(() => {
    if (layout) return;
    autoLayout(aslToGraph(definition, {})).then(setLayout);
  }, [definition, layout]);

  // pending tasks: fetched again when the events or the server say they may have changed
  const fetchTimer = useRef(null);
  const fetchTasks = useCallback(() => {
    if (fetchTimer.current) return;
    fetchTimer.current = setTimeout(async () => {
      fetchTimer.current = null;
      const r = await call(config.urls.tasks, { method: "GET" });
      if (r.ok) setTasks(r.data.tasks);
    }, 60);
  }, [config.urls.tasks]);

  // Events are read as they come; the page is drawn once per frame with all of them (a busy
  // execution sends hundreds a second), synchronously in the frame's callback so the new
  // colours are painted in that very frame. A hidden tab has no frames: a timer then.
  // The events table and the timeline follow a few times a second: repainting a table that
  // moves by a row on every frame would cost more than the whole graph.
  const drawScheduled = useRef(false);
  const listScheduled = useRef(null);
  const [listVersion, setListVersion] = useState(0);
  const listDrawnAt = useRef(0);
  const scheduleDraw = useCallback(() => {
    if (listScheduled.current === null) {
      // at once after a quiet while (a page just opened), else at most every LIST_EVERY_MS
      const wait = Math.max(0, listDrawnAt.current + LIST_EVERY_MS - performance.now());
      listScheduled.current = setTimeout(() => {
        listScheduled.current = null;
        listDrawnAt.current = performance.now();
        setListVersion((v) => v + 1);
      }, wait);
    }
    if (drawScheduled.current) return;
    drawScheduled.current = true;
    const draw = () => {
      drawScheduled.current = false;
      flushSync(() => setVersion((v) => v + 1));
    };
    if (document.visibilityState === "hidden") setTimeout(draw, 100);
    else requestAnimationFrame(draw);
  }, []);

  useEffect(() => {
    const stream = new EventStream(config.urls.ws, {
      onEvents(events) {
        runs.addAll(events);
        scheduleDraw();
        // the pending tasks (tokens, activities, approvals) change only with events of their states
        if (events.some((e) => runs.touchesOutside(e))) fetchTasks();
      },
      onMessage(data) {
        if (data.type === "tasks") fetchTasks();
      },
    });
    fetchTasks();
    window.statelightViewer = { stream, runs }; // for the browser tests and bench/viewer.py
    return () => stream.socket.close();
  }, [config.urls.ws, fetchTasks, runs, scheduleDraw]);

  const statuses = useMemo(() => runs.statuses(picks), [runs, version, picks]);
  const byName = useMemo(() => new Map(graph.nodes.filter((n) => n.kind !== "lane").map((n) => [n.name, n])), [graph]);
  const selectedIds = useMemo(() => (selected && byName.get(selected) ? [byName.get(selected).id] : []), [selected, byName]);
  const onSelect = useCallback((ids) => {
    const node = graph.nodes.find((n) => n.id === ids[ids.length - 1] && n.kind !== "lane");
    setSelected(node ? node.name : null);
  }, [graph]);
  const onPick = useCallback((mapName, index) => setPicks((p) => ({ ...p, [mapName]: index })), []);
  const pickState = useCallback((name, iteration) => {
    setSelected(name);
    if (iteration) {
      const map = runs.entries.get(iteration.map);
      if (map) setPicks((p) => ({ ...p, [map.name]: iteration.index }));
    }
  }, [runs]);

  const act = async (url, what) => {
    setNotice(null);
    const r = await call(url, { body: {} });
    if (r.ok) {
      setExecution((e) => ({ ...e, ...r.data.execution }));
      setNotice({ kind: "ok", text: what });
    } else setNotice({ kind: "error", text: r.data?.error ?? "It did not work." });
    setConfirmStop(false);
  };
  const answered = useCallback(() => fetchTasks(), [fetchTasks]);
  const redrivable = ["FAILED", "ABORTED", "TIMED_OUT"].includes(status) && execution.type === "STANDARD";

  return (
    <div className="vw" data-execution-status={status}>
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
          {status === "RUNNING" && !confirmStop ? <button type="button" className="sl-button" onClick={() => setConfirmStop(true)}>Stop execution</button> : null}
          {status === "RUNNING" && confirmStop ? (
            <>
              <span className="vw-confirm">Stop it? Running tasks are abandoned.</span>
              <button type="button" className="sl-button is-danger" onClick={() => act(config.urls.stop, "Stopped.")}>Stop now</button>
              <button type="button" className="sl-button" onClick={() => setConfirmStop(false)}>Cancel</button>
            </>
          ) : null}
          {redrivable ? <button type="button" className="sl-button is-primary" onClick={() => act(config.urls.redrive, "Redriven: it runs again from the states that did not succeed.")}>Redrive</button> : null}
          <button type="button" className="sl-button" onClick={() => graphRef.current?.fitView()}>Fit</button>
        </div>
      </header>
      <div className="vw-main">
        <div className="vw-canvas">
          <div className="vw-graph">
            {layout ? (
              <StateGraph ref={graphRef} definition={definition} layout={layout} statuses={statuses} mode="view" readable
                selected={selectedIds} onSelect={onSelect} minimap={graph.nodes.length > 12} />
            ) : <p className="app-loading">Laying out the graph…</p>}
          </div>
          <Legend />
        </div>
        <aside className="vw-side" aria-label={selected ? `State ${selected}` : "Execution"}>
          {selected ? (
            <StatePanel runs={runs} version={version} name={selected} node={byName.get(selected)} status={statuses[selected]}
              picks={picks} onPick={onPick} tasks={tasks} onAnswered={answered} onClose={() => setSelected(null)} now={now}
              stateUrl={config.urls.state} />
          ) : <ExecutionPanel runs={runs} version={version} execution={execution} tasks={tasks} onAnswered={answered} now={now} />}
        </aside>
      </div>
      <section className="vw-bottom">
        <div className="vw-tabs" role="tablist">
          <button type="button" role="tab" aria-selected={tab === "events"} className={tab === "events" ? "is-active" : ""} onClick={() => setTab("events")}>Events <span className="vw-count">{runs.events.length}</span></button>
          <button type="button" role="tab" aria-selected={tab === "timeline"} className={tab === "timeline" ? "is-active" : ""} onClick={() => setTab("timeline")}>Timeline</button>
        </div>
        {tab === "events"
          ? <EventsTable runs={runs} version={listVersion} onPickState={pickState} />
          : <Timeline runs={runs} version={listVersion} now={now} onPickState={pickState} />}
      </section>
    </div>
  );
}

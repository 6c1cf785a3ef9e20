// The live execution viewer: the machine's graph coloured by status (data,
// applied last; CSS decides the look), a side panel for the execution or
// the selected state, and the events table / timeline below. Everything is
// derived from the history events the websocket streams (useLiveRuns, runs.js).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { aslToGraph } from "../asl/graph.js";
import { StateGraph } from "../graph/StateGraph.jsx";
import { autoLayout } from "../graph/layout.js";
import { STATUS_LABELS } from "./format.js";
import { STATUSES } from "./runs.js";
import { ExecutionPanel, StatePanel } from "./Panels.jsx";
import { EventsTable, Timeline } from "./Tables.jsx";
import { useLiveRuns } from "./useLiveRuns.js";
import { usePendingTasks } from "./usePendingTasks.js";
import { ViewerToolbar } from "./ViewerToolbar.jsx";

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

// the stored positions, else an auto-layout (ELK loads for it)
function useLayout(definition, stored) {
  const [layout, setLayout] = useState(Object.keys(stored?.positions ?? {}).length ? stored : null);
  useEffect(() => {
    if (!layout) autoLayout(aslToGraph(definition, {})).then(setLayout);
  }, [definition, layout]);
  return layout;
}

function Bottom({ runs, listVersion, now, onPickState }) {
  const [tab, setTab] = useState("events");
  return (
    <section className="vw-bottom">
      <div className="vw-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === "events"} className={tab === "events" ? "is-active" : ""} onClick={() => setTab("events")}>Events <span className="vw-count">{runs.events.length}</span></button>
        <button type="button" role="tab" aria-selected={tab === "timeline"} className={tab === "timeline" ? "is-active" : ""} onClick={() => setTab("timeline")}>Timeline</button>
      </div>
      {tab === "events"
        ? <EventsTable runs={runs} version={listVersion} onPickState={onPickState} />
        : <Timeline runs={runs} version={listVersion} now={now} onPickState={onPickState} />}
    </section>
  );
}

export function Viewer({ config }) {
  const definition = useMemo(() => parseDefinition(config.definition), [config.definition]);
  const layout = useLayout(definition, config.layout);
  const graph = useMemo(() => aslToGraph(definition, layout ?? {}), [definition, layout]);
  const [tasks, refreshTasks] = usePendingTasks(config.urls.tasks);
  const { runs, version, listVersion } = useLiveRuns(config.urls.ws, definition, refreshTasks);
  const [picks, setPicks] = useState({});
  const [selected, setSelected] = useState(null);
  const [execution, setExecution] = useState(config.execution);
  const graphRef = useRef(null);
  const status = version === 0 ? config.execution.status : runs.status;
  const now = useNow(status === "RUNNING");

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

  const onExecution = useCallback((changed) => setExecution((e) => ({ ...e, ...changed })), []);
  const fit = useCallback(() => graphRef.current?.fitView(), []);

  return (
    <div className="vw" data-execution-status={status}>
      <ViewerToolbar config={config} execution={execution} status={status} onExecution={onExecution} onFit={fit} />
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
              picks={picks} onPick={onPick} tasks={tasks} onAnswered={refreshTasks} onClose={() => setSelected(null)} now={now}
              runsUrl={config.urls.runs} />
          ) : <ExecutionPanel runs={runs} version={version} execution={execution} tasks={tasks} onAnswered={refreshTasks} now={now} />}
        </aside>
      </div>
      <Bottom runs={runs} listVersion={listVersion} now={now} onPickState={pickState} />
    </div>
  );
}

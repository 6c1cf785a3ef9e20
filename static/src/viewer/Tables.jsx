// The bottom of the viewer: the history as a table that grows live
// (filterable by type), and a timeline (gantt) of state runs and Map iterations.
import { memo, useMemo, useState } from "react";

import { clock, duration } from "./format.js";

const MAX_ROWS = 300;

// one row per event: events never change, so a row renders once
const EventRow = memo(function EventRow({ event, state, iteration, start, onPickState }) {
  return (
    <tr data-event-id={event.id} data-event-type={event.type}>
      <td className="vw-num">{event.id}</td>
      <td className={/(Failed|TimedOut|Aborted)$/.test(event.type) ? "vw-bad" : ""}>{event.type}</td>
      <td>{state ? <button type="button" className="link-button" onClick={() => onPickState(state)}>{state}{iteration !== undefined && iteration !== null ? ` #${iteration}` : ""}</button> : ""}</td>
      <td className="vw-num">{clock(event.timestamp)}</td>
      <td className="vw-num">+{duration(event.timestamp - start)}</td>
    </tr>
  );
});

export const EventsTable = memo(function EventsTable({ runs, version, onPickState }) {
  const [type, setType] = useState("");
  const [text, setText] = useState("");
  const types = useMemo(() => [...runs.typeCounts.keys()].sort(), [runs, version]);
  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const out = [];
    for (let i = runs.events.length - 1; i >= 0 && out.length < MAX_ROWS; i--) {
      const event = runs.events[i];
      if (type && event.type !== type) continue;
      const entry = runs.entries.get(runs.byEvent.get(event.id));
      const state = entry ? entry.name : "";
      if (needle && !`${event.id} ${event.type} ${state}`.toLowerCase().includes(needle)) continue;
      out.push({ event, state, iteration: entry?.iteration?.index });
    }
    return out.reverse();
  }, [runs, version, type, text]);
  const matching = useMemo(() => (type || text ? null : runs.events.length), [runs, version, type, text]);
  const start = runs.startedAt ?? runs.events[0]?.timestamp ?? 0;
  return (
    <div className="vw-events">
      <div className="vw-filter">
        <label htmlFor="vw-type">Type</label>
        <select id="vw-type" className="sl-input" value={type} onChange={(e) => setType(e.target.value)} aria-label="Filter by type">
          <option value="">All types</option>
          {types.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
        <input className="sl-input" type="search" placeholder="Filter by id, type or state" value={text} onChange={(e) => setText(e.target.value)} aria-label="Filter events" />
        <span className="vw-count">{rows.length}{matching !== null && matching > rows.length ? ` of ${matching}` : ""} events</span>
      </div>
      {/* column-reverse: the newest row stays in view by itself while you are at the bottom,
          without measuring the table on every new event */}
      <div className="vw-table-scroll">
        <div className="vw-table-room" />
        <table className="vw-table" aria-label="Events">
          <thead><tr><th>ID</th><th>Type</th><th>State</th><th>Time</th><th>Elapsed</th></tr></thead>
          <tbody>
            {rows.map(({ event, state, iteration }) => (
              <EventRow key={event.id} event={event} state={state} iteration={iteration} start={start} onPickState={onPickState} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
});

export const Timeline = memo(function Timeline({ runs, version, now, onPickState }) {
  const start = runs.startedAt ?? runs.events[0]?.timestamp ?? now;
  const end = Math.max(runs.status === "RUNNING" ? now : runs.stoppedAt ?? now, start + 0.001);
  const span = end - start;
  const rows = useMemo(() => {
    const all = [...runs.entries.values()];
    return all.slice(-MAX_ROWS).map((entry) => ({ entry, depth: runs.depth(entry) }));
  }, [runs, version]);
  return (
    <div className="vw-timeline" aria-label="Timeline">
      <div className="vw-timeline-axis">
        <span>0</span><span>{duration(span / 2)}</span><span>{duration(span)}</span>
      </div>
      <div className="vw-timeline-rows">
        {rows.map(({ entry, depth }) => {
          const from = (entry.enteredAt - start) / span;
          const to = ((entry.endedAt ?? end) - start) / span;
          const label = `${entry.name}${entry.iteration ? ` #${entry.iteration.index}` : ""}`;
          return (
            <div className="vw-timeline-row" key={entry.id} data-entry={entry.id}>
              <button type="button" className="vw-timeline-label link-button" style={{ paddingLeft: `${depth * 12}px` }} onClick={() => onPickState(entry.name, entry.iteration)}>{label}</button>
              <div className="vw-timeline-track">
                <span className="vw-bar" data-status={entry.status}
                  title={`${label}: ${entry.status}, ${duration((entry.endedAt ?? end) - entry.enteredAt)}`}
                  style={{ left: `${from * 100}%`, width: `max(2px, ${Math.max(0, to - from) * 100}%)` }} />
                {entry.attempts.length > 1 ? entry.attempts.map((a, i) => (
                  <span key={i} className="vw-attempt" data-outcome={a.outcome ?? "pending"}
                    title={`attempt ${i + 1}: ${a.outcome ?? "pending"}${a.error ? ` (${a.error})` : ""}`}
                    style={{ left: `${((a.scheduledAt - start) / span) * 100}%`, width: `max(2px, ${(((a.endedAt ?? end) - a.scheduledAt) / span) * 100}%)` }} />
                )) : null}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
});

// The runs of each state, read from an execution's history events as the socket sends them:
// {event: AWS's event, run: its state run (the id of the run's *StateEntered)}, and on that
// *StateEntered the run's frame path, [[container's run, branch or iteration index], ...].
// Where an event belongs is what the engine said (engine/history.py), never guessed from
// previousEventId. The state-detail endpoint reads a state's runs by the same rules
// (designer/viewer/runs.py).
//
// Status of a run (node colouring: the graph shows it as data-status): running, retrying,
// waiting (+ waitingFor: timer, callback, activity, approval), succeeded, caught, failed,
// aborted; "not-started" is a state with no run.

const TASK_PREFIXES = ["Task", "LambdaFunction", "Activity"];
const SCHEDULED = new Set(["TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"]);
export const AGGREGATE_ORDER = ["failed", "waiting", "retrying", "running", "caught", "aborted", "succeeded"];
export const STATUSES = ["not-started", "running", "retrying", "waiting", "succeeded", "caught", "failed", "aborted"];
const EXECUTION_ENDS = {
  ExecutionSucceeded: "SUCCEEDED", ExecutionFailed: "FAILED", ExecutionAborted: "ABORTED", ExecutionTimedOut: "TIMED_OUT",
};
// a container's events that end the runs inside it (a Map iteration's, when they name an index)
const CLOSING = new Set(["MapIterationFailed", "MapIterationAborted", "MapStateFailed", "ParallelStateFailed", "MapRunFailed"]);

export function detailsOf(event) {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith("EventDetails") && value && typeof value === "object") return value;
  }
  return {};
}

export function parseJson(text) {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class Entry {
  constructor(id, name, type, enteredAt, input, path, iteration) {
    this.id = id;
    this.name = name;
    this.type = type;
    this.path = path; // [[container run, branch or iteration index], ...]
    this.parent = path.length ? path[path.length - 1][0] : null; // the enclosing Map/Parallel run, or null
    this.iteration = iteration; // {map, index} of the nearest enclosing Map iteration, or null
    this.enteredAt = enteredAt;
    this.exitedAt = null;
    this.endedAt = null;
    this.input = input;
    this.output = undefined;
    this.attempts = [];
    this.failed = false;
    this.error = null;
    this.cause = null;
    this.final = null;
    this.scheduled = null;
    this.length = null; // Map: items
    this.iterations = new Map(); // Map: index -> {status, startedAt, endedAt}
  }

  get open() {
    return this.exitedAt === null && this.final === null;
  }

  get status() {
    if (this.exitedAt !== null) return this.failed ? "caught" : "succeeded";
    if (this.final !== null) return this.final;
    if (this.type === "Fail") return "failed";
    if (this.failed) return "retrying";
    if (this.type === "Wait" || this.scheduled !== null) return "waiting";
    return "running";
  }

  get waitingFor() {
    if (this.status !== "waiting") return null;
    return this.type === "Wait" ? "timer" : this.scheduled;
  }

  close(at, final) {
    if (!this.open) return;
    this.final = final ?? (this.failed || this.type === "Fail" ? "failed" : "aborted");
    this.endedAt = at;
    this.scheduled = null;
  }
}

// {state name: Resource} for every Task of a definition, nested ones included: the history's
// TaskScheduled names the resource without its .waitForTaskToken suffix, the definition has it.
export function resourcesOf(definition) {
  const out = {};
  const walk = (scope) => {
    for (const [name, state] of Object.entries(scope?.States ?? {})) {
      if (!state || typeof state !== "object") continue;
      if (typeof state.Resource === "string") out[name] = state.Resource;
      for (const branch of Array.isArray(state.Branches) ? state.Branches : []) walk(branch);
      walk(state.ItemProcessor ?? state.Iterator);
    }
  };
  walk(definition);
  return out;
}

export const APPROVAL_ARN = "arn:aws:states:::statelight:approval";

function waitsFor(resource) {
  if (!resource) return null;
  if (resource.startsWith(APPROVAL_ARN)) return "approval";
  if (resource.endsWith(".waitForTaskToken")) return "callback";
  return null;
}

export class StateRuns {
  // resources: {state name: Resource} (resourcesOf(definition)), to tell what a Task waits for
  constructor(resources = {}) {
    this.resources = resources;
    this.entries = new Map(); // run id -> Entry (in entry order)
    this.byEvent = new Map(); // event id -> run id | null
    this.events = []; // every event (AWS's), in id order
    this.status = "RUNNING";
    this.startedAt = null;
    this.stoppedAt = null;
    this.lastId = 0;
    this.typeCounts = new Map(); // event type -> how many (the events table's filter)
    this.startEvent = null;
    this.endEvent = null; // the latest ExecutionSucceeded/Failed/Aborted/TimedOut
  }

  // Does this event change what waits for an answer from outside (a token, an activity, a person)?
  touchesOutside({ event, run }) {
    if (event.type.startsWith("Activity") || event.type.startsWith("Execution")) return true;
    const entry = this.entries.get(run);
    return Boolean(entry && (entry.scheduled !== null || waitsFor(this.resources[entry.name])));
  }

  addAll(envelopes) {
    for (const envelope of envelopes) this.add(envelope);
    return this;
  }

  add({ event, run, path }) {
    const { id, type, timestamp: at } = event;
    if (id <= this.lastId) return;
    this.lastId = id;
    this.events.push(event);
    this.typeCounts.set(type, (this.typeCounts.get(type) ?? 0) + 1);
    this.byEvent.set(id, run ?? null);
    const details = detailsOf(event);
    if (type === "ExecutionStarted") {
      this.startedAt = at;
      this.startEvent = event;
    } else if (type === "ExecutionRedriven") {
      this.status = "RUNNING";
      this.stoppedAt = null;
    } else if (type in EXECUTION_ENDS) {
      this.status = EXECUTION_ENDS[type];
      this.stoppedAt = at;
      this.endEvent = event;
      for (const entry of this.entries.values()) entry.close(at, type === "ExecutionAborted" ? "aborted" : null);
    } else if (run === id) {
      const entry = new Entry(id, details.name ?? "", type.slice(0, -"StateEntered".length), at, parseJson(details.input),
        path ?? [], this.iterationOf(path ?? []));
      this.entries.set(id, entry);
    } else if (this.entries.has(run)) {
      this.apply(this.entries.get(run), type, at, details);
    }
  }

  // the nearest Map iteration a frame path is in
  iterationOf(path) {
    for (let i = path.length - 1; i >= 0; i--) {
      const [container, index] = path[i];
      if (this.entries.get(container)?.type === "Map") return { map: container, index };
    }
    return null;
  }

  apply(entry, type, at, details) {
    if (type.endsWith("StateExited")) {
      entry.exitedAt = entry.endedAt = at;
      entry.output = parseJson(details.output);
      entry.scheduled = null;
    } else if (type.endsWith("StateAborted")) {
      entry.close(at, "aborted");
    } else if (type.startsWith("MapIteration")) {
      this.iterationEvent(entry, type.slice("MapIteration".length).toLowerCase(), details.index, at);
    } else if (type === "MapStateStarted") {
      entry.length = details.length ?? null;
    } else if (CLOSING.has(type) || type === "EvaluationFailed") {
      entry.failed = true;
      if (details.error !== undefined) entry.error = details.error;
      if (details.cause !== undefined) entry.cause = details.cause;
      if (type !== "EvaluationFailed") this.closeInside(entry.id, null, at, null);
    } else if (TASK_PREFIXES.some((p) => type.startsWith(p))) {
      this.taskEvent(entry, type, at, details);
    }
  }

  iterationEvent(entry, outcome, index, at) {
    // started again by a redrive: running anew
    if (outcome === "started" || !entry.iterations.has(index)) entry.iterations.set(index, { status: "running", startedAt: at, endedAt: null });
    if (outcome !== "started") Object.assign(entry.iterations.get(index), { status: outcome, endedAt: at });
    if (outcome === "failed" || outcome === "aborted") this.closeInside(entry.id, index, at, outcome === "aborted" ? "aborted" : null);
  }

  taskEvent(entry, type, at, details) {
    const attempt = entry.attempts[entry.attempts.length - 1];
    if (SCHEDULED.has(type)) {
      let resource = details.resource ?? "";
      if (type === "TaskScheduled") resource = `${details.resourceType ?? ""}:${resource}`;
      entry.attempts.push({
        scheduledAt: at, endedAt: null, outcome: null, error: null, cause: null, resource,
        parameters: parseJson(details.parameters ?? details.input),
      });
      entry.failed = false;
      // the history's resource is "resourceType:resource": an ARN without its arn:aws:states::: prefix
      entry.scheduled = type === "ActivityScheduled" ? "activity"
        : waitsFor(this.resources[entry.name]) ?? waitsFor(`arn:aws:states:::${resource}`);
    } else if (type === "ActivityStarted") {
      entry.scheduled = null; // a worker has it
    } else if (type.endsWith("Succeeded")) {
      // `scheduled` stays until the state exits (the same commit): no flicker to running in between
      entry.error = entry.cause = null;
      if (attempt) Object.assign(attempt, { endedAt: at, outcome: "succeeded", result: parseJson(details.output) });
    } else if (type.endsWith("Failed") || type.endsWith("TimedOut")) {
      entry.scheduled = null;
      entry.failed = true;
      entry.error = details.error ?? null;
      entry.cause = details.cause ?? null;
      if (attempt) {
        Object.assign(attempt, {
          endedAt: at, outcome: type.endsWith("TimedOut") ? "timed out" : "failed", error: entry.error, cause: entry.cause,
        });
      }
    }
  }

  // end the open runs inside a container (inside its iteration `index` when not null)
  closeInside(container, index, at, final) {
    for (const entry of this.entries.values()) {
      if (entry.path.some(([c, i]) => c === container && (index === null || i === index))) entry.close(at, final);
    }
  }

  // -- reading
  ofState(name, index = null) {
    const out = [];
    for (const e of this.entries.values()) {
      if (e.name !== name) continue;
      if (index !== null && !(e.iteration && e.iteration.index === index)) continue;
      out.push(e);
    }
    return out;
  }

  latest(name) {
    let found = null;
    for (const e of this.entries.values()) if (e.name === name) found = e;
    return found;
  }

  // the Map entry whose iterations a run of `name` belongs to (the latest run), or null
  mapOf(name) {
    const latest = this.latest(name);
    if (!latest) return null;
    if (latest.type === "Map") return latest;
    return latest.iteration ? this.entries.get(latest.iteration.map) : null;
  }

  // {state name: {status, waitingFor?}}; picks: {Map state name: iteration index}
  statuses(picks = {}) {
    const byName = new Map();
    for (const e of this.entries.values()) {
      if (!byName.has(e.name)) byName.set(e.name, []);
      byName.get(e.name).push(e);
    }
    const out = {};
    for (const [name, entries] of byName) {
      const latest = entries[entries.length - 1];
      let chosen = [latest];
      if (latest.iteration) {
        const mapId = latest.iteration.map;
        const sameMap = entries.filter((e) => e.iteration && e.iteration.map === mapId);
        const pick = picks[this.entries.get(mapId).name];
        chosen = pick === undefined || pick === null ? sameMap : sameMap.filter((e) => e.iteration.index === pick).slice(-1);
      }
      if (!chosen.length) continue;
      let best = chosen[0];
      for (const e of chosen) if (AGGREGATE_ORDER.indexOf(e.status) < AGGREGATE_ORDER.indexOf(best.status)) best = e;
      const item = { status: best.status };
      if (best.waitingFor) item.waitingFor = best.waitingFor;
      out[name] = item;
    }
    return out;
  }

  // iterations of a Map entry: counts for the progress bar, and the picker's order (failed first)
  progress(mapEntry) {
    const counts = { total: mapEntry.length ?? mapEntry.iterations.size, succeeded: 0, running: 0, failed: 0, aborted: 0 };
    for (const it of mapEntry.iterations.values()) counts[it.status] = (counts[it.status] ?? 0) + 1;
    const rank = { failed: 0, aborted: 1, running: 2, succeeded: 3 };
    const order = [...mapEntry.iterations.entries()]
      .map(([index, it]) => ({ index, ...it }))
      .sort((a, b) => (rank[a.status] ?? 9) - (rank[b.status] ?? 9) || a.index - b.index);
    return { counts, order };
  }

  depth(entry) {
    return entry.path.length;
  }
}

// A Python handler's Lambda-style cause ({"errorMessage", "errorType", "stackTrace"}), readable:
// {title, trace: [lines]} or null when the cause is something else.
export function readableCause(cause) {
  const data = parseJson(cause);
  if (!data || typeof data !== "object" || Array.isArray(data)) return null;
  if (!("errorMessage" in data) && !("stackTrace" in data)) return null;
  let trace = data.stackTrace ?? [];
  if (!Array.isArray(trace)) trace = [String(trace)];
  const lines = trace.flatMap((frame) => (Array.isArray(frame) ? [frame.join(" ")] : String(frame).replace(/\n$/, "").split("\n")));
  return {
    title: `${data.errorType ?? "Error"}: ${data.errorMessage ?? ""}`,
    trace: lines,
    requestId: data.requestId ?? null,
  };
}

// The runs of each state, read from an execution's history events (AWS
// GetExecutionHistory shape), in the browser, live. Same rules as
// designer/state_runs.py (read its docstring for how an event finds its state).
//
// Status of a run: running, retrying, waiting (+ waitingFor: timer, callback,
// activity, approval), succeeded, caught, failed, aborted.

const CONTAINERS = new Set(["Map", "Parallel"]);
const TASK_PREFIXES = ["Task", "LambdaFunction", "Activity"];
export const AGGREGATE_ORDER = ["failed", "waiting", "retrying", "running", "caught", "aborted", "succeeded"];
export const STATUSES = ["not-started", "running", "retrying", "waiting", "succeeded", "caught", "failed", "aborted"];
const EXECUTION_ENDS = {
  ExecutionSucceeded: "SUCCEEDED", ExecutionFailed: "FAILED", ExecutionAborted: "ABORTED", ExecutionTimedOut: "TIMED_OUT",
};

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
  constructor(id, name, type, enteredAt, input, parent, iteration) {
    this.id = id;
    this.name = name;
    this.type = type;
    this.parent = parent; // the enclosing Map/Parallel entry id, or null
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
    this.events = [];
    this.length = null; // Map: items
    this.iterations = new Map(); // Map: index -> {status, startedAt, endedAt}
    this.iterationStarts = new Map(); // MapIterationStarted event id -> index
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
    this.entries = new Map(); // entry id -> Entry (in entry order)
    this.byEvent = new Map(); // event id -> entry id | null
    this.types = new Map(); // event id -> type
    this.events = []; // every event, in id order
    this.status = "RUNNING";
    this.startedAt = null;
    this.stoppedAt = null;
    this.lastId = 0;
    this.typeCounts = new Map(); // event type -> how many (the events table's filter)
    this.startEvent = null;
    this.endEvent = null; // the latest ExecutionSucceeded/Failed/Aborted/TimedOut
  }

  // Does this event change what waits for an answer from outside (a token, an activity, a person)?
  touchesOutside(event) {
    if (event.type.startsWith("Activity") || event.type.startsWith("Execution")) return true;
    const entry = this.entries.get(this.byEvent.get(event.id));
    return Boolean(entry && (entry.scheduled !== null || waitsFor(this.resources[entry.name])));
  }

  addAll(events) {
    for (const event of events) this.add(event);
    return this;
  }

  add(event) {
    const { id, type, timestamp: at } = event;
    const prev = event.previousEventId ?? 0;
    if (id <= this.lastId) return;
    this.lastId = id;
    this.types.set(id, type);
    this.events.push(event);
    this.typeCounts.set(type, (this.typeCounts.get(type) ?? 0) + 1);
    const details = detailsOf(event);
    let owner = null;
    if (type === "ExecutionStarted") {
      this.startedAt = at;
      this.startEvent = event;
    }
    else if (type === "ExecutionRedriven") {
      this.status = "RUNNING";
      this.stoppedAt = null;
    } else if (type in EXECUTION_ENDS) {
      this.status = EXECUTION_ENDS[type];
      this.stoppedAt = at;
      this.endEvent = event;
      for (const entry of this.entries.values()) this.close(entry, at, type === "ExecutionAborted" ? "aborted" : null);
    } else if (type.endsWith("StateEntered")) {
      owner = this.enter(id, type.slice(0, -"StateEntered".length), prev, at, details);
    } else {
      owner = this.ownerOf(type, prev, details);
      if (owner !== null) this.apply(this.entries.get(owner), id, type, at, details);
    }
    this.byEvent.set(id, owner);
    if (owner !== null) this.entries.get(owner).events.push(id);
  }

  enter(id, stateType, prev, at, details) {
    let parent = null;
    let iteration = null;
    const before = this.byEvent.get(prev) ?? null;
    const prevType = this.types.get(prev) ?? "";
    if (before !== null) {
      const other = this.entries.get(before);
      if (prevType === "MapIterationStarted") {
        parent = before;
        iteration = { map: before, index: other.iterationStarts.get(prev) };
      } else if (prevType === "ParallelStateStarted" || (CONTAINERS.has(other.type) && other.open && prevType === "MapStateStarted")) {
        parent = before;
        iteration = other.iteration;
      } else {
        parent = other.parent;
        iteration = other.iteration;
      }
    }
    const entry = new Entry(id, details.name ?? "", stateType, at, parseJson(details.input), parent, iteration);
    this.entries.set(id, entry);
    return id;
  }

  walkUp(start, match) {
    let id = start;
    while (id !== null && id !== undefined) {
      const entry = this.entries.get(id);
      if (entry.open && match(entry)) return id;
      id = entry.parent;
    }
    return null;
  }

  ownerOf(type, prev, details) {
    const start = this.byEvent.get(prev) ?? null;
    if (type.startsWith("MapIteration") || type.startsWith("MapState") || type.startsWith("MapRun")) {
      const name = details.name;
      return this.walkUp(start, (e) => e.type === "Map" && (name === undefined || e.name === name));
    }
    if (type.startsWith("ParallelState")) return this.walkUp(start, (e) => e.type === "Parallel");
    if (type.endsWith("StateExited")) return this.walkUp(start, (e) => e.name === details.name);
    if (type === "EvaluationFailed") {
      let found = null;
      for (const e of this.entries.values()) if (e.open && e.name === details.state) found = e.id;
      return found ?? start;
    }
    return start;
  }

  apply(entry, id, type, at, details) {
    if (type.endsWith("StateExited")) {
      entry.exitedAt = entry.endedAt = at;
      entry.output = parseJson(details.output);
      entry.scheduled = null;
      return;
    }
    if (type.endsWith("StateAborted")) {
      this.close(entry, at, "aborted");
      return;
    }
    if (type.startsWith("MapIteration")) {
      const index = details.index;
      const outcome = type.slice("MapIteration".length).toLowerCase();
      if (outcome === "started") {
        entry.iterationStarts.set(id, index);
        entry.iterations.set(index, { status: "running", startedAt: at, endedAt: null });
        return;
      }
      const it = entry.iterations.get(index) ?? { status: "running", startedAt: at, endedAt: null };
      it.status = outcome;
      it.endedAt = at;
      entry.iterations.set(index, it);
      if (outcome !== "succeeded") {
        for (const inner of this.inside(entry.id, index)) this.close(inner, at, outcome === "aborted" ? "aborted" : null);
      }
      return;
    }
    if (type === "MapStateStarted") {
      entry.length = details.length ?? null;
      return;
    }
    if (type === "MapStateFailed" || type === "ParallelStateFailed" || type === "MapRunFailed") {
      entry.failed = true;
      if (details.error !== undefined) entry.error = details.error;
      if (details.cause !== undefined) entry.cause = details.cause;
      for (const inner of this.inside(entry.id, null)) this.close(inner, at, null);
      return;
    }
    if (type === "EvaluationFailed") {
      entry.failed = true;
      entry.error = details.error ?? null;
      entry.cause = details.cause ?? null;
      return;
    }
    if (TASK_PREFIXES.some((p) => type.startsWith(p))) this.taskEvent(entry, type, at, details);
  }

  taskEvent(entry, type, at, details) {
    if (type === "TaskScheduled" || type === "LambdaFunctionScheduled" || type === "ActivityScheduled") {
      let resource = details.resource ?? "";
      if (type === "TaskScheduled") resource = `${details.resourceType ?? ""}:${resource}`;
      entry.attempts.push({
        scheduledAt: at, endedAt: null, outcome: null, error: null, cause: null, resource,
        parameters: parseJson(details.parameters ?? details.input),
      });
      entry.failed = false;
      if (type === "ActivityScheduled") entry.scheduled = "activity";
      else entry.scheduled = waitsFor(this.resources[entry.name]) ?? (resource === "statelight:approval" ? "approval" : waitsFor(resource));
      return;
    }
    if (type === "ActivityStarted") {
      entry.scheduled = null;
      return;
    }
    const attempt = entry.attempts[entry.attempts.length - 1];
    if (type.endsWith("Succeeded")) {
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

  // open entries inside a container (inside its iteration `index` when not null)
  inside(containerId, index) {
    const found = [];
    for (const entry of this.entries.values()) {
      if (!entry.open || entry.id === containerId) continue;
      let child = entry;
      while (child.parent !== null && child.parent !== containerId) child = this.entries.get(child.parent);
      if (child.parent !== containerId) continue;
      if (index !== null && !(child.iteration && child.iteration.map === containerId && child.iteration.index === index)) continue;
      found.push(entry);
    }
    return found;
  }

  close(entry, at, final) {
    if (!entry.open) return;
    entry.final = final ?? (entry.failed || entry.type === "Fail" ? "failed" : "aborted");
    entry.endedAt = at;
    entry.scheduled = null;
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
    let d = 0;
    for (let p = entry.parent; p !== null; p = this.entries.get(p).parent) d++;
    return d;
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

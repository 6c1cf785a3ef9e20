// Edits the designer makes, as pure functions: definition in, new definition
// out (the input is never mutated, so undo is just keeping the old one).
// States are named by their node id (a JSON pointer, see graph.js).

import { isObject, lanesOf } from "./graph.js";
import { join, split } from "./pointer.js";

const clone = (value) => structuredClone(value);

// "/States/P/Branches/0/States/X" -> { scopeId: "/States/P/Branches/0", name: "X" }
export function parseId(id) {
  const tokens = split(id);
  return { scopeId: join("", ...tokens.slice(0, -2)), name: tokens[tokens.length - 1] };
}

export function scopeAt(definition, scopeId) {
  let value = definition;
  for (const token of split(scopeId)) {
    if (value === null || typeof value !== "object") return undefined;
    value = value[token];
  }
  return isObject(value) ? value : undefined;
}

export function stateAt(definition, id) {
  const { scopeId, name } = parseId(id);
  const scope = scopeAt(definition, scopeId);
  return scope && isObject(scope.States) ? scope.States[name] : undefined;
}

// Every state name in the machine: AWS wants them unique across all scopes.
export function allNames(definition, out = new Set()) {
  const states = isObject(definition) && isObject(definition.States) ? definition.States : {};
  for (const [name, state] of Object.entries(states)) {
    out.add(name);
    for (const lane of lanesOf(state)) allNames(lane.scope, out);
  }
  return out;
}

export function uniqueName(definition, base, taken = allNames(definition)) {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base} ${i}`)) return `${base} ${i}`;
}

// Calls fn(name) for each transition of a state; fn returns the new target,
// or null to drop the transition. Returns the new state.
export function mapTransitions(state, fn) {
  if (!isObject(state)) return state;
  const out = { ...state };
  if (typeof out.Next === "string") {
    const next = fn(out.Next, "next");
    if (next === null) delete out.Next;
    else out.Next = next;
  }
  if (typeof out.Default === "string") {
    const next = fn(out.Default, "default");
    if (next === null) delete out.Default;
    else out.Default = next;
  }
  if (Array.isArray(out.Choices)) {
    out.Choices = out.Choices.map((rule) => (isObject(rule) && typeof rule.Next === "string" ? { ...rule, Next: fn(rule.Next, "choice") ?? "" } : rule));
  }
  if (Array.isArray(out.Catch)) {
    out.Catch = out.Catch.filter((c) => !(isObject(c) && typeof c.Next === "string" && fn(c.Next, "catch") === null))
      .map((c) => (isObject(c) && typeof c.Next === "string" ? { ...c, Next: fn(c.Next, "catch") } : c));
    if (!out.Catch.length) delete out.Catch;
  }
  return out;
}

// Rebuild an object with one key renamed, keeping key order.
function renameKey(object, from, to) {
  const out = {};
  for (const [k, v] of Object.entries(object)) out[k === from ? to : k] = v;
  return out;
}

function withScope(definition, scopeId, change) {
  const copy = clone(definition);
  const scope = scopeAt(copy, scopeId);
  if (!scope) return definition;
  if (!isObject(scope.States)) scope.States = {};
  change(scope);
  return copy;
}

export function addState(definition, scopeId, name, state) {
  return withScope(definition, scopeId, (scope) => {
    scope.States[name] = state;
    if (typeof scope.StartAt !== "string" || !Object.hasOwn(scope.States, scope.StartAt)) {
      const order = Object.keys(scope);
      if (!order.includes("StartAt")) {
        // StartAt before States, as people write it
        const states = scope.States;
        delete scope.States;
        scope.StartAt = name;
        scope.States = states;
      } else scope.StartAt = name;
    }
  });
}

export function replaceState(definition, id, state) {
  const { scopeId, name } = parseId(id);
  return withScope(definition, scopeId, (scope) => {
    scope.States[name] = state;
  });
}

// patch: {key: value}; undefined deletes the key. Existing keys keep their place.
export function setFields(definition, id, patch) {
  const state = stateAt(definition, id);
  if (!isObject(state)) return definition;
  const out = { ...state };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return replaceState(definition, id, out);
}

export function setScopeFields(definition, scopeId, patch) {
  const out = withScope(definition, scopeId, (scope) => {
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete scope[key];
      else scope[key] = value;
    }
  });
  // a new Comment goes first, where people put it
  if (scopeId === "" && patch.Comment !== undefined && !Object.hasOwn(definition, "Comment")) {
    const { Comment, ...rest } = out;
    return { Comment, ...rest };
  }
  return out;
}

export function renameState(definition, id, newName) {
  const { scopeId, name } = parseId(id);
  if (!newName || newName === name) return definition;
  return withScope(definition, scopeId, (scope) => {
    if (Object.hasOwn(scope.States, newName)) return;
    scope.States = renameKey(scope.States, name, newName);
    for (const key of Object.keys(scope.States)) {
      scope.States[key] = mapTransitions(scope.States[key], (to) => (to === name ? newName : to));
    }
    if (scope.StartAt === name) scope.StartAt = newName;
  });
}

// Remove states; what pointed at one follows its Next instead (or ends).
export function removeStates(definition, ids) {
  let out = definition;
  for (const id of ids) {
    const { scopeId, name } = parseId(id);
    out = withScope(out, scopeId, (scope) => {
      const removed = scope.States[name];
      if (removed === undefined) return;
      delete scope.States[name];
      const follow = isObject(removed) && typeof removed.Next === "string" && removed.Next !== name ? removed.Next : null;
      for (const key of Object.keys(scope.States)) {
        const before = scope.States[key];
        let ended = false;
        const after = mapTransitions(before, (to, kind) => {
          if (to !== name) return to;
          if (kind === "next" && follow === null) ended = true;
          return follow;
        });
        if (ended && isObject(after) && !["Choice", "Succeed", "Fail"].includes(after.Type)) after.End = true;
        scope.States[key] = after;
      }
      if (scope.StartAt === name) scope.StartAt = follow ?? Object.keys(scope.States)[0] ?? "";
    });
  }
  return out;
}

export function setStartAt(definition, scopeId, name) {
  return setScopeFields(definition, scopeId, { StartAt: name });
}

// A new Choice rule in the query language the state uses.
export function newRule(definition, id, next) {
  const state = stateAt(definition, id);
  const jsonata = (isObject(state) && state.QueryLanguage === "JSONata") ||
    (!(isObject(state) && state.QueryLanguage) && definition.QueryLanguage === "JSONata");
  return jsonata
    ? { Condition: "{% $states.input.value = 1 %}", Next: next }
    : { Variable: "$.value", StringEquals: "value", Next: next };
}

// Handles: "next", "default", "choice-<i>", "choice-new", "catch-<i>", "catch-new".
export function connect(definition, sourceId, handle, targetId) {
  const source = parseId(sourceId);
  const target = parseId(targetId);
  if (source.scopeId !== target.scopeId) return definition; // transitions stay inside a scope
  const state = stateAt(definition, sourceId);
  if (!isObject(state)) return definition;
  const to = target.name;
  if (handle === "next") {
    const out = { ...state, Next: to };
    delete out.End;
    return replaceState(definition, sourceId, out);
  }
  if (handle === "default") return setFields(definition, sourceId, { Default: to });
  const [kind, index] = handle.split("-");
  if (kind === "choice") {
    const rules = Array.isArray(state.Choices) ? [...state.Choices] : [];
    if (index === "new") rules.push(newRule(definition, sourceId, to));
    else rules[+index] = { ...rules[+index], Next: to };
    return setFields(definition, sourceId, { Choices: rules });
  }
  if (kind === "catch") {
    const catchers = Array.isArray(state.Catch) ? [...state.Catch] : [];
    if (index === "new") {
      // States.ALL must come last: a catcher added beside one catches task failures, before it
      const all = catchers.findIndex((c) => isObject(c) && Array.isArray(c.ErrorEquals) && c.ErrorEquals.includes("States.ALL"));
      if (all === -1) catchers.push({ ErrorEquals: ["States.ALL"], Next: to });
      else catchers.splice(all, 0, { ErrorEquals: ["States.TaskFailed"], Next: to });
    }
    else catchers[+index] = { ...catchers[+index], Next: to };
    return setFields(definition, sourceId, { Catch: catchers });
  }
  return definition;
}

// Remove the transition an edge shows (a Choice rule or a catcher goes with it).
export function disconnect(definition, edge) {
  const state = stateAt(definition, edge.source);
  if (!isObject(state)) return definition;
  if (edge.kind === "next") return setFields(definition, edge.source, { Next: undefined });
  if (edge.kind === "default") return setFields(definition, edge.source, { Default: undefined });
  if (edge.kind === "choice") return setFields(definition, edge.source, { Choices: state.Choices.filter((_, i) => i !== edge.index) });
  if (edge.kind === "catch") {
    const rest = state.Catch.filter((_, i) => i !== edge.index);
    return setFields(definition, edge.source, { Catch: rest.length ? rest : undefined });
  }
  return definition;
}

// Put a new state on an edge: source -> new -> old target.
export function insertOnEdge(definition, edge, name, state) {
  const { scopeId, name: targetName } = parseId(edge.target);
  const inserted = { ...state, Next: targetName };
  delete inserted.End;
  let out = addState(definition, scopeId, name, isTerminal(state) ? state : inserted);
  out = connect(out, edge.source, edge.kind === "next" || edge.kind === "default" ? edge.kind : `${edge.kind}-${edge.index}`, join(scopeId, "States", name));
  return out;
}

export function isTerminal(state) {
  return isObject(state) && ["Succeed", "Fail"].includes(state.Type);
}

// Paste copied states ([{name, state}]) into a scope under fresh names;
// transitions between pasted states follow the renames, others are dropped
// unless their target exists in the scope.
export function pasteStates(definition, scopeId, copied) {
  const taken = allNames(definition);
  const renames = new Map();
  for (const { name } of copied) {
    const fresh = uniqueName(definition, name, taken);
    taken.add(fresh);
    renames.set(name, fresh);
  }
  const scope = scopeAt(definition, scopeId);
  const existing = new Set(scope && isObject(scope.States) ? Object.keys(scope.States) : []);
  let out = definition;
  for (const { name, state } of copied) {
    const renamed = mapTransitions(renameNested(state, taken, renames), (to) => renames.get(to) ?? (existing.has(to) ? to : null));
    out = addState(out, scopeId, renames.get(name), renamed);
  }
  return { definition: out, names: copied.map(({ name }) => renames.get(name)) };
}

// Nested states of a pasted container need fresh names too.
function renameNested(state, taken, outer) {
  const lanes = lanesOf(state);
  if (!lanes.length) return state;
  const copy = clone(state);
  for (const lane of lanesOf(copy)) {
    if (!isObject(lane.scope.States)) continue;
    const local = new Map();
    for (const name of Object.keys(lane.scope.States)) {
      let fresh = name;
      for (let i = 2; taken.has(fresh); i++) fresh = `${name} ${i}`;
      taken.add(fresh);
      local.set(name, fresh);
    }
    const states = {};
    for (const [name, inner] of Object.entries(lane.scope.States)) {
      states[local.get(name)] = mapTransitions(renameNested(inner, taken, outer), (to) => local.get(to) ?? to);
    }
    lane.scope.States = states;
    if (local.has(lane.scope.StartAt)) lane.scope.StartAt = local.get(lane.scope.StartAt);
  }
  return copy;
}

// Move a state into another scope (e.g. dropped into a Parallel branch).
// Transitions do not cross scopes: what pointed at it follows its Next (or
// ends), and its own transitions that the new scope cannot satisfy go.
export function moveState(definition, id, toScopeId) {
  const { scopeId, name } = parseId(id);
  const state = stateAt(definition, id);
  if (state === undefined || scopeId === toScopeId || toScopeId.startsWith(id + "/")) return definition;
  let out = removeStates(definition, [id]);
  const target = scopeAt(out, toScopeId);
  if (!target) return definition;
  const there = new Set(Object.keys(isObject(target.States) ? target.States : {}));
  let moved = mapTransitions(state, (to) => (there.has(to) ? to : null));
  if (isObject(moved) && moved.Next === undefined && !["Choice", "Succeed", "Fail"].includes(moved.Type)) moved = { ...moved, End: true };
  out = addState(out, toScopeId, name, moved);
  return out;
}

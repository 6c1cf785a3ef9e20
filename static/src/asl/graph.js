// ASL definition <-> graph. The graph is what the canvas draws; the
// definition is what gets saved. Every ASL field travels inside the nodes
// (unknown ones too, in their original key order), so
// graphToAsl(aslToGraph(d)) gives d back.
//
// Node ids are JSON pointers to the state ("/States/P/Branches/0/States/X").
// Parallel branches and the Map item processor are "lane" nodes inside their
// state's node; the states of a lane are the lane's children.
// Edges are a view of Next, Default, Choices[i].Next and Catch[i].Next: the
// fields stay the truth, so graphToAsl ignores edges.

import { join } from "./pointer.js";
import { catchLabel, ruleLabel } from "./summary.js";

export const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// Where a container state keeps its nested scopes.
export function lanesOf(state) {
  if (!isObject(state)) return [];
  if (state.Type === "Parallel" && Array.isArray(state.Branches)) {
    return state.Branches.map((branch, i) => ({ key: ["Branches", i], scope: branch, label: `Branch ${i + 1}` }));
  }
  if (state.Type === "Map") {
    for (const key of ["ItemProcessor", "Iterator"]) {
      if (isObject(state[key])) return [{ key: [key], scope: state[key], label: key === "Iterator" ? "Iterator" : "Item processor" }];
    }
  }
  return [];
}

export function isContainer(state) {
  return isObject(state) && (state.Type === "Parallel" || state.Type === "Map");
}

// A copy of a scope object with States left as a null slot (same key order).
function withoutStates(scope) {
  const out = {};
  for (const [k, v] of Object.entries(scope)) out[k] = k === "States" && isObject(v) ? null : v;
  return out;
}

// A copy of a state with the States of each lane left as null slots.
function stateWithoutChildren(state) {
  const lanes = lanesOf(state);
  if (!lanes.length) return state;
  const copy = { ...state };
  if (state.Type === "Parallel") {
    copy.Branches = state.Branches.map((b) => (isObject(b) ? withoutStates(b) : b));
  } else {
    const key = lanes[0].key[0];
    copy[key] = withoutStates(state[key]);
  }
  return copy;
}

export function aslToGraph(definition, layout = {}) {
  const positions = (layout && layout.positions) || {};
  const nodes = [];
  const edges = [];
  const machine = isObject(definition) ? withoutStates(definition) : definition;

  function addScope(scope, scopeId, parentId) {
    const states = isObject(scope) ? scope.States : undefined;
    if (!isObject(states)) return;
    const startAt = scope.StartAt;
    for (const [name, state] of Object.entries(states)) {
      const id = join(scopeId, "States", name);
      nodes.push({
        id,
        kind: "state",
        parent: parentId,
        scope: scopeId,
        name,
        type: isObject(state) ? state.Type : undefined,
        start: name === startAt,
        state: stateWithoutChildren(state),
        position: positions[id] ?? null,
      });
      lanesOf(state).forEach((lane, index) => {
        const laneId = join(id, ...lane.key);
        nodes.push({ id: laneId, kind: "lane", parent: id, scope: laneId, index, label: lane.label, startAt: lane.scope.StartAt, position: null });
        addScope(lane.scope, laneId, laneId);
      });
    }
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) continue;
      const source = join(scopeId, "States", name);
      const target = (next) => (typeof next === "string" && Object.hasOwn(states, next) ? join(scopeId, "States", next) : null);
      const add = (next, kind, index, label) => {
        const to = target(next);
        if (to) edges.push({ id: `${source}→${kind}${index ?? ""}`, source, target: to, kind, index, label });
      };
      add(state.Next, "next", undefined, "");
      if (state.Type === "Choice") {
        (Array.isArray(state.Choices) ? state.Choices : []).forEach((rule, i) => add(rule && rule.Next, "choice", i, ruleLabel(rule, i)));
        add(state.Default, "default", undefined, "Default");
      }
      if (Array.isArray(state.Catch)) {
        state.Catch.forEach((catcher, i) => add(catcher && catcher.Next, "catch", i, catchLabel(catcher)));
      }
    }
  }

  addScope(definition, "", null);
  return { machine, nodes, edges };
}

export function graphToAsl(graph) {
  const children = new Map();
  for (const node of graph.nodes) {
    const key = node.parent ?? "";
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(node);
  }

  function buildStates(parentKey) {
    const states = {};
    for (const node of children.get(parentKey) ?? []) {
      if (node.kind === "state") states[node.name] = buildState(node);
    }
    return states;
  }

  function fillScope(scope, laneId) {
    if (!isObject(scope) || scope.States !== null) return scope;
    return { ...scope, States: buildStates(laneId) };
  }

  function buildState(node) {
    const state = node.state;
    if (!isContainer(state)) return state;
    const lanes = (children.get(node.id) ?? []).filter((n) => n.kind === "lane");
    const laneId = (index) => lanes.find((l) => l.index === index)?.id;
    const copy = { ...state };
    if (state.Type === "Parallel" && Array.isArray(state.Branches)) {
      copy.Branches = state.Branches.map((b, i) => fillScope(b, laneId(i)));
    } else {
      for (const key of ["ItemProcessor", "Iterator"]) {
        if (isObject(state[key])) {
          copy[key] = fillScope(state[key], laneId(0));
          break;
        }
      }
    }
    return copy;
  }

  if (!isObject(graph.machine)) return graph.machine;
  return fillScope(graph.machine, "");
}

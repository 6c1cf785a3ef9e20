// Auto-layout with ELK's layered algorithm, one scope at a time from the
// innermost out: a container's size depends on its lanes, so its lanes are
// laid out first and the container enters its own scope at its real size.
// ELK (1.4 MB, elk.js) loads on the first layout that needs it: a page showing
// a machine with stored positions never downloads it.
import { LANE, childrenByParent, measure } from "./geometry.js";

const loadElk = () => import("./elk.js").then((module) => module.elk);

const OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.spacing.nodeNode": "40",
  "elk.layered.spacing.nodeNodeBetweenLayers": "56",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.padding": "[top=0,left=0,bottom=0,right=0]",
};

const ROOT_ORIGIN = { x: 40, y: 40 };
const GAP = 56; // = elk.layered.spacing.nodeNodeBetweenLayers

// The states in order if the edges make one simple path through all of them, else null.
function chainOrder(states, edges) {
  if (states.length === 1) return [states[0].id];
  if (edges.length !== states.length - 1) return null;
  const next = new Map();
  const incoming = new Map();
  for (const e of edges) {
    if (next.has(e.source) || incoming.has(e.target)) return null;
    next.set(e.source, e.target);
    incoming.set(e.target, e.source);
  }
  const heads = states.filter((n) => !incoming.has(n.id));
  if (heads.length !== 1) return null;
  const order = [];
  for (let id = heads[0].id; id !== undefined; id = next.get(id)) order.push(id);
  return order.length === states.length ? order : null;
}

// Returns {positions: {id: {x, y}}} for every state (lanes are derived).
export async function autoLayout(graph) {
  const children = childrenByParent(graph.nodes);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const depth = (id) => {
    let d = 0;
    for (let n = byId.get(id); n && n.parent; n = byId.get(n.parent)) d++;
    return d;
  };
  // scopes: "" (the machine) and every lane, deepest first
  const scopes = [{ key: "", depth: -1 }, ...graph.nodes.filter((n) => n.kind === "lane").map((n) => ({ key: n.id, depth: depth(n.id) }))];
  const levels = new Map();
  for (const scope of scopes) {
    if (!levels.has(scope.depth)) levels.set(scope.depth, []);
    levels.get(scope.depth).push(scope.key);
  }
  const positions = {};
  for (const d of [...levels.keys()].sort((a, b) => b - a)) {
    const boxes = measure(graph, positions);
    await Promise.all(levels.get(d).map(async (key) => {
      const states = (children.get(key) ?? []).filter((n) => n.kind === "state");
      if (!states.length) return;
      const ids = new Set(states.map((n) => n.id));
      const origin = key ? { x: LANE.pad, y: LANE.head } : ROOT_ORIGIN;
      const inScope = graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target) && e.source !== e.target);
      const column = chainOrder(states, inScope);
      if (column) {
        // a plain sequence (most branches and processors): a centred column, as ELK would draw it
        const width = Math.max(...column.map((id) => boxes.get(id).w));
        let y = origin.y;
        for (const id of column) {
          const box = boxes.get(id);
          positions[id] = { x: Math.round(origin.x + (width - box.w) / 2), y };
          y += box.h + GAP;
        }
        return;
      }
      const result = await (await loadElk()).layout({
        id: key || "root",
        layoutOptions: OPTIONS,
        children: states.map((n) => ({ id: n.id, width: boxes.get(n.id).w, height: boxes.get(n.id).h })),
        edges: inScope.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
      });
      for (const child of result.children) positions[child.id] = { x: Math.round(origin.x + child.x), y: Math.round(origin.y + child.y) };
    }));
  }
  return { positions };
}

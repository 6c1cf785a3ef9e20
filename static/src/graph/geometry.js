// Boxes for every node: states have a fixed size; a lane (Parallel branch,
// Map item processor) wraps its states; a container wraps its lanes side by
// side. Positions are relative to the parent, as React Flow wants them.
// The auto-layout uses the same rules, so what it plans is what is drawn.

export const STATE = { w: 210, h: 58 };
export const LANE = { pad: 18, head: 26, minW: 240, minH: 110 };
export const CONTAINER = { pad: 12, head: 50, gap: 12 };
const STACK_GAP = 40;

export function childrenByParent(nodes) {
  const children = new Map();
  for (const node of nodes) {
    const key = node.parent ?? "";
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(node);
  }
  return children;
}

// positions: {id: {x, y}} overriding node.position (e.g. a fresh auto-layout).
export function measure(graph, positions = {}) {
  const children = childrenByParent(graph.nodes);
  const boxes = new Map();

  function placed(node) {
    const p = positions[node.id] ?? node.position;
    return p && Number.isFinite(p.x) && Number.isFinite(p.y) ? p : null;
  }

  function sizeOf(node) {
    const lanes = (children.get(node.id) ?? []).filter((n) => n.kind === "lane");
    if (node.kind !== "state" || !lanes.length && !isContainerType(node.type)) return { ...STATE };
    let x = CONTAINER.pad;
    let height = LANE.minH;
    for (const lane of lanes) {
      const size = measureScope(lane.id, { x: LANE.pad, y: LANE.head });
      const w = Math.max(LANE.minW, size.w + LANE.pad);
      const h = Math.max(LANE.minH, size.h + LANE.pad);
      boxes.set(lane.id, { x, y: CONTAINER.head, w, h });
      x += w + CONTAINER.gap;
      height = Math.max(height, h);
    }
    for (const lane of lanes) boxes.get(lane.id).h = height; // lanes line up
    const w = Math.max(STATE.w, x - CONTAINER.gap + CONTAINER.pad);
    return { w: lanes.length ? w : STATE.w + 40, h: CONTAINER.head + (lanes.length ? height + CONTAINER.pad : 30) };
  }

  // Places the states of one scope; returns the extent they cover. States
  // without a position yet (new in the code view) go below the others.
  function measureScope(parentKey, origin) {
    let right = 0;
    let bottom = 0;
    const states = (children.get(parentKey) ?? []).filter((n) => n.kind === "state");
    const later = [];
    for (const node of states) {
      const p = placed(node);
      if (!p) {
        later.push(node);
        continue;
      }
      const size = sizeOf(node);
      const at = { x: Math.max(p.x, origin.x), y: Math.max(p.y, origin.y) };
      boxes.set(node.id, { ...at, ...size });
      right = Math.max(right, at.x + size.w);
      bottom = Math.max(bottom, at.y + size.h);
    }
    let y = bottom ? bottom + STACK_GAP : origin.y;
    for (const node of later) {
      const size = sizeOf(node);
      boxes.set(node.id, { x: origin.x, y, ...size });
      right = Math.max(right, origin.x + size.w);
      bottom = y + size.h;
      y = bottom + STACK_GAP;
    }
    return { w: right, h: bottom };
  }

  measureScope("", { x: 0, y: 0 });
  return boxes;
}

export function isContainerType(type) {
  return type === "Parallel" || type === "Map";
}

// Absolute position of a node (sum of the boxes up its parents).
export function absolute(boxes, nodesById, id) {
  let x = 0;
  let y = 0;
  for (let node = nodesById.get(id); node; node = node.parent ? nodesById.get(node.parent) : null) {
    const box = boxes.get(node.id);
    if (!box) break;
    x += box.x;
    y += box.y;
  }
  return { x, y };
}

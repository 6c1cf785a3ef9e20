// Where the execution viewer looks: the whole machine when its state names
// can be read at that size, else the states that matter now (what runs or
// waits; else what failed; at first, else the start) at the smallest readable
// zoom, showing as much of the machine around them as fits (never empty space
// past its edges).
import { getViewportForBounds } from "@xyflow/react";

import { absolute } from "./geometry.js";

// state names are 13 px (.sl-node in graph.css): at 0.9, 11.7 px on screen, over the 11 px to read them
export const READABLE_ZOOM = 0.9;
export const PADDING = 0.15;
const EDGE_PX = 24; // room between the machine's edge and the canvas's

const FOCUS = [new Set(["running", "waiting", "retrying"]), new Set(["failed", "caught", "aborted"])];

// The ids of the states to keep in view, by the first rule of FOCUS that any state meets
// (none: nothing runs, waits or failed).
export function focusOf(graph, statuses) {
  const states = graph.nodes.filter((n) => n.kind === "state");
  const statusOf = (n) => (statuses?.[n.id] ?? statuses?.[n.name])?.status;
  for (const wanted of FOCUS) {
    const ids = states.filter((n) => wanted.has(statusOf(n))).map((n) => n.id);
    if (ids.length) return ids;
  }
  return [];
}

export const startOf = (graph) => graph.nodes.filter((n) => n.start && !n.parent).map((n) => n.id);

// Flow-coordinate rectangles of nodes (top-level nodes only for the whole machine).
export function rects(graph, boxes, byId, ids) {
  return ids.map((id) => ({ ...absolute(boxes, byId, id), w: boxes.get(id).w, h: boxes.get(id).h }));
}

function bounds(list) {
  const x = Math.min(...list.map((r) => r.x));
  const y = Math.min(...list.map((r) => r.y));
  return { x, y, width: Math.max(...list.map((r) => r.x + r.w)) - x, height: Math.max(...list.map((r) => r.y + r.h)) - y };
}

// One axis of the viewport: the machine centred when it fits, else kept against the edges.
function along(offset, start, size, room, zoom) {
  const span = size * zoom;
  if (span + 2 * EDGE_PX <= room) return (room - span) / 2 - start * zoom;
  return Math.min(EDGE_PX - start * zoom, Math.max(room - EDGE_PX - (start + size) * zoom, offset));
}

// {x, y, zoom} for a canvas of width x height.
export function readableViewport(all, focus, width, height) {
  const whole = getViewportForBounds(bounds(all), width, height, 0.1, 1, PADDING);
  if (whole.zoom >= READABLE_ZOOM || !focus.length) return whole;
  const zoom = READABLE_ZOOM;
  const centre = getViewportForBounds(bounds(focus), width, height, zoom, zoom, PADDING);
  const machine = bounds(all);
  return {
    x: along(centre.x, machine.x, machine.width, width, zoom),
    y: along(centre.y, machine.y, machine.height, height, zoom),
    zoom,
  };
}

export function allInView(list, { x, y, zoom }, width, height) {
  return list.every((r) => r.x * zoom + x >= 0 && r.y * zoom + y >= 0
    && (r.x + r.w) * zoom + x <= width && (r.y + r.h) * zoom + y <= height);
}

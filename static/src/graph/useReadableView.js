// The viewer's viewport (viewport.js): placed once the canvas has a size (on
// the start when nothing has happened yet), then moved only when what matters
// leaves the view (it stays put when the run ends), until the person pans or
// zooms themselves (a move with an input event), which stops the following.
import { useCallback, useEffect, useMemo, useRef } from "react";

import { allInView, focusOf, readableViewport, rects, startOf } from "./viewport.js";

const FOLLOW_MS = 300;

export function useReadableView({ enabled, flow, wrapper, graph, boxes, byId, statuses }) {
  const following = useRef(true);
  const placed = useRef(false);
  const topLevel = useMemo(() => graph.nodes.filter((n) => n.kind === "state" && !n.parent).map((n) => n.id), [graph]);
  const focus = enabled ? focusOf(graph, statuses).join("\n") : ""; // a string: effects run when it changes

  useEffect(() => {
    const canvas = wrapper.current;
    if (!enabled || !following.current || !flow.viewportInitialized || !topLevel.length || !canvas?.clientHeight) return;
    const { clientWidth: width, clientHeight: height } = canvas;
    if (placed.current && !focus) return;
    const focused = rects(graph, boxes, byId, focus ? focus.split("\n") : startOf(graph));
    if (placed.current && allInView(focused, flow.getViewport(), width, height)) return;
    flow.setViewport(readableViewport(rects(graph, boxes, byId, topLevel), focused, width, height),
      { duration: placed.current ? FOLLOW_MS : 0 });
    placed.current = true;
  }, [enabled, focus, flow, wrapper, graph, boxes, byId, topLevel]);

  return useCallback((event) => {
    if (event) following.current = false;
  }, []);
}

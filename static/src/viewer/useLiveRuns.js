// The execution as it happens: the history events the websocket streams
// (socket.js), read into state runs (runs.js) as they come. The page is
// drawn once per frame with all of them (a busy execution sends hundreds a
// second), synchronously in the frame's callback so the new colours are
// painted in that very frame; a hidden tab has no frames: a timer then.
// The events table and the timeline follow a few times a second (listVersion):
// repainting a table that moves by a row on every frame would cost more than
// the whole graph.
import { useCallback, useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";

import { StateRuns, resourcesOf } from "./runs.js";
import { EventStream } from "./socket.js";

const LIST_EVERY_MS = 250;

function useDrawing() {
  const [version, setVersion] = useState(0);
  const [listVersion, setListVersion] = useState(0);
  const drawScheduled = useRef(false);
  const listScheduled = useRef(null);
  const listDrawnAt = useRef(0);
  const scheduleDraw = useCallback(() => {
    if (listScheduled.current === null) {
      // at once after a quiet while (a page just opened), else at most every LIST_EVERY_MS
      const wait = Math.max(0, listDrawnAt.current + LIST_EVERY_MS - performance.now());
      listScheduled.current = setTimeout(() => {
        listScheduled.current = null;
        listDrawnAt.current = performance.now();
        setListVersion((v) => v + 1);
      }, wait);
    }
    if (drawScheduled.current) return;
    drawScheduled.current = true;
    const draw = () => {
      drawScheduled.current = false;
      flushSync(() => setVersion((v) => v + 1));
    };
    if (document.visibilityState === "hidden") setTimeout(draw, 100);
    else requestAnimationFrame(draw);
  }, []);
  return { version, listVersion, scheduleDraw };
}

// onTasksChanged: the pending tasks (tokens, activities, approvals) may have changed
export function useLiveRuns(url, definition, onTasksChanged) {
  const runsRef = useRef(null);
  if (runsRef.current === null) runsRef.current = new StateRuns(resourcesOf(definition));
  const runs = runsRef.current;
  const { version, listVersion, scheduleDraw } = useDrawing();

  useEffect(() => {
    const stream = new EventStream(url, {
      onEvents(events) {
        runs.addAll(events);
        scheduleDraw();
        // they change only with events of their states
        if (events.some((e) => runs.touchesOutside(e))) onTasksChanged();
      },
      onMessage(data) {
        if (data.type === "tasks") onTasksChanged();
      },
    });
    onTasksChanged();
    window.statelightViewer = { stream, runs }; // for the browser tests and bench/viewer.py
    return () => stream.socket.close();
  }, [url, onTasksChanged, runs, scheduleDraw]);

  return { runs, version, listVersion };
}

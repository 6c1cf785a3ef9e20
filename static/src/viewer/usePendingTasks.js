// What waits for an answer (task tokens, activity tasks, approvals), fetched
// again, at most once per moment, whenever it may have changed.
import { useCallback, useRef, useState } from "react";

import { call } from "../http.js";

const GATHER_MS = 60;

export function usePendingTasks(url) {
  const [tasks, setTasks] = useState([]);
  const timer = useRef(null);
  const refresh = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(async () => {
      timer.current = null;
      const r = await call(url, { method: "GET" });
      if (r.ok) setTasks(r.data.tasks);
    }, GATHER_MS);
  }, [url]);
  return [tasks, refresh];
}

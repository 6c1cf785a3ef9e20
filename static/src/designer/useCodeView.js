// The code view beside the canvas: open or not (remembered), and what typing
// in it does (JSON that does not parse stays in the editor with its error).
import { useCallback, useEffect, useRef, useState } from "react";

import { isObject } from "../asl/graph.js";
import { load, store } from "./storage.js";

export function useCodeView(editText, fit) {
  const [open, setOpen] = useState(() => load("sl-code-open") === "1");
  const [error, setError] = useState(null);

  const toggled = useRef(false);
  useEffect(() => {
    store("sl-code-open", open ? "1" : "0");
    if (!toggled.current) {
      toggled.current = true; // not on the first render: only when the canvas changes width
      return undefined;
    }
    const t = setTimeout(fit, 60);
    return () => clearTimeout(t);
  }, [open, fit]);

  const onText = useCallback((value) => {
    let parsed;
    try {
      parsed = JSON.parse(value);
    } catch (e) {
      setError(e.message);
      return;
    }
    if (!isObject(parsed)) {
      setError("A state machine is a JSON object.");
      return;
    }
    setError(null);
    editText(parsed, value);
  }, [editText]);

  return { open, toggle: useCallback(() => setOpen((v) => !v), []), error, onText };
}

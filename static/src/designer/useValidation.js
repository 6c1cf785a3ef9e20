// The engine's validator, on the server, a moment after the text stops changing.
import { useEffect, useRef, useState } from "react";

import { call } from "./api.js";

const DEBOUNCE_MS = 350;

export function useValidation(text, url) {
  const [problems, setProblems] = useState([]);
  const [checking, setChecking] = useState(false);
  const latest = useRef(0);

  useEffect(() => {
    const seq = ++latest.current;
    setChecking(true);
    const t = setTimeout(async () => {
      const r = await call(url, { body: { definition: text } });
      if (seq !== latest.current) return;
      setChecking(false);
      if (r.ok) setProblems(r.data.problems ?? []);
    }, DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text, url]);

  useEffect(() => {
    document.body.dataset.validation = checking ? "checking" : problems.length ? "invalid" : "valid";
  }, [checking, problems]);

  return { problems, checking };
}

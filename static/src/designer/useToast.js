// One short message at a time, gone after a few seconds.
import { useCallback, useEffect, useState } from "react";

const SHOWN_MS = 4000;

export function useToast() {
  const [toast, setToast] = useState(null);
  const say = useCallback((message, kind = "info") => setToast({ message, kind, at: Date.now() }), []);
  useEffect(() => {
    if (!toast) return undefined;
    const t = setTimeout(() => setToast(null), SHOWN_MS);
    return () => clearTimeout(t);
  }, [toast]);
  return { toast, say };
}

// Selection has one owner: the `selected` prop. React Flow's select
// changes become onSelect calls, never local state, so the two cannot fight.
import { useCallback, useMemo, useRef } from "react";

export function useSelection(selected, onSelect) {
  const selectedSet = useMemo(() => new Set(selected), [selected]);
  const current = useRef(selectedSet);
  current.current = selectedSet;
  const applySelect = useCallback((changes) => {
    const picks = changes.filter((c) => c.type === "select");
    if (!picks.length || !onSelect) return;
    const next = new Set(current.current);
    for (const c of picks) {
      if (c.selected) next.add(c.id);
      else next.delete(c.id);
    }
    const same = next.size === current.current.size && [...next].every((id) => current.current.has(id));
    if (!same) {
      current.current = next;
      onSelect([...next]);
    }
  }, [onSelect]);
  return { selectedSet, applySelect };
}

// Auto-layout (ELK) on request. A machine stored without positions is laid
// out once before the designer opens (layOutToOpen): where its states start,
// not a change to save.
import { useCallback } from "react";

import { aslToGraph } from "../asl/graph.js";
import { autoLayout } from "../graph/layout.js";
import { needsLayout, withLayout } from "./document.js";

export async function layOutToOpen(doc) {
  if (!needsLayout(doc)) return doc;
  const { positions } = await autoLayout(aslToGraph(doc.definition, {}));
  return withLayout(doc, positions);
}

export function useAutoLayout({ definition, change }, fit) {
  return useCallback(async () => {
    const { positions } = await autoLayout(aslToGraph(definition, {}));
    change((doc) => withLayout(doc, positions));
    requestAnimationFrame(() => requestAnimationFrame(fit));
  }, [definition, change, fit]);
}

// Auto-layout (ELK), on request and when a machine opens without positions
// (then before it is first drawn, and not as an undo step).
import { useCallback, useEffect, useState } from "react";

import { aslToGraph } from "../asl/graph.js";
import { autoLayout } from "../graph/layout.js";

const hasNoPositions = (graph) => {
  const states = graph.nodes.filter((n) => n.kind === "state");
  return states.length > 0 && states.every((n) => !n.position);
};

export function useAutoLayout({ definition, graph, change }, graphRef) {
  const [ready, setReady] = useState(() => !hasNoPositions(graph));

  const runLayout = useCallback(async (asStep = true) => {
    const started = performance.now();
    const { positions } = await autoLayout(aslToGraph(definition, {}));
    change((doc) => ({ ...doc, layout: { ...doc.layout, positions } }), { step: asStep });
    setReady(true);
    requestAnimationFrame(() => requestAnimationFrame(() => {
      graphRef.current?.fitView();
      document.body.dataset.layoutMs = String(Math.round(performance.now() - started));
      document.body.dataset.laidOutAt = String(Math.round(performance.now()));
    }));
  }, [definition, change, graphRef]);

  useEffect(() => {
    if (!ready) runLayout(false);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  return { ready, runLayout };
}

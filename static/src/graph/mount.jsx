// Entry of the graph bundle, for pages that only show a machine (the live
// execution viewer): window.Statelight.mountGraph(element, props) renders
// <StateGraph mode="view"> and returns {update(props), unmount()}.
// props: {definition, layout, statuses: {stateName: {status, waitingFor}}, problems}
import "@xyflow/react/dist/style.css";
// standalone, the graph lays out whatever it is given without positions
import "./elk.js";
import { createRoot } from "react-dom/client";

import { aslToGraph } from "../asl/graph.js";
import { autoLayout } from "./layout.js";
import { StateGraph } from "./StateGraph.jsx";

function mountGraph(element, props) {
  const started = performance.now();
  const root = createRoot(element);
  // for tests and the bench: when the laid-out graph is on screen
  const done = () => requestAnimationFrame(() => requestAnimationFrame(() => {
    element.dataset.renderedMs = String(Math.round(performance.now() - started));
  }));
  let current = { mode: "view", ...props };
  const positions = current.layout?.positions;
  if (!positions || !Object.keys(positions).length) {
    // nothing saved: lay it out the way the designer would
    autoLayout(aslToGraph(current.definition, {})).then((layout) => {
      element.dataset.layoutMs = String(Math.round(performance.now() - started));
      current = { ...current, layout };
      root.render(<StateGraph {...current} />);
      done();
    });
  } else {
    root.render(<StateGraph {...current} />);
    done();
  }
  return {
    update(next) {
      current = { ...current, ...next };
      root.render(<StateGraph {...current} />);
    },
    unmount: () => root.unmount(),
  };
}

window.Statelight = { ...(window.Statelight ?? {}), mountGraph };

// Entry of the graph bundle, for pages that only show a machine (the live
// execution viewer): window.Statelight.mountGraph(element, props) renders
// <StateGraph mode="view"> and returns {update(props), unmount()}.
// props: {definition, layout, statuses: {stateName: {status, waitingFor}}, problems}
import "@xyflow/react/dist/style.css";
import { createRoot } from "react-dom/client";

import { aslToGraph } from "../asl/graph.js";
import { autoLayout } from "./layout.js";
import { StateGraph } from "./StateGraph.jsx";

function mountGraph(element, props) {
  const root = createRoot(element);
  let current = { mode: "view", ...props };
  root.render(<StateGraph {...current} />);
  const positions = current.layout?.positions;
  if (!positions || !Object.keys(positions).length) {
    // nothing saved: lay it out the way the designer would
    autoLayout(aslToGraph(current.definition, {})).then((layout) => {
      current = { ...current, layout };
      root.render(<StateGraph {...current} />);
    });
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

// Entry of the designer bundle: opens the page's machine (laid out first when
// it has no positions) and mounts <Designer>.
import "@xyflow/react/dist/style.css";
// the designer lays machines out (on opening one without positions, on request)
import "../graph/elk.js";
import { createRoot } from "react-dom/client";

import { Designer } from "./Designer.jsx";
import { openDocument } from "./document.js";
import { layOutToOpen } from "./useAutoLayout.js";

const host = document.getElementById("designer");
if (host) {
  window.statelightMountedAt = performance.now(); // the bench measures from here
  const config = JSON.parse(document.getElementById("designer-config").textContent);
  layOutToOpen(openDocument(config)).then((opened) => createRoot(host).render(<Designer config={config} opened={opened} />));
}

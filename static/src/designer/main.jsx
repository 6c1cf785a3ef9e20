// Entry of the designer bundle: mounts <Designer> with the page's config.
import "@xyflow/react/dist/style.css";
import { createRoot } from "react-dom/client";

import { Designer } from "./Designer.jsx";

const host = document.getElementById("designer");
if (host) {
  window.statelightMountedAt = performance.now(); // the bench measures from here
  const config = JSON.parse(document.getElementById("designer-config").textContent);
  createRoot(host).render(<Designer config={config} />);
}

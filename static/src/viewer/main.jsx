// Entry of the viewer bundle: the live execution viewer (templates/viewer/execution.html).
import "@xyflow/react/dist/style.css";
import { createRoot } from "react-dom/client";

import { Viewer } from "./Viewer.jsx";

const element = document.getElementById("viewer");
const config = JSON.parse(document.getElementById("viewer-config").textContent);
createRoot(element).render(<Viewer config={config} />);

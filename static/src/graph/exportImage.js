// The whole graph as an SVG or PNG data URL, at 1:1 with a margin (scaled
// down only past 4096 px). html-to-image loads on the first export only.
import { getNodesBounds } from "@xyflow/react";

export async function exportImage(flow, wrapper, format) {
  const { toPng, toSvg } = await import("html-to-image");
  const bounds = getNodesBounds(flow.getNodes());
  const zoom = Math.min(1, 4000 / Math.max(bounds.width, bounds.height, 1));
  const width = Math.ceil(bounds.width * zoom + 80);
  const height = Math.ceil(bounds.height * zoom + 80);
  const viewport = { x: 40 - bounds.x * zoom, y: 40 - bounds.y * zoom, zoom };
  const element = wrapper?.querySelector(".react-flow__viewport");
  const render = format === "svg" ? toSvg : toPng;
  return render(element, {
    backgroundColor: "#ffffff", width, height,
    filter: (el) => !el.classList?.contains("react-flow__handle"), // a picture has nothing to drag
    style: { width: `${width}px`, height: `${height}px`, transform: `translate(${viewport.x}px, ${viewport.y}px) scale(${viewport.zoom})` },
  });
}

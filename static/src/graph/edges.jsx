// Edges: a rounded step path, and its label as HTML above the nodes, so a
// label is never hidden behind a container. Edges between the same two
// states (a Choice rule and the Default) spread their labels apart.
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath } from "@xyflow/react";
import { memo } from "react";

import { detour, roundedPath } from "./route.js";

export const StateEdge = memo(function StateEdge(props) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, label, data, selected } = props;
  const around = sourcePosition === "bottom" || sourcePosition === "right"
    ? detour(sourceX, sourceY, targetX, targetY, data?.obstacles, (data?.labelShift ?? 0) + 0.5, sourcePosition)
    : null;
  const down = around ? around.length - 4 : 0; // the long way down: its middle carries the label
  const [path, labelX, labelY] = around
    ? [roundedPath(around), around[down][0], (around[down][1] + around[down + 1][1]) / 2]
    : getSmoothStepPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition, borderRadius: 10, offset: 18 });
  const shift = (data?.labelShift ?? 0) * 22;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} interactionWidth={22} />
      {label ? (
        <EdgeLabelRenderer>
          <div
            className={`sl-edge-label sl-edge-label-${data?.edge?.kind ?? "next"}${selected ? " is-selected" : ""} nodrag nopan`}
            data-edge-id={id}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY + shift}px)` }}
          >
            {label}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
});

export const edgeTypes = { state: StateEdge };

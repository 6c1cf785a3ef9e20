// ELK, one instance per page (building it starts ELK's engine: a noticeable
// moment). Pages that always lay out import this module, so ELK comes with
// them, ready before they first draw (the designer, graph.js); the execution
// viewer loads it through layout.js only for a machine without stored positions.
import ELK from "elkjs/lib/elk.bundled.js";

export const elk = new ELK();

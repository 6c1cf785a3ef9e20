// Validator problems (JSON pointers) -> the node they concern: the longest
// node id that the pointer starts with. What is left is the field.
import { within } from "../asl/pointer.js";

export function problemsByNode(graph, problems) {
  const byNode = new Map();
  const machine = [];
  const ids = graph.nodes.filter((n) => n.kind === "state").map((n) => n.id).sort((a, b) => b.length - a.length);
  for (const problem of problems ?? []) {
    const id = ids.find((candidate) => within(problem.path ?? "", candidate));
    if (id === undefined) {
      machine.push(problem);
      continue;
    }
    if (!byNode.has(id)) byNode.set(id, []);
    byNode.get(id).push({ ...problem, field: (problem.path ?? "").slice(id.length) });
  }
  return { byNode, machine };
}

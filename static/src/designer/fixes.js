// One-click fixes for problems the validator reports.
import { isObject } from "../asl/graph.js";
import { connect, parseId, scopeAt, setFields, stateAt } from "../asl/edit.js";
import { join } from "../asl/pointer.js";

const NO_TRANSITION = /neither 'Next' nor 'End'/;

// [{label, apply(definition) -> definition}] for a problem on node `id`.
export function quickFixes(problem, definition, id) {
  if (!id || !NO_TRANSITION.test(problem.message ?? "")) return [];
  const state = stateAt(definition, id);
  if (!isObject(state)) return [];
  const fixes = [{ label: "Add End: true", apply: (d) => setFields(d, id, { End: true, Next: undefined }) }];
  const { scopeId, name } = parseId(id);
  const scope = scopeAt(definition, scopeId);
  for (const other of Object.keys(scope?.States ?? {})) {
    if (other === name) continue;
    fixes.push({ label: `Connect Next → ${other}`, apply: (d) => connect(d, id, "next", join(scopeId, "States", other)) });
  }
  return fixes.slice(0, 6);
}

// The problems panel: everything the validator said, with where and a fix.
import { quickFixes } from "./fixes.js";

export function Problems({ problems, nodeOf, definition, onSelect, onEdit, pending, collapsed, onToggle }) {
  const errors = problems.filter((p) => p.severity !== "WARNING").length;
  const warnings = problems.length - errors;
  return (
    <section className={`sl-problems${collapsed ? " is-collapsed" : ""}`} aria-label="Problems" data-problem-count={problems.length}>
      <header className="sl-problems-head" onClick={onToggle}>
        <h2>Problems</h2>
        <span className={`sl-count ${errors ? "is-error" : "is-ok"}`}>{errors} error{errors === 1 ? "" : "s"}</span>
        {warnings ? <span className="sl-count is-warning">{warnings} warning{warnings === 1 ? "" : "s"}</span> : null}
        {pending ? <span className="sl-checking">checking…</span> : null}
        <span className="sl-spacer" />
        <span className="sl-caret" aria-hidden="true">{collapsed ? "▴" : "▾"}</span>
      </header>
      {collapsed ? null : (
        <ul className="sl-problem-list">
          {problems.length === 0 ? <li className="sl-empty-note">No problems: this machine can be published.</li> : null}
          {problems.map((p, i) => {
            const id = nodeOf(p);
            return (
              <li key={i} className={`sl-problem ${p.severity === "WARNING" ? "is-warning" : "is-error"}`} data-path={p.path}>
                <button type="button" className="sl-problem-where" onClick={() => id && onSelect([id])} title="Show the state">
                  {p.path || "/"}
                </button>
                <span className="sl-problem-code">{p.code}</span>
                <span className="sl-problem-message">{p.message}</span>
                <span className="sl-fixes">
                  {quickFixes(p, definition, id).slice(0, 3).map((fix) => (
                    <button key={fix.label} type="button" className="sl-mini sl-fix" onClick={() => onEdit(fix.apply, null)}>{fix.label}</button>
                  ))}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

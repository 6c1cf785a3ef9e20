// The list of keyboard shortcuts ("?").
const KEYS = [
  ["Ctrl/⌘ Z", "Undo"], ["Ctrl/⌘ Shift Z, Ctrl Y", "Redo"], ["Ctrl/⌘ C / X / V", "Copy / cut / paste states"],
  ["Ctrl/⌘ D", "Duplicate"], ["Delete, Backspace", "Delete states or edges"], ["Ctrl/⌘ A", "Select all"],
  ["Ctrl/⌘ S", "Save"], ["L", "Auto-layout"], ["F", "Fit to screen"], ["Esc", "Clear selection"],
];

export function KeysDialog({ onClose }) {
  return (
    <div className="sl-modal-backdrop" onMouseDown={onClose}>
      <div className="sl-modal" role="dialog" aria-label="Keyboard shortcuts">
        <header className="sl-modal-head"><h2>Keyboard shortcuts</h2></header>
        <div className="sl-modal-body"><table className="sl-keys"><tbody>{KEYS.map(([k, v]) => <tr key={k}><td><kbd>{k}</kbd></td><td>{v}</td></tr>)}</tbody></table></div>
      </div>
    </div>
  );
}

// One small icon per state type (24x24 strokes, currentColor).
const PATHS = {
  Task: "M4 7h16v10H4z M8 11h8 M8 14h5",
  Pass: "M5 12h12 M13 7l5 5-5 5",
  Choice: "M12 3l9 9-9 9-9-9z",
  Wait: "M12 7v5l3 3 M12 3a9 9 0 1 0 0.01 0",
  Succeed: "M5 12l4 4 10-10",
  Fail: "M6 6l12 12 M18 6L6 18",
  Parallel: "M7 4v16 M12 4v16 M17 4v16",
  Map: "M4 6h4v4H4z M4 14h4v4H4z M12 8h8 M12 16h8",
};

export function StateIcon({ type, size = 16 }) {
  const d = PATHS[type] ?? "M12 12m-6 0a6 6 0 1 0 12 0a6 6 0 1 0-12 0";
  return (
    <svg className="sl-icon" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor"
      strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={d} />
    </svg>
  );
}

// Where an edge goes. Mostly a rounded step path (React Flow's); but an edge
// running down past other states of its scope (a Choice's Default past a
// Map, say) would be drawn through them, so it detours beside them instead.

const MARGIN = 22;
const STUB = 18;

// obstacles: [{x, y, w, h}] in flow coordinates (the scope's other states).
// side: where the edge leaves its state ("bottom", or "right" for catchers).
// Returns the detour's corner points, or null when the straight way is clear.
export function detour(sx, sy, tx, ty, obstacles, lane = 0, side = "bottom") {
  if (ty <= sy + 2 * STUB || !obstacles?.length) return null;
  const fromRight = side === "right";
  const x0 = fromRight ? sx + STUB : sx; // where the way down starts
  const top = fromRight ? sy : sy + STUB;
  const bottom = ty - STUB;
  const left = Math.min(x0, tx);
  const right = Math.max(x0, tx);
  const blocking = obstacles.filter((o) => o.y < bottom && o.y + o.h > top && o.x < right + 4 && o.x + o.w > left - 4);
  if (!blocking.length) return null;
  const minX = Math.min(...blocking.map((o) => o.x)) - MARGIN;
  const maxX = Math.max(...blocking.map((o) => o.x + o.w)) + MARGIN;
  // edges sharing a way run side by side (`lane` apart)
  let x = Math.abs(maxX - x0) <= Math.abs(x0 - minX) ? maxX + lane * 8 : minX - lane * 8;
  if (fromRight && x < sx + 6) x = Math.max(x, (sx + minX + MARGIN) / 2); // never back into its own state
  const start = fromRight ? [[sx, sy], [x, sy]] : [[sx, sy], [sx, top], [x, top]];
  return [...start, [x, bottom], [tx, bottom], [tx, ty]];
}

// An SVG path through the points with rounded corners.
export function roundedPath(points, radius = 10) {
  let d = `M ${points[0][0]},${points[0][1]}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [px, py] = points[i - 1];
    const [x, y] = points[i];
    const [nx, ny] = points[i + 1];
    const r = Math.min(radius, Math.hypot(x - px, y - py) / 2, Math.hypot(nx - x, ny - y) / 2);
    const inX = x - Math.sign(x - px) * r;
    const inY = y - Math.sign(y - py) * r;
    const outX = x + Math.sign(nx - x) * r;
    const outY = y + Math.sign(ny - y) * r;
    d += ` L ${inX},${inY} Q ${x},${y} ${outX},${outY}`;
  }
  const [lx, ly] = points[points.length - 1];
  return `${d} L ${lx},${ly}`;
}

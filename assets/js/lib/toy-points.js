// What the point views of the toy figures share (the 3-D view in toy-3d.js,
// the code plane in toy-plane.js and toy-bench's code plane): the mark of the
// highlighted point, the point nearest the pointer, hover by mouse or pen, and
// drags by one pointer.

/**
 * Draw the highlighted point at (x, y): a dot of radius 1.9 r in its colour,
 * a halo in the background colour and a ring in the foreground colour.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} x @param {number} y @param {number} r the plain points' radius
 * @param {string} fill the point's colour
 * @param {{fg: string, bg: string}} theme
 */
export function drawHighlight(ctx, x, y, r, fill, theme) {
  ctx.beginPath();
  ctx.arc(x, y, r * 1.9, 0, 2 * Math.PI);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = theme.bg;
  ctx.stroke();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = theme.fg;
  ctx.beginPath();
  ctx.arc(x, y, r * 1.9 + 2, 0, 2 * Math.PI);
  ctx.stroke();
}

/**
 * The index of the point nearest (x, y) no farther than `reach`, or null.
 * Of two points at the same distance the nearer in depth wins, else the first.
 * @param {number} count
 * @param {(i: number) => number[]} at point i's [x, y] or [x, y, depth] (larger = farther)
 * @param {number} x @param {number} y @param {number} reach
 * @returns {number|null}
 */
export function nearestPoint(count, at, x, y, reach) {
  let best = null, bestD = reach ** 2, bestDepth = 0;
  for (let i = 0; i < count; i += 1) {
    const [px, py, depth = 0] = at(i);
    const d = (px - x) ** 2 + (py - y) ** 2;
    if (d < bestD || (best !== null && d === bestD && depth < bestDepth)) {
      best = i;
      bestD = d;
      bestDepth = depth;
    }
  }
  return best;
}

/**
 * Report the point under a mouse or pen as `onHover(index | null, "hover")`,
 * and null when the mouse leaves; listeners end with the figure.
 * @param {ReturnType<import("./figure.js").createFigure>} fig
 * @param {HTMLCanvasElement} canvas
 * @param {(clientX: number, clientY: number) => (number|null)} pick
 * @param {((i: number|null, how: string) => void)|undefined} onHover
 * @param {() => boolean} [busy] while true (e.g. during a drag) nothing is reported
 */
export function hoverPoints(fig, canvas, pick, onHover, busy = () => false) {
  fig.on(canvas, "pointermove", (event) => {
    if (busy() || (event.pointerType !== "mouse" && event.pointerType !== "pen")) return;
    onHover?.(pick(event.clientX, event.clientY), "hover");
  });
  fig.on(canvas, "pointerleave", (event) => {
    if (!busy() && event.pointerType === "mouse") onHover?.(null, "hover");
  });
}

/**
 * Follow one pointer from pointerdown on `target` (with the main button) until it is up or
 * cancelled: `move(dx, dy, event)` for each move once it has gone `threshold` px, then
 * `end(event, moved)`. Listeners end with the figure. Returns a function: is a drag under way?
 * @param {ReturnType<import("./figure.js").createFigure>} fig
 * @param {HTMLElement} target
 * @param {{threshold: number, move: (dx: number, dy: number, event: PointerEvent) => void,
 *   end: (event: PointerEvent, moved: boolean) => void}} handlers
 * @returns {() => boolean}
 */
export function dragPointer(fig, target, { threshold, move, end }) {
  let drag = null;
  fig.on(target, "pointerdown", (event) => {
    if (event.button !== 0 || drag) return;
    drag = { id: event.pointerId, x: event.clientX, y: event.clientY, moved: false };
    try { target.setPointerCapture(event.pointerId); } catch { /* synthetic pointer */ }
  });
  fig.on(target, "pointermove", (event) => {
    if (!drag || drag.id !== event.pointerId) return;
    const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < threshold) return;
    drag.moved = true;
    drag.x = event.clientX;
    drag.y = event.clientY;
    move(dx, dy, event);
  });
  const finish = (event) => {
    if (!drag || drag.id !== event.pointerId) return;
    const { moved } = drag;
    drag = null;
    end(event, moved);
  };
  fig.on(target, "pointerup", finish);
  fig.on(target, "pointercancel", finish);
  return () => drag !== null;
}

// Pointer gestures on a canvas, reduced to intentions: hover, tap, drag,
// pinch, wheel and double-click, in CSS px relative to the canvas. Works the
// same for mouse, pen and touch (pointer events); every listener is removed
// when `signal` aborts.

const DRAG_SLOP = 5; // CSS px a pointer may move and still count as a tap
const WHEEL_SPEED = 0.0022; // zoom factor per wheel pixel, as exp(-delta * speed)

/**
 * @param {HTMLCanvasElement} canvas
 * @param {{
 *   hover?: (x: number, y: number, type: string) => void,   // a pointer moved with no button down
 *   leave?: () => void,                                      // the mouse left the canvas
 *   tap?: (x: number, y: number, type: string) => void,     // pressed and released without moving
 *   start?: () => void,                                      // a drag or pinch begins (the camera is taken)
 *   drag?: (dx: number, dy: number) => void,                // pointer offset since the gesture began
 *   pinch?: (scale: number, x0: number, y0: number, dx: number, dy: number) => void, // two pointers
 *   end?: () => void,                                        // every pointer is up
 *   wheel?: (factor: number, x: number, y: number) => boolean, // return false to let the page scroll
 *   doubleClick?: (x: number, y: number, out: boolean) => void,
 * }} on
 * @param {AbortSignal} signal
 */
export function listenGestures(canvas, on, signal) {
  const pointers = new Map(); // pointerId -> {x, y}
  let gesture = null; // {kind: "drag" | "pinch", x0, y0, d0?, moved}

  const local = (event) => {
    const r = canvas.getBoundingClientRect();
    return { x: event.clientX - r.left, y: event.clientY - r.top };
  };
  const pinchOf = () => {
    const [a, b] = [...pointers.values()];
    return { d: Math.hypot(a.x - b.x, a.y - b.y) || 1, x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  };

  // (re)start from the pointers that are down now, so adding or lifting a finger never jumps
  function restart() {
    const moved = Boolean(gesture?.moved);
    if (pointers.size >= 2) {
      const p = pinchOf();
      gesture = { kind: "pinch", d0: p.d, x0: p.x, y0: p.y, moved: true };
      on.start?.();
    } else if (pointers.size === 1) {
      const [p] = pointers.values();
      gesture = { kind: "drag", x0: p.x, y0: p.y, moved };
      if (moved) on.start?.();
    } else {
      gesture = null;
    }
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    canvas.setPointerCapture?.(event.pointerId);
    pointers.set(event.pointerId, local(event));
    restart();
  }, { signal });

  canvas.addEventListener("pointermove", (event) => {
    const p = local(event);
    if (!pointers.has(event.pointerId)) {
      if (event.pointerType !== "touch" && !gesture) on.hover?.(p.x, p.y, event.pointerType);
      return;
    }
    pointers.set(event.pointerId, p);
    if (!gesture) return;
    if (gesture.kind === "drag") {
      const dx = p.x - gesture.x0;
      const dy = p.y - gesture.y0;
      if (!gesture.moved) {
        if (Math.hypot(dx, dy) < DRAG_SLOP) return;
        gesture.moved = true;
        on.start?.();
      }
      on.drag?.(dx, dy);
    } else {
      const q = pinchOf();
      on.pinch?.(q.d / gesture.d0, gesture.x0, gesture.y0, q.x - gesture.x0, q.y - gesture.y0);
    }
  }, { signal });

  function up(event, cancelled) {
    if (!pointers.has(event.pointerId)) return;
    const p = local(event);
    pointers.delete(event.pointerId);
    if (!cancelled && gesture && !gesture.moved && pointers.size === 0) on.tap?.(p.x, p.y, event.pointerType);
    const wasMoving = Boolean(gesture?.moved);
    restart();
    if (!gesture && wasMoving) on.end?.();
  }
  canvas.addEventListener("pointerup", (event) => up(event, false), { signal });
  canvas.addEventListener("pointercancel", (event) => up(event, true), { signal });
  canvas.addEventListener("pointerleave", (event) => {
    if (event.pointerType === "mouse" && !gesture) on.leave?.();
  }, { signal });

  canvas.addEventListener("wheel", (event) => {
    const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? canvas.clientHeight : 1;
    // a trackpad pinch arrives as a wheel event with ctrlKey and small deltas
    const factor = Math.exp(-event.deltaY * unit * WHEEL_SPEED * (event.ctrlKey ? 4 : 1));
    const p = local(event);
    if (on.wheel?.(factor, p.x, p.y) !== false) event.preventDefault();
  }, { signal, passive: false });

  canvas.addEventListener("dblclick", (event) => {
    const p = local(event);
    on.doubleClick?.(p.x, p.y, event.shiftKey);
  }, { signal });

  return {
    /** Whether a drag or pinch is under way. */
    get active() {
      return Boolean(gesture);
    },
  };
}

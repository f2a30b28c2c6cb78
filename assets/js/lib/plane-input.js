// Pointer and keyboard input on a code plane (createPlane from decoder-plane.js):
// a probe dragged (or, with `hover`, led) by the pointer, and moved by the
// arrow, Page, Home and End keys.

// Keep receiving a drag's moves outside the element (synthetic pointers cannot be captured).
export function capture(element, pointerId) {
  try {
    element.setPointerCapture(pointerId);
  } catch {
    // not an active pointer: the moves still arrive while over the element
  }
}

// The code under a pointer event on the plane's canvas.
function pointerCode(plane, canvas, event) {
  const box = canvas.getBoundingClientRect();
  return plane.toCode(event.clientX - box.left, event.clientY - box.top);
}

// [dx, dy, coarse] by key: one step along each axis; coarse keys always take the big step.
const KEY_MOVES = {
  ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1],
  PageUp: [0, 1, true], PageDown: [0, -1, true], Home: [-1, 0, true], End: [1, 0, true],
};

/**
 * A primary-button press on the plane's canvas focuses it and calls `move(code, which)`,
 * and so does every move of that pointer until it is released; `which` is what
 * `pick(event)` said at the press. With `hover`, a mouse or pen moving over the
 * plane without a press moves the probe too (`which` undefined). Listeners go with `fig`.
 * @param {{on: Function}} fig @param {object} plane @param {HTMLCanvasElement} canvas
 * @param {{move: (code: number[], which?: any) => void, pick?: (event: PointerEvent) => any, hover?: boolean}} options
 */
export function followPointer(fig, plane, canvas, { move, pick = () => undefined, hover = false }) {
  let drag = null; // {pointerId, which}
  fig.on(canvas, "pointerdown", (event) => {
    if (event.button !== 0) return;
    drag = { pointerId: event.pointerId, which: pick(event) };
    capture(canvas, event.pointerId);
    canvas.focus({ preventScroll: true });
    move(pointerCode(plane, canvas, event), drag.which);
  });
  fig.on(canvas, "pointermove", (event) => {
    const dragging = drag !== null && event.pointerId === drag.pointerId;
    if (dragging || (hover && event.pointerType !== "touch")) {
      move(pointerCode(plane, canvas, event), dragging ? drag.which : undefined);
    }
  });
  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
    fig.on(canvas, type, (event) => {
      if (drag && event.pointerId === drag.pointerId) drag = null;
    });
  }
}

/**
 * Arrow keys on the plane's canvas call `step([dx, dy])`, in code units: a `fine`
 * fraction of each axis's span, or a `coarse` one with Shift and for Page Up/Down,
 * Home and End. Other keys go to `other(event)` (which returns true when it used one).
 * Keys with Alt, Ctrl or Meta are left to the browser.
 * @param {{on: Function}} fig @param {HTMLCanvasElement} canvas
 * @param {{spans: number[], fine: number, coarse: number, step: (delta: number[]) => void, other?: (event: KeyboardEvent) => boolean}} options
 */
export function arrowKeys(fig, canvas, { spans, fine, coarse, step, other = () => false }) {
  fig.on(canvas, "keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const move = KEY_MOVES[event.key];
    if (move) {
      const size = (move[2] || event.shiftKey) ? coarse : fine;
      event.preventDefault();
      step([move[0] * size * spans[0], move[1] * size * spans[1]]);
    } else if (other(event)) {
      event.preventDefault();
    }
  });
}

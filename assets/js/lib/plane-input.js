// Pointer and keyboard input on a code plane (createPlane from decoder-plane.js):
// pointer capture, the code under a pointer event and the arrow/Page/Home/End moves.

// Keep receiving a drag's moves outside the element (synthetic pointers cannot be captured).
export function capture(element, pointerId) {
  try {
    element.setPointerCapture(pointerId);
  } catch {
    // not an active pointer: the moves still arrive while over the element
  }
}

// The code under a pointer event on the plane's canvas.
export function pointerCode(plane, canvas, event) {
  const box = canvas.getBoundingClientRect();
  return plane.toCode(event.clientX - box.left, event.clientY - box.top);
}

// [dx, dy, coarse] by key: one step along each axis; coarse keys always take the big step.
const KEY_MOVES = {
  ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1],
  PageUp: [0, 1, true], PageDown: [0, -1, true], Home: [-1, 0, true], End: [1, 0, true],
};

// The move a key asks for, as fractions of the axes' spans ([dx, dy]), or null when
// the key does not move the probe. Shift (or a coarse key) takes the coarse step.
export function keyMove(event, fine, coarse) {
  const move = KEY_MOVES[event.key];
  if (!move) return null;
  const step = (move[2] || event.shiftKey) ? coarse : fine;
  return [move[0] * step, move[1] * step];
}

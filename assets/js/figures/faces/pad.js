// A 2-D pad: one focusable element that holds a point (x, y) inside an extent.
// Drag or tap it (mouse, pen, touch), or use the arrow keys (Shift for bigger
// steps, Home for the centre). It carries slider semantics for screen readers
// (role="slider", aria-valuetext naming both values).

const STEPS = 40; // arrow key steps across the extent
const BIG = 5; // a Shift step is this many steps

/** A number formatter with enough decimals to tell one arrow-key step from the next. */
export function codeFormat(extent) {
  const span = Math.min(...[0, 1].map((d) => Math.abs(extent.max[d] - extent.min[d]) || 1));
  const digits = Math.max(0, Math.min(8, 2 - Math.floor(Math.log10(span / STEPS * 10))));
  return (v) => v.toFixed(digits);
}

/**
 * @param {HTMLElement} element the focusable pad (its canvas child is drawn by the caller)
 * @param {{extent: {min: number[], max: number[]}, value: number[], toCode: (px: number, py: number) => number[],
 *          onChange: (value: number[], source: string) => void, label: string, signal: AbortSignal}} options
 */
export function createPad(element, { extent, value, toCode, onChange, label, signal }) {
  const fmt = codeFormat(extent);
  let current = clampValue(value);
  let dragging = null;
  element.tabIndex = 0;
  element.setAttribute("role", "slider");
  element.setAttribute("aria-roledescription", "2-D slider");
  element.setAttribute("aria-label", label);
  element.setAttribute("aria-valuemin", fmt(extent.min[0]));
  element.setAttribute("aria-valuemax", fmt(extent.max[0]));
  element.setAttribute("aria-keyshortcuts", "ArrowLeft ArrowRight ArrowUp ArrowDown Home");
  element.style.touchAction = "none"; // dragging the pad must not scroll; the rest of the page still does

  function clampValue([x, y]) {
    return [0, 1].map((d, i) => Math.min(extent.max[d], Math.max(extent.min[d], i ? y : x)));
  }

  function describe() {
    const [x, y] = current;
    element.setAttribute("aria-valuenow", fmt(x));
    element.setAttribute("aria-valuetext", `code 1: ${fmt(x)}, code 2: ${fmt(y)}`);
    element.dataset.x = String(x);
    element.dataset.y = String(y);
  }

  function set(next, source) {
    current = clampValue(next);
    describe();
    onChange(current, source);
  }

  function fromPointer(event) {
    const box = element.getBoundingClientRect();
    set(toCode(event.clientX - box.left, event.clientY - box.top), "pointer");
  }

  element.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    dragging = event.pointerId;
    element.setPointerCapture(event.pointerId);
    element.focus({ preventScroll: true });
    event.preventDefault();
    fromPointer(event);
  }, { signal });
  element.addEventListener("pointermove", (event) => {
    if (event.pointerId === dragging) fromPointer(event);
  }, { signal });
  const end = (event) => {
    if (event.pointerId !== dragging) return;
    dragging = null;
    set(current, "pointerup");
  };
  element.addEventListener("pointerup", end, { signal });
  element.addEventListener("pointercancel", end, { signal });
  element.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const step = [0, 1].map((d) => ((extent.max[d] - extent.min[d]) / STEPS) * (event.shiftKey ? BIG : 1));
    const [x, y] = current;
    const moves = {
      ArrowLeft: [x - step[0], y], ArrowRight: [x + step[0], y],
      ArrowUp: [x, y + step[1]], ArrowDown: [x, y - step[1]],
      Home: [(extent.min[0] + extent.max[0]) / 2, (extent.min[1] + extent.max[1]) / 2],
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    set(moves[event.key], "keyboard");
  }, { signal });

  describe();
  return {
    value: () => [...current],
    set: (next, source = "api") => set(next, source),
    dragging: () => dragging !== null,
  };
}

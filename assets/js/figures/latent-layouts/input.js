// What the reader's keys, buttons and pointers do in the latent-layouts figure:
// the layout toolbar (arrows move, Enter or Space press), the class legend,
// the zoom buttons, the stage's keys (+ − 0, arrows, Enter, Escape), and
// wheel, pinch, drag, hover and tap on the canvas.

import { listenGestures } from "./gestures.js";
import { panBy, zoomAt } from "./view.js";

const KEY_ZOOM = 1.5;
const KEY_PAN = 0.12; // share of the shorter canvas side per arrow key press
const TAP_TOLERANCE = { mouse: 6, pen: 10, touch: 18 };
const CROSSHAIR_TOLERANCE = 24; // CSS px around the crosshair that Enter inspects

const modified = (event) => event.altKey || event.ctrlKey || event.metaKey;

/**
 * Wire the figure's controls to `plot` (see plot.js); every listener goes when the figure is destroyed.
 * @param {ReturnType<import("../../lib/figure.js").createFigure>} fig
 * @param {ReturnType<import("./controls.js").buildControls>} ui
 * @param {ReturnType<import("./plot.js").createPlot>} plot
 * @param {HTMLCanvasElement} canvas
 */
export function listenInput(fig, ui, plot, canvas) {
  const { stage, toolbar, layoutButtons, legendButtons } = ui;
  const s = plot.state;
  const rove = (next) => {
    for (const b of layoutButtons) b.tabIndex = b === next ? 0 : -1;
  };

  for (const button of layoutButtons) {
    fig.on(button, "click", () => {
      rove(button);
      plot.setLayout(button.dataset.layout);
    });
  }
  fig.on(toolbar, "keydown", (event) => {
    const k = layoutButtons.indexOf(document.activeElement);
    if (k < 0 || modified(event)) return;
    const n = layoutButtons.length;
    const moves = { ArrowRight: k + 1, ArrowDown: k + 1, ArrowLeft: k - 1, ArrowUp: k - 1, Home: 0, End: n - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = layoutButtons[((moves[event.key] % n) + n) % n];
    rove(next);
    next.focus();
  });

  for (const button of legendButtons) fig.on(button, "click", () => plot.toggleHighlight(Number(button.dataset.class)));

  fig.on(ui.zoomIn, "click", () => plot.zoomBy(KEY_ZOOM, undefined, undefined, true));
  fig.on(ui.zoomOut, "click", () => plot.zoomBy(1 / KEY_ZOOM, undefined, undefined, true));
  fig.on(ui.zoomReset, "click", () => plot.resetView());

  fig.on(stage, "keydown", (event) => {
    if (modified(event) || event.target !== stage) return;
    const { width, height } = s.size;
    const step = KEY_PAN * Math.min(width, height);
    const pans = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (event.key === "+" || event.key === "=") plot.zoomBy(KEY_ZOOM, undefined, undefined, true);
    else if (event.key === "-" || event.key === "_") plot.zoomBy(1 / KEY_ZOOM, undefined, undefined, true);
    else if (event.key === "0") plot.resetView();
    else if (pans[event.key]) plot.setView(panBy(s.view, ...pans[event.key], s.size));
    else if (event.key === "Enter" || event.key === " ") plot.setHover(plot.pick(width / 2, height / 2, CROSSHAIR_TOLERANCE), { announce: true });
    else if (!(event.key === "Escape" && plot.clearInspection())) return;
    event.preventDefault();
  });

  let view0 = s.view; // the view when the current drag or pinch began
  listenGestures(canvas, {
    hover: (x, y, type) => plot.setHover(plot.pick(x, y, TAP_TOLERANCE[type] || 6)),
    leave: () => plot.setHover(-1),
    tap: (x, y, type) => plot.setHover(plot.pick(x, y, TAP_TOLERANCE[type] || 6), { announce: true }),
    start: () => {
      view0 = plot.grab();
      stage.classList.add("is-dragging");
    },
    drag: (dx, dy) => plot.setView(panBy(view0, dx, dy, s.size)),
    pinch: (scale, x0, y0, dx, dy) => plot.setView(panBy(zoomAt(view0, scale, x0, y0, plot.limits()), dx, dy, s.size)),
    end: () => stage.classList.remove("is-dragging"),
    wheel: (factor, x, y) => {
      if (factor < 1 && s.view.zoom <= plot.home().zoom + 1e-6) return false; // at the widest view, let the page scroll
      s.interacted = true;
      plot.zoomBy(factor, x, y);
      return true;
    },
    doubleClick: (x, y, out) => plot.zoomBy(out ? 0.5 : 2, x, y),
  }, fig.signal);
}

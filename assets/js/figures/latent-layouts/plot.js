// The state and drawing of the latent-layouts figure: the camera (zoom and
// centre, clamped to the data), the layout shown (morphing from the last one),
// the hovered point and the highlighted class, and the render that draws them
// into the WebGL canvas. Frames are drawn on demand (one per request, at most
// one a frame), and continuously only while a morph runs.

import { readTheme } from "../../lib/theme.js";
import { formatFigureState, writeFigureHash } from "./hash.js";
import { rgbOf } from "./inset.js";
import { createMorph } from "./morph.js";
import { pickPoint, spriteSize } from "./pick.js";
import {
  HOME, clampView, homeView, keepPointsInView, lerpView, maxZoomFor, pixelsPerUnit, sameView, toScreen, zoomAt,
} from "./view.js";

const HASH_DELAY_MS = 250;
const DIM_ALPHA = 0.1;
const MAX_HEIGHT = 560;

const smoothstep = (a, b, x) => {
  const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
  return t * t * (3 - 2 * t);
};
const mix = (a, b, t) => a + (b - a) * t;
const format = (n) => n.toLocaleString("en");

/**
 * @param {ReturnType<import("../../lib/figure.js").createFigure>} fig
 * @param {{spec: object, labels: Uint8Array, layouts: Map<string, object>, renderer: object, inset: object,
 *   ui: object, canvas: HTMLCanvasElement, say: (text: string) => void, id: string,
 *   start: {layout: string, view: object|null} | null, stream: object}} parts `start`: the layout and view from the
 *   URL hash; `stream`: what loads after mount (stream.js)
 */
export function createPlot(fig, { spec, labels, layouts, renderer, inset, ui, canvas, say, id, start, stream }) {
  const { count } = spec;
  const { stage, zoomIn, zoomOut, layoutButtons, legendButtons } = ui;
  const s = {
    size: { width: 0, height: 0, ratio: 1, maxZoom: maxZoomFor(count) },
    view: HOME,
    hover: -1,
    highlight: -1,
    interacted: false,
    drawCount: 0,
  };
  const morph = createMorph(renderer, layouts, start && layouts.has(start.layout) ? start.layout : spec.initial);
  let pendingView = start?.view || null; // applied once the canvas has a size
  let requested = morph.target; // the layout the reader asked for last (a streamed one may still be loading)
  let hashTimer = 0;
  let theme = null;
  let colors = null;
  const palette = new Float32Array(30);
  spec.palette.slice(0, 10).forEach((c, k) => palette.set(rgbOf(c).map((v) => v / 255), k * 3));

  const loop = fig.animate((now) => {
    render(now);
    return Boolean(morph.run);
  });
  const frame = fig.scheduler(() => {
    if (!loop.running) render();
  });
  const requestDraw = () => (morph.run ? loop.start() : frame.invalidate());

  function readColors() {
    theme = readTheme(fig.el);
    const fg = rgbOf(theme.fg).map((v) => v / 255);
    const light = 0.2126 * fg[0] + 0.7152 * fg[1] + 0.0722 * fg[2] > 0.5; // light text: a dark theme
    // zoomed in, the ink leans towards the text colour for contrast; less so on dark, where it would wash out
    colors = { ink: fg, ring: fg, inkMix: light ? 0.15 : 0.35 };
  }

  // the view that shows all of a layout; its zoom is the least the reader can zoom out to
  const home = (layout = layouts.get(morph.target)) => homeView(layout.box, s.size);
  const limits = (layout = layouts.get(morph.target)) => ({ ...s.size, minZoom: home(layout).zoom });
  // the view clamped to the zoom limits and the data's box, with some point always in sight
  const fit = (next, layout = layouts.get(morph.target)) => keepPointsInView(clampView(next, layout.box, limits(layout)), layout.xy, s.size);

  function pick(sx, sy, tolerance) {
    return pickPoint(sx, sy, tolerance, { ...s, ...morph.positions(), count, labels, e: morph.eased() });
  }

  const { words } = spec;
  // which image of the data set: a streamed figure's points are in the tiles' order, so it says "one of"
  const which = (i) => (spec.lazy ? `one of ${format(count)}` : `image ${format(i + 1)} of ${format(count)}`);
  const describe = (i) => {
    const name = words.name(labels[i]);
    const text = which(i);
    return `${name ? `${name}, ${text}` : text[0].toUpperCase() + text.slice(1)}.`;
  };

  function placeInset() {
    const { hover, size } = s;
    if (hover < 0) return inset.hide();
    const p = morph.pointAt(hover, morph.eased());
    const at = toScreen(s.view, size, p.x, p.y);
    if (at.x < -20 || at.y < -20 || at.x > size.width + 20 || at.y > size.height + 20) return inset.hide();
    return inset.show({
      index: hover, label: words.name(labels[hover]) || "Image", detail: which(hover),
      color: spec.palette[labels[hover] % 10], x: at.x, y: at.y, width: size.width, height: size.height,
      ink: theme.fg, paper: theme.bg,
    });
  }

  function setHover(i, { announce = false } = {}) {
    if (announce && i >= 0) say(describe(i));
    if (i === s.hover) return;
    s.hover = i;
    requestDraw();
  }

  function render(now = performance.now()) {
    if (!s.size.width || fig.destroyed) return;
    const started = performance.now();
    const step = morph.frame(now);
    if (step && morph.run.followView) s.view = lerpView(morph.run.viewFrom, morph.run.viewTo, step.e);
    if (step?.done) {
      morph.finish();
      s.view = fit(s.view);
    }
    const { size, view } = s;
    const ppu = pixelsPerUnit(view.zoom, size.width, size.height);
    const sprite = spriteSize(view.zoom, size, count);
    const grow = smoothstep(9, 40, sprite);
    renderer.draw({
      from: morph.fromKey, to: morph.target, t: morph.run ? step.e : 1,
      centre: [view.cx, view.cy],
      clipPerUnit: [(2 * ppu) / size.width, (2 * ppu) / size.height],
      size: sprite * size.ratio, ratio: size.ratio,
      highlight: s.highlight, dim: DIM_ALPHA,
      gain: mix(1.9, 1.05, grow), tile: mix(0.32, 0.14, grow), inkMix: mix(0.0, colors.inkMix, grow),
      ink: colors.ink, ringColor: colors.ring, palette, hover: s.hover,
    });
    s.drawCount += 1;
    stream.update(view, size, morph.target, home().zoom, s.hover, Boolean(morph.run));
    if (morph.run) morph.run.cpu.push(performance.now() - started);
    placeInset();
    // aria-disabled rather than disabled, so a focused button keeps the focus at the limit
    zoomIn.setAttribute("aria-disabled", String(view.zoom >= size.maxZoom - 1e-6));
    const minZoom = home().zoom;
    zoomOut.setAttribute("aria-disabled", String(view.zoom <= minZoom + 1e-6));
    stage.classList.toggle("is-zoomed", view.zoom > minZoom + 1e-3);
  }

  function scheduleHash() {
    fig.clearTimeout(hashTimer);
    hashTimer = fig.timeout(() => {
      hashTimer = 0;
      const run = morph.run;
      writeFigureHash(id, formatFigureState(morph.target, run?.followView ? run.viewTo : s.view, home()));
    }, HASH_DELAY_MS);
  }

  function setView(next, { hash = true } = {}) {
    const clamped = fit(next);
    if (morph.run) morph.run.followView = false; // the reader has taken the camera
    if (sameView(clamped, s.view)) return false;
    s.view = clamped;
    if (hash) scheduleHash();
    requestDraw();
    return true;
  }

  function updateButtons() {
    for (const button of layoutButtons) button.setAttribute("aria-pressed", String(button.dataset.layout === morph.target));
  }

  // `nextView`: the view to end on ("home": the whole of the new layout; null: the reader's, kept where it can be)
  function setLayout(next, { animate = !fig.reducedMotion, announce = true, hash = true, nextView = null } = {}) {
    if (!layouts.has(next)) return;
    requested = next;
    if (!layouts.get(next).xy) { // a streamed figure's layout not loaded yet: load it, then go on
      stream.ensureLayout(next).then(
        // unless the reader has asked for another one meanwhile
        () => !fig.destroyed && requested === next && setLayout(next, { animate, announce, hash, nextView }),
        () => !fig.destroyed && requested === next && say(`The ${layouts.get(next).title} layout did not load; try again.`),
      );
      return;
    }
    const wanted = nextView === "home" ? home(layouts.get(next)) : nextView ? fit(nextView, layouts.get(next)) : null;
    if (next === morph.target) {
      if (wanted) setView(wanted, { hash });
      return;
    }
    const now = performance.now();
    const run = morph.run;
    const previous = morph.retarget(next, now);
    const layout = layouts.get(next);
    // a reader who has not moved the camera sees the whole of the new layout
    const atHome = sameView(run?.followView ? run.viewTo : s.view, home(layouts.get(previous)), 1e-4);
    const viewTo = wanted || (atHome ? home(layout) : fit(s.view, layout));
    if (animate && s.size.width) {
      morph.start(now, s.view, viewTo);
    } else {
      morph.jump();
      s.view = viewTo;
    }
    updateButtons();
    if (announce) say(`${layout.title} layout, trustworthiness ${layout.trust.toFixed(2)}.`);
    if (hash) scheduleHash();
    requestDraw();
  }

  function zoomBy(factor, sx = s.size.width / 2, sy = s.size.height / 2, announce = false) {
    if (setView(zoomAt(s.view, factor, sx, sy, limits())) && announce) say(`Zoom ${s.view.zoom.toFixed(1)}×.`);
  }

  function measure() {
    const width = Math.max(stage.clientWidth, 160);
    const height = Math.round(Math.min(MAX_HEIGHT, Math.max(Math.min(width, 320), width * 0.68)));
    const ratio = window.devicePixelRatio || 1;
    const { size } = s;
    if (width === size.width && height === size.height && ratio === size.ratio) return;
    const wasHome = !size.width || sameView(s.view, home(), 1e-4);
    Object.assign(size, { width, height, ratio });
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    renderer.resize(Math.round(width * ratio), Math.round(height * ratio));
    if (pendingView) {
      s.view = fit(pendingView);
      pendingView = null;
    } else {
      s.view = wasHome ? home() : fit(s.view);
    }
    if (morph.run) morph.run.viewTo = fit(morph.run.viewTo);
    // resizing cleared the canvas: draw now rather than show a blank frame
    if (!fig.paused) {
      render();
      if (morph.run) loop.start();
    }
  }

  function setHighlight(k) {
    s.highlight = k;
    for (const b of legendButtons) b.setAttribute("aria-pressed", String(Number(b.dataset.class) === k));
    if (s.hover >= 0 && k >= 0 && labels[s.hover] !== k) s.hover = -1;
    say(k >= 0 ? `Highlighting ${words.items} labelled ${spec.classes[k]}.` : "Showing every class.");
    requestDraw();
  }

  return {
    state: s,
    morph,
    render,
    requestDraw,
    home,
    limits,
    pick,
    setHover,
    setView,
    setLayout,
    zoomBy,
    measure,
    readColors,
    updateButtons,
    /** Highlight class k, or every class again when it is highlighted already. */
    toggleHighlight: (k) => setHighlight(s.highlight === k ? -1 : k),
    /** Escape: hide the inspected point and show every class. */
    clearInspection() {
      if (s.hover < 0 && s.highlight < 0) return false;
      s.hover = -1;
      if (s.highlight >= 0) setHighlight(-1);
      requestDraw();
      return true;
    },
    resetView() {
      if (setView(home())) say("View reset: all points shown.");
    },
    /** A drag or pinch takes the camera: returns the view it starts from. */
    grab() {
      s.interacted = true;
      s.hover = -1;
      return s.view;
    },
    /** Client (page) coordinates of point i where it is drawn now. */
    clientOf(i) {
      const p = morph.pointAt(i, morph.eased());
      const at = toScreen(s.view, s.size, p.x, p.y);
      const r = canvas.getBoundingClientRect();
      return { x: r.left + at.x, y: r.top + at.y, inside: at.x >= 0 && at.y >= 0 && at.x <= s.size.width && at.y <= s.size.height };
    },
  };
}

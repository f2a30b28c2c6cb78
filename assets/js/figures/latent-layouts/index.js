// latent-layouts: every digit of the data set drawn as a small sprite from
// the texture atlases, tinted by class. The layout buttons morph the points
// between UMAP, t-SNE, PCA and the autoencoder's and VAE's codes; wheel,
// pinch, drag and keys zoom and pan (never past the data); hovering or
// tapping a point shows the digit enlarged. The layout and view live in the
// URL hash (#fig-2=umap@1.5,0.1,-0.2), so a link reopens the same view.
// One WebGL context (WebGL 2, else WebGL 1 with the same look); frames are
// drawn on demand, never in an idle loop. Without WebGL the figure does not
// mount: the runtime keeps the static image and says why in the status line.

import { announcer } from "../../lib/announce.js";
import { readTheme, onThemeChange } from "../../lib/theme.js";
import { ERROR_NO_WEBGL, createSpriteRenderer, openContext, releaseContext } from "../../lib/latent-layouts-gl.js";
import { formatFigureState, readFigureHash, writeFigureHash } from "../../lib/latent-layouts-hash.js";
import { listenGestures } from "../../lib/latent-layouts-gestures.js";
import { createInset, rgbOf } from "../../lib/latent-layouts-inset.js";
import { useLatentLayoutsStyle } from "../../lib/latent-layouts-style.js";
import {
  HOME, boundsOf, clampView, homeView, keepPointsInView, lerpView, maxZoomFor, panBy, pixelsPerUnit, sameView, toData,
  toScreen, zoomAt,
} from "../../lib/latent-layouts-view.js";

const MORPH_MS = 900;
const HASH_DELAY_MS = 250;
const KEY_ZOOM = 1.5;
const KEY_PAN = 0.12; // share of the shorter canvas side per arrow key press
const TAP_TOLERANCE = { mouse: 6, pen: 10, touch: 18 };
const MAX_SPRITE = 112; // CSS px
const DIM_ALPHA = 0.1;
const MAX_HEIGHT = 560;

const easeInOutCubic = (t) => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);
const smoothstep = (a, b, x) => {
  const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
  return t * t * (3 - 2 * t);
};
const mix = (a, b, t) => a + (b - a) * t;
const format = (n) => n.toLocaleString("en");

function validate(config) {
  const { count, layouts, atlas } = config;
  if (!Number.isInteger(count) || count < 1) throw new Error(`latent-layouts config.count must be a positive integer, got ${count}`);
  if (!Array.isArray(layouts) || !layouts.length) throw new Error("latent-layouts config.layouts must list at least one layout");
  for (const layout of layouts) {
    if (!layout.id || !layout.file || !layout.quant) throw new Error(`latent-layouts layout ${JSON.stringify(layout.id)} needs id, file and quant`);
  }
  if (!atlas || !Array.isArray(atlas.files) || !atlas.files.length) throw new Error("latent-layouts config.atlas.files is missing");
  if (atlas.files.length * atlas.per_atlas < count) throw new Error(`the atlases hold ${atlas.files.length * atlas.per_atlas} cells for ${count} points`);
  const palette = config.palette?.length >= 10 ? config.palette : null;
  if (!palette) throw new Error("latent-layouts config.palette needs ten colours");
  const classes = config.classes || palette.map((_, i) => String(i));
  const initial = layouts.some((l) => l.id === config.initial) ? config.initial : layouts[0].id;
  return { count, layouts, atlas, palette, classes, initial };
}

async function fetchBytes(url, name) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin" });
  } catch (error) {
    throw new Error(`${name} could not be fetched`, { cause: error });
  }
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

async function loadImage(url, name) {
  const image = new Image();
  image.decoding = "async";
  image.src = url;
  try {
    await image.decode();
  } catch (error) {
    throw new Error(`the atlas ${name} could not be loaded`, { cause: error });
  }
  return image;
}

function dequantise(q, { scale, offset }) {
  const xy = new Float32Array(q.length);
  for (let i = 0; i < q.length; i += 2) {
    xy[i] = q[i] * scale[0] + offset[0];
    xy[i + 1] = q[i + 1] * scale[1] + offset[1];
  }
  return xy;
}

function make(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

const RESET_ICON = '<svg viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.6">'
  + '<path d="M2 6V2h4M14 6V2h-4M2 10v4h4M14 10v4h-4"/></svg>';
const CROSSHAIR = '<svg viewBox="0 0 22 22" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.5">'
  + '<circle cx="11" cy="11" r="6"/><path d="M11 0v6M11 16v6M0 11h6M16 11h6"/></svg>';

export async function mount(el, config) {
  const spec = validate(config);
  const { count, atlas } = spec;
  const id = config.id || el.id;
  const base = config.base;

  // the one WebGL context first: without one, fetch nothing (the fallback image stays)
  const canvas = make("canvas", "", { "aria-hidden": "true" });
  const context = openContext(canvas);
  if (!context) throw new Error(ERROR_NO_WEBGL);

  // data: labels, every layout's positions, the atlases (all in parallel)
  const layouts = new Map();
  let labels;
  let images;
  try {
    let labelBytes, positionBytes;
    [labelBytes, positionBytes, images] = await Promise.all([
      fetchBytes(new URL(config.labels, base), "the labels file"),
      Promise.all(spec.layouts.map((l) => fetchBytes(new URL(l.file, base), `positions ${l.file}`))),
      Promise.all(atlas.files.map((file) => loadImage(new URL(atlas.base + file, base).href, file))),
    ]);
    labels = new Uint8Array(labelBytes);
    if (labels.length !== count) throw new Error(`the labels file has ${labels.length} entries for ${count} points`);
    spec.layouts.forEach((layout, k) => {
      const q = new Uint16Array(positionBytes[k]); // little-endian on every platform browsers run on
      if (q.length !== 2 * count) throw new Error(`${layout.file} holds ${q.length / 2} points, expected ${count}`);
      const xy = dequantise(q, layout.quant);
      layouts.set(layout.id, { ...layout, q, xy, box: boundsOf(xy) });
    });
  } catch (error) {
    releaseContext(context);
    throw error;
  }

  const releaseStyle = useLatentLayoutsStyle();
  const controller = new AbortController();
  const { signal } = controller;
  const say = announcer(el);
  const live = el.querySelector(".figure-live") || el;
  const reducedMotion = Boolean(config.reducedMotion);
  const coarse = matchMedia("(pointer: coarse)").matches;

  // DOM: the stage (canvas, zoom buttons, crosshair, inset), then legend and hint
  const root = make("div", "latent-layouts");
  const hintId = `${id}-ll-hint`;
  const stage = make("div", "latent-layouts__stage", {
    tabindex: "0", role: "group", "aria-roledescription": "zoomable scatter plot",
    "aria-label": `${config.alt || "Scatter plot"}`, "aria-describedby": hintId,
  });
  const crosshair = make("div", "latent-layouts__crosshair");
  crosshair.innerHTML = CROSSHAIR;
  const zoomBar = make("div", "latent-layouts__zoom");
  const zoomIn = make("button", "", { type: "button", "aria-label": "Zoom in", title: "Zoom in (+)" });
  zoomIn.textContent = "+";
  const zoomOut = make("button", "", { type: "button", "aria-label": "Zoom out", title: "Zoom out (−)" });
  zoomOut.textContent = "−";
  const zoomReset = make("button", "", { type: "button", "aria-label": "Reset view", title: "Reset view (0)" });
  zoomReset.innerHTML = RESET_ICON;
  zoomBar.append(zoomIn, zoomOut, zoomReset);
  stage.append(canvas, crosshair, zoomBar);
  const legend = make("ul", "figure-legend latent-layouts__legend", { "aria-label": "Digit classes: press one to highlight it" });
  const legendButtons = spec.classes.map((name, k) => {
    const li = make("li");
    const button = make("button", "", { type: "button", "aria-pressed": "false", "data-class": String(k) });
    const swatch = make("span", "swatch", { "aria-hidden": "true" });
    swatch.style.background = spec.palette[k];
    button.append(swatch, document.createTextNode(name));
    li.append(button);
    legend.append(li);
    return button;
  });
  const hint = make("p", "latent-layouts__hint", { id: hintId });
  hint.textContent = coarse
    ? "Pinch to zoom, drag to pan when zoomed in, tap a digit to see it. Keys: + − arrows 0."
    : "Scroll or use + and − to zoom, drag or arrow keys to pan, 0 to reset; hover a digit to see it (Enter shows the one under the crosshair).";
  root.append(stage, legend, hint);
  live.append(root);

  // layout buttons: the template's, or made here if the page has none
  let toolbar = el.querySelector("[data-layout-buttons]");
  let madeToolbar = false;
  if (!toolbar) {
    toolbar = make("div", "figure-controls latent-layouts__layouts", { role: "toolbar", "aria-label": "Layout of the points" });
    for (const layout of layouts.values()) {
      const button = make("button", "", { type: "button", "data-layout": layout.id, "aria-pressed": "false", tabindex: "-1" });
      button.textContent = `${layout.title} · ${layout.trust.toFixed(2)}`;
      toolbar.append(button);
    }
    root.prepend(toolbar);
    madeToolbar = true;
  }
  const layoutButtons = [...toolbar.querySelectorAll("button[data-layout]")].filter((b) => layouts.has(b.dataset.layout));

  // state
  const size = { width: 0, height: 0, ratio: 1, maxZoom: maxZoomFor(count) };
  const fromHash = readFigureHash(id);
  let target = fromHash && layouts.has(fromHash.layout) ? fromHash.layout : spec.initial;
  let fromKey = target;
  let fromXY = layouts.get(target).xy;
  let toXY = fromXY;
  let snapshot = null;
  let morph = null; // {start, duration, viewFrom, viewTo, followView, frames: []}
  let view = HOME;
  let pendingView = fromHash?.view || null; // applied once the canvas has a size
  let hover = -1;
  let highlight = -1;
  let paused = false;
  let destroyed = false;
  let raf = 0;
  let hashTimer = 0;
  let drawCount = 0;
  let lastMorph = null;
  let theme = null;
  let colors = null;
  let interacted = false;

  const palette = new Float32Array(30);
  spec.palette.slice(0, 10).forEach((c, k) => palette.set(rgbOf(c).map((v) => v / 255), k * 3));

  const renderer = createSpriteRenderer(context, { count, labels, atlas }, {
    onLost: () => say("The graphics context was lost; the figure will redraw when it is restored."),
    onRestored: () => { say(""); requestDraw(); },
  });
  for (const layout of layouts.values()) renderer.addLayout(layout.id, layout.q, layout.quant);
  renderer.setAtlases(images);
  const inset = createInset(stage, { images, cell: atlas.cell, perRow: atlas.per_row, perAtlas: atlas.per_atlas });

  function readColors() {
    theme = readTheme(el);
    const fg = rgbOf(theme.fg).map((v) => v / 255);
    const light = 0.2126 * fg[0] + 0.7152 * fg[1] + 0.0722 * fg[2] > 0.5; // light text: a dark theme
    // zoomed in, the ink leans towards the text colour for contrast; less so on dark, where it would wash out
    colors = { ink: fg, ring: fg, inkMix: light ? 0.15 : 0.35 };
  }

  // the view that shows all of a layout; its zoom is the least the reader can zoom out to
  function home(layout = layouts.get(target)) {
    return homeView(layout.box, size);
  }

  function limits(layout = layouts.get(target)) {
    return { width: size.width, height: size.height, maxZoom: size.maxZoom, minZoom: home(layout).zoom };
  }

  // the view clamped to the zoom limits and the data's box, with some point always in sight
  function fit(next, layout = layouts.get(target)) {
    return keepPointsInView(clampView(next, layout.box, limits(layout)), layout.xy, size);
  }

  function spriteCss(zoom) {
    const side = 2 * pixelsPerUnit(1, size.width, size.height);
    const spacing = side / Math.sqrt(count);
    const base = Math.min(22, Math.max(5, spacing * 1.5));
    return Math.min(MAX_SPRITE, base * zoom ** 0.75);
  }

  function eased(now = performance.now()) {
    if (!morph) return 1;
    return easeInOutCubic(Math.min(1, (now - morph.start) / morph.duration));
  }

  function pointAt(i, e) {
    const x = fromXY[2 * i] + (toXY[2 * i] - fromXY[2 * i]) * e;
    const y = fromXY[2 * i + 1] + (toXY[2 * i + 1] - fromXY[2 * i + 1]) * e;
    return { x, y };
  }

  // the point under canvas position (sx, sy): the topmost sprite there, else the nearest within `tolerance` px
  function pick(sx, sy, tolerance) {
    if (!size.width) return -1;
    const e = eased();
    const ppu = pixelsPerUnit(view.zoom, size.width, size.height);
    const at = toData(view, size, sx, sy);
    const inside = (spriteCss(view.zoom) / 2) * 0.8 / ppu;
    const near = Math.max(inside, tolerance / ppu);
    let top = -1;
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < count; i += 1) {
      if (highlight >= 0 && labels[i] !== highlight) continue;
      const dx = Math.abs(fromXY[2 * i] + (toXY[2 * i] - fromXY[2 * i]) * e - at.x);
      if (dx > near) continue;
      const dy = Math.abs(fromXY[2 * i + 1] + (toXY[2 * i + 1] - fromXY[2 * i + 1]) * e - at.y);
      if (dy > near) continue;
      if (dx <= inside && dy <= inside) top = i; // later points are drawn on top
      const d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = i; }
    }
    return top >= 0 ? top : best;
  }

  function describe(i) {
    return `${spec.classes[labels[i]]}`;
  }

  function placeInset() {
    if (hover < 0) { inset.hide(); return; }
    const p = pointAt(hover, eased());
    const s = toScreen(view, size, p.x, p.y);
    if (s.x < -20 || s.y < -20 || s.x > size.width + 20 || s.y > size.height + 20) { inset.hide(); return; }
    inset.show({
      index: hover, label: `Digit ${describe(hover)}`, detail: `image ${format(hover + 1)} of ${format(count)}`,
      color: spec.palette[labels[hover]], x: s.x, y: s.y, width: size.width, height: size.height,
      ink: theme.fg, paper: theme.bg,
    });
  }

  function setHover(i, { announce = false } = {}) {
    if (i === hover) { if (announce && i >= 0) say(`Digit ${describe(i)}, image ${format(i + 1)} of ${format(count)}.`); return; }
    hover = i;
    if (announce && i >= 0) say(`Digit ${describe(i)}, image ${format(i + 1)} of ${format(count)}.`);
    requestDraw();
  }

  function render(now = performance.now()) {
    if (!size.width || destroyed) return;
    const started = performance.now();
    let e = 1;
    if (morph) {
      const p = Math.min(1, (now - morph.start) / morph.duration);
      e = easeInOutCubic(p);
      if (morph.followView) view = lerpView(morph.viewFrom, morph.viewTo, e);
      morph.frames.push(now);
      if (p >= 1) finishMorph();
    }
    const ppu = pixelsPerUnit(view.zoom, size.width, size.height);
    const sprite = spriteCss(view.zoom);
    const grow = smoothstep(9, 40, sprite);
    renderer.draw({
      from: fromKey, to: target, t: morph ? e : 1,
      centre: [view.cx, view.cy],
      clipPerUnit: [(2 * ppu) / size.width, (2 * ppu) / size.height],
      size: sprite * size.ratio, ratio: size.ratio,
      highlight, dim: DIM_ALPHA,
      gain: mix(1.9, 1.05, grow), tile: mix(0.32, 0.14, grow), inkMix: mix(0.0, colors.inkMix, grow),
      ink: colors.ink, ringColor: colors.ring, palette, hover,
    });
    drawCount += 1;
    if (morph) morph.cpu.push(performance.now() - started);
    placeInset();
    // aria-disabled rather than disabled, so a focused button keeps the focus at the limit
    zoomIn.setAttribute("aria-disabled", String(view.zoom >= size.maxZoom - 1e-6));
    const minZoom = home().zoom;
    zoomOut.setAttribute("aria-disabled", String(view.zoom <= minZoom + 1e-6));
    stage.classList.toggle("is-zoomed", view.zoom > minZoom + 1e-3);
  }

  function frame(now) {
    raf = 0;
    if (paused || destroyed) return;
    render(now);
    if (morph) raf = requestAnimationFrame(frame);
  }

  function requestDraw() {
    if (!raf && !paused && !destroyed) raf = requestAnimationFrame(frame);
  }

  function finishMorph() {
    const frames = morph.frames;
    const gaps = frames.slice(1).map((t, k) => t - frames[k]);
    lastMorph = {
      frames: frames.length,
      meanFrameMs: gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : 0,
      maxFrameMs: gaps.length ? Math.max(...gaps) : 0,
      meanDrawCpuMs: morph.cpu.length ? morph.cpu.reduce((a, b) => a + b, 0) / morph.cpu.length : 0,
    };
    morph = null;
    fromKey = target;
    fromXY = toXY;
    view = fit(view);
  }

  function scheduleHash() {
    clearTimeout(hashTimer);
    hashTimer = setTimeout(() => {
      hashTimer = 0;
      if (!destroyed) writeFigureHash(id, formatFigureState(target, morph?.followView ? morph.viewTo : view, home()));
    }, HASH_DELAY_MS);
  }

  function setView(next, { hash = true } = {}) {
    const clamped = fit(next);
    if (morph) morph.followView = false; // the reader has taken the camera
    if (sameView(clamped, view)) return false;
    view = clamped;
    if (hash) scheduleHash();
    requestDraw();
    return true;
  }

  function updateButtons() {
    for (const button of layoutButtons) {
      const on = button.dataset.layout === target;
      button.setAttribute("aria-pressed", String(on));
    }
  }

  function setLayout(next, { animate = !reducedMotion, announce = true, hash = true, nextView = null } = {}) {
    if (!layouts.has(next)) return;
    const wanted = nextView ? fit(nextView, layouts.get(next)) : null;
    if (next === target) {
      if (wanted) setView(wanted, { hash });
      return;
    }
    const now = performance.now();
    const e = eased(now);
    if (morph && e < 1) {
      // start from where the points are now, not from where they were going
      snapshot = snapshot && snapshot.length === fromXY.length ? snapshot : new Float32Array(2 * count);
      for (let k = 0; k < snapshot.length; k += 1) snapshot[k] = fromXY[k] + (toXY[k] - fromXY[k]) * e;
      fromKey = renderer.setSnapshot(snapshot);
      fromXY = snapshot;
    } else {
      fromKey = target;
      fromXY = toXY;
    }
    const previous = target;
    target = next;
    const layout = layouts.get(next);
    toXY = layout.xy;
    // a reader who has not moved the camera sees the whole of the new layout
    const atHome = sameView(morph?.followView ? morph.viewTo : view, home(layouts.get(previous)), 1e-4);
    const viewTo = wanted || (atHome ? home(layout) : fit(view, layout));
    if (animate && size.width) {
      morph = { start: now, duration: MORPH_MS, viewFrom: view, viewTo, followView: true, frames: [], cpu: [] };
    } else {
      morph = null;
      fromKey = target;
      fromXY = toXY;
      view = viewTo;
    }
    updateButtons();
    if (announce) say(`${layout.title} layout, trustworthiness ${layout.trust.toFixed(2)}.`);
    if (hash) scheduleHash();
    requestDraw();
  }

  function resetView() {
    if (setView(home())) say("View reset: all points shown.");
  }

  function zoomBy(factor, sx = size.width / 2, sy = size.height / 2, announce = false) {
    if (setView(zoomAt(view, factor, sx, sy, limits())) && announce) say(`Zoom ${view.zoom.toFixed(1)}×.`);
  }

  function measure() {
    const width = Math.max(stage.clientWidth, 160);
    const height = Math.round(Math.min(MAX_HEIGHT, Math.max(Math.min(width, 320), width * 0.68)));
    const ratio = window.devicePixelRatio || 1;
    if (width === size.width && height === size.height && ratio === size.ratio) return;
    const wasHome = !size.width || sameView(view, home(), 1e-4);
    Object.assign(size, { width, height, ratio });
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    renderer.resize(Math.round(width * ratio), Math.round(height * ratio));
    if (pendingView) {
      view = fit(pendingView);
      pendingView = null;
    } else {
      view = wasHome ? home() : fit(view);
    }
    if (morph) morph.viewTo = fit(morph.viewTo);
    // resizing cleared the canvas: draw now rather than show a blank frame
    if (!paused) {
      cancelAnimationFrame(raf);
      raf = 0;
      render();
      if (morph) requestDraw();
    }
  }

  // --- events: layout buttons (a toolbar: arrows move, Enter or Space press)
  function focusButton(k) {
    const n = layoutButtons.length;
    const next = layoutButtons[((k % n) + n) % n];
    for (const b of layoutButtons) b.tabIndex = b === next ? 0 : -1;
    next.focus();
  }
  for (const button of layoutButtons) {
    button.addEventListener("click", () => {
      for (const b of layoutButtons) b.tabIndex = b === button ? 0 : -1;
      setLayout(button.dataset.layout);
    }, { signal });
  }
  toolbar.addEventListener("keydown", (event) => {
    const k = layoutButtons.indexOf(document.activeElement);
    if (k < 0 || event.altKey || event.ctrlKey || event.metaKey) return;
    const moves = { ArrowRight: k + 1, ArrowDown: k + 1, ArrowLeft: k - 1, ArrowUp: k - 1, Home: 0, End: layoutButtons.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    focusButton(moves[event.key]);
  }, { signal });

  // --- legend: highlight one class
  for (const button of legendButtons) {
    button.addEventListener("click", () => {
      const k = Number(button.dataset.class);
      highlight = highlight === k ? -1 : k;
      for (const b of legendButtons) b.setAttribute("aria-pressed", String(Number(b.dataset.class) === highlight));
      if (hover >= 0 && highlight >= 0 && labels[hover] !== highlight) hover = -1;
      say(highlight >= 0 ? `Highlighting digits labelled ${spec.classes[highlight]}.` : "Showing every class.");
      requestDraw();
    }, { signal });
  }

  // --- zoom buttons
  zoomIn.addEventListener("click", () => zoomBy(KEY_ZOOM, undefined, undefined, true), { signal });
  zoomOut.addEventListener("click", () => zoomBy(1 / KEY_ZOOM, undefined, undefined, true), { signal });
  zoomReset.addEventListener("click", resetView, { signal });

  // --- keyboard on the stage
  stage.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target !== stage) return;
    const step = KEY_PAN * Math.min(size.width, size.height);
    const pans = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (event.key === "+" || event.key === "=") zoomBy(KEY_ZOOM, undefined, undefined, true);
    else if (event.key === "-" || event.key === "_") zoomBy(1 / KEY_ZOOM, undefined, undefined, true);
    else if (event.key === "0") resetView();
    else if (pans[event.key]) setView(panBy(view, ...pans[event.key], size));
    else if (event.key === "Enter" || event.key === " ") setHover(pick(size.width / 2, size.height / 2, 24), { announce: true });
    else if (event.key === "Escape" && (hover >= 0 || highlight >= 0)) {
      hover = -1;
      if (highlight >= 0) legendButtons[highlight].click();
      requestDraw();
    } else return;
    event.preventDefault();
  }, { signal });

  // --- pointers: wheel and pinch zoom, drag pans, hover or tap inspects
  let view0 = view; // the view when the current drag or pinch began
  listenGestures(canvas, {
    hover: (x, y, type) => setHover(pick(x, y, TAP_TOLERANCE[type] || 6)),
    leave: () => setHover(-1),
    tap: (x, y, type) => setHover(pick(x, y, TAP_TOLERANCE[type] || 6), { announce: true }),
    start: () => {
      view0 = view;
      interacted = true;
      hover = -1;
      stage.classList.add("is-dragging");
    },
    drag: (dx, dy) => setView(panBy(view0, dx, dy, size)),
    pinch: (scale, x0, y0, dx, dy) => setView(panBy(zoomAt(view0, scale, x0, y0, limits()), dx, dy, size)),
    end: () => stage.classList.remove("is-dragging"),
    wheel: (factor, x, y) => {
      if (factor < 1 && view.zoom <= home().zoom + 1e-6) return false; // at the widest view, let the page scroll
      interacted = true;
      zoomBy(factor, x, y);
      return true;
    },
    doubleClick: (x, y, out) => zoomBy(out ? 0.5 : 2, x, y),
  }, signal);

  // --- the URL hash: another figure's change is ignored; ours is applied
  window.addEventListener("hashchange", () => {
    const state = readFigureHash(id);
    if (!state || !layouts.has(state.layout)) return;
    setLayout(state.layout, { hash: false, nextView: state.view || home(layouts.get(state.layout)) });
  }, { signal });

  onThemeChange(() => { readColors(); requestDraw(); }, signal);
  const resizeObserver = new ResizeObserver(measure);
  resizeObserver.observe(stage);

  readColors();
  updateButtons();
  for (const b of layoutButtons) b.tabIndex = b.dataset.layout === target ? 0 : -1;
  measure();
  if (!drawCount) render();

  // a small test hook (tests/browser/test_fig_latent_layouts.py)
  el.__figure = {
    state: () => ({
      layout: target, morphing: Boolean(morph), view: { ...view }, home: { ...home() }, hover, highlight, drawCount,
      size: { ...size }, sprite: size.width ? spriteCss(view.zoom) : 0, interacted,
      webgl: renderer.version, extensions: renderer.extensions,
    }),
    /** Draw now and read the canvas back: mean, variance and count of painted pixels. */
    pixels() {
      render();
      const px = renderer.readPixels();
      let sum = 0, sumSq = 0, painted = 0, hash = 0;
      const n = px.length / 4;
      for (let i = 0; i < px.length; i += 4) {
        const v = (px[i] + px[i + 1] + px[i + 2]) / 3 + px[i + 3];
        sum += v; sumSq += v * v;
        if (px[i + 3] > 8) painted += 1;
        hash = (hash * 31 + px[i] * 7 + px[i + 1] * 3 + px[i + 3]) % 1000000007;
      }
      return { mean: sum / n, variance: sumSq / n - (sum / n) ** 2, painted, hash, width: canvas.width, height: canvas.height };
    },
    /** Client (page) coordinates of point i where it is drawn now. */
    clientOf(i) {
      const p = pointAt(i, eased());
      const s = toScreen(view, size, p.x, p.y);
      const r = canvas.getBoundingClientRect();
      return { x: r.left + s.x, y: r.top + s.y, inside: s.x >= 0 && s.y >= 0 && s.x <= size.width && s.y <= size.height };
    },
    /** A point that is the topmost one at its own centre (so hovering there shows it). */
    pickable() {
      for (let i = count - 1; i >= 0; i -= 1) {
        const p = pointAt(i, eased());
        const s = toScreen(view, size, p.x, p.y);
        if (s.x < 30 || s.y < 30 || s.x > size.width - 60 || s.y > size.height - 30) continue;
        if (pick(s.x, s.y, 6) === i) return { index: i, label: spec.classes[labels[i]] };
      }
      return null;
    },
    idle: () => new Promise((resolve) => {
      const check = () => (morph ? setTimeout(check, 30) : resolve(true));
      check();
    }),
    morphStats: () => lastMorph,
    gl: () => renderer.info(),
  };

  return {
    pause() {
      paused = true;
      cancelAnimationFrame(raf);
      raf = 0;
    },
    resume() {
      paused = false;
      requestDraw();
    },
    destroy() {
      destroyed = true;
      controller.abort();
      resizeObserver.disconnect();
      cancelAnimationFrame(raf);
      clearTimeout(hashTimer);
      inset.destroy();
      renderer.destroy();
      root.remove();
      if (madeToolbar) toolbar.remove();
      releaseStyle();
      delete el.__figure;
      say("");
    },
  };
}

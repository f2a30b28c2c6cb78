// latent-layouts: every image of the data set (MNIST's digits, or an
// author's images) drawn as a small sprite from the texture atlases: gray
// ones as ink tinted by class, colour ones as they are in a frame of their
// class colour (one colour when the data set has no labels). The layout
// buttons morph the points between UMAP, t-SNE, PCA and the autoencoder's
// and VAE's codes; wheel, pinch, drag and keys zoom and pan (never past the
// data); hovering or tapping a point shows its image enlarged. The layout
// and view live in the URL hash (#fig-2=umap@1.5,0.1,-0.2), so a link
// reopens the same view.
// One WebGL context (WebGL 2, else WebGL 1 with the same look); frames are
// drawn on demand, never in an idle loop. Without WebGL the figure does not
// mount: the runtime keeps the static image and says why in the status line.
//
// At full scale (config.atlas.lazy: 70,000 digits) points are dots until the
// reader zooms in; then the images in view stream in by tile (stream.js,
// lib/tiles.js), and a layout not loaded at mount loads when the reader picks it.
//
// Its parts: data.js (config and payload), controls.js (elements), plot.js
// (state and drawing), morph.js, pick.js, view.js (camera), input.js (keys
// and pointers), gestures.js, hash.js, inset.js (the enlarged image), and
// context.js, gl.js, shaders.js (WebGL).

import { announcer } from "../../lib/announce.js";
import { createFigure, h } from "../../lib/figure.js";
import { onThemeChange } from "../../lib/theme.js";
import { ERROR_NO_WEBGL, openContext, releaseContext } from "./context.js";
import { buildControls } from "./controls.js";
import { loadData, validate } from "./data.js";
import { createSpriteRenderer } from "./gl.js";
import { readFigureHash } from "./hash.js";
import { createInset } from "./inset.js";
import { listenInput } from "./input.js";
import { createPlot } from "./plot.js";
import { createStream } from "./stream.js";
import { spriteSize } from "./pick.js";
import { toScreen } from "./view.js";

/**
 * Mount the figure in `el` (the runtime's <figure>); resolves to its handle.
 * @param {HTMLElement} el
 * @param {object} config config.json, with `base` (its folder's URL) and `reducedMotion`
 */
export async function mount(el, config) {
  const spec = validate(config);
  const id = config.id || el.id;

  // the one WebGL context first: without one, fetch nothing (the fallback image stays)
  const canvas = h("canvas", { "aria-hidden": "true" });
  const context = openContext(canvas);
  if (!context) throw new Error(ERROR_NO_WEBGL);
  const start = readFigureHash(id);
  let data;
  try {
    data = await loadData(spec, config, start && spec.layouts.some((l) => l.id === start.layout) ? start.layout : spec.initial);
  } catch (error) {
    releaseContext(context);
    throw error;
  }
  const fig = createFigure(el, config);
  try {
    build(fig, { spec, id, canvas, context, start, ...data });
  } catch (error) {
    fig.destroy(); // what was built so far goes
    releaseContext(context);
    throw error;
  }
  return fig;
}

// Build the figure on its loaded data; everything it makes is released by fig.destroy().
function build(fig, { spec, id, canvas, context, start, labels, layouts, images }) {
  const { el } = fig;
  const { count, atlas } = spec;
  const say = announcer(el);
  fig.onDestroy(() => say(""));
  fig.onDestroy(() => images.forEach((image) => image?.close()));
  const { classes, palette, words } = spec;
  const ui = buildControls(el, { id, alt: fig.config.alt, classes, palette, layouts, words }, canvas);
  fig.add(ui.root);

  let plot = null;
  const renderer = createSpriteRenderer(context, { count, labels, atlas, color: spec.color, look: spec.look }, {
    onLost: () => say("The graphics context was lost; the figure will redraw when it is restored."),
    onRestored: () => {
      say("");
      plot.requestDraw();
    },
  });
  fig.onDestroy(() => renderer.destroy());
  for (const layout of layouts.values()) if (layout.q) renderer.addLayout(layout.id, layout.q, layout.quant);
  renderer.setAtlases(images);
  const inset = createInset(ui.stage, {
    images, cell: atlas.cell, perRow: atlas.per_row, perAtlas: atlas.per_atlas, color: spec.look === "image" ? "rgb" : "gray", aspect: spec.cellAspect,
  });
  fig.onDestroy(() => inset.destroy());

  const stream = createStream(fig, {
    spec, base: fig.config.base, renderer, images, layouts, root: ui.root, requestDraw: () => plot.requestDraw(),
  });
  plot = createPlot(fig, { spec, labels, layouts, renderer, inset, ui, canvas, say, id, start, stream });
  listenInput(fig, ui, plot, canvas);
  // the URL hash: another figure's change is ignored; ours is applied
  fig.on(window, "hashchange", () => {
    const state = readFigureHash(id);
    if (!state || !layouts.has(state.layout)) return;
    plot.setLayout(state.layout, { hash: false, nextView: state.view || "home" });
  });
  onThemeChange(() => {
    plot.readColors();
    plot.requestDraw();
  }, fig.signal);
  fig.observeResize(ui.stage, plot.measure);

  plot.readColors();
  plot.updateButtons();
  for (const b of ui.layoutButtons) b.tabIndex = b.dataset.layout === plot.morph.target ? 0 : -1;
  plot.measure();
  if (!plot.state.drawCount) plot.render();

  fig.expose(testHook(plot, { renderer, canvas, spec, labels, stream }));
}

// A small test hook (tests/browser/test_fig_latent_layouts.py).
function testHook(plot, { renderer, canvas, spec, labels, stream }) {
  const s = plot.state;
  const { morph } = plot;
  return {
    state: () => ({
      layout: morph.target, morphing: Boolean(morph.run), view: { ...s.view }, home: { ...plot.home() }, hover: s.hover,
      highlight: s.highlight, drawCount: s.drawCount, size: { ...s.size },
      sprite: s.size.width ? spriteSize(s.view.zoom, s.size, spec.count) : 0, interacted: s.interacted,
      webgl: renderer.version, extensions: renderer.extensions,
    }),
    /** Draw now and read the canvas back: mean, variance and count of painted pixels. */
    pixels() {
      plot.render();
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
    clientOf: (i) => plot.clientOf(i),
    /** A point that is the topmost one at its own centre (so hovering there shows it). */
    pickable() {
      const { width, height } = s.size;
      for (let i = spec.count - 1; i >= 0; i -= 1) {
        const p = morph.pointAt(i, morph.eased());
        const at = toScreen(s.view, s.size, p.x, p.y);
        if (at.x < 30 || at.y < 30 || at.x > width - 60 || at.y > height - 30) continue;
        if (plot.pick(at.x, at.y, 6) === i) return { index: i, label: spec.labelled ? spec.classes[labels[i]] : null };
      }
      return null;
    },
    idle: () => new Promise((resolve) => {
      const check = () => (morph.run ? setTimeout(check, 30) : resolve(true));
      check();
    }),
    morphStats: () => morph.stats,
    gl: () => renderer.info(),
    /** A streamed figure's tiles (wanted, loaded, loading) and its status line. */
    stream: () => stream.info(),
  };
}

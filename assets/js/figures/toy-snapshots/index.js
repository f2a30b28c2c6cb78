// toy-snapshots: the code plane of the build-time toy model at a few training
// steps, chosen with a range slider (keyboard-native). Each snapshot shows the
// codes with their trails -dL/dz (computed at build by automatic
// differentiation), the step and the loss, on one fixed axis range; beside it,
// the reconstruction at that step in 3-D over the faint input (it turns and
// tilts as in lib/toy-3d.js). Moving between snapshots tweens unless the reader
// prefers reduced motion. Trails have a per-snapshot length multiplier, always
// stated in the legend with a reference bar.

import { createFigure, fetchBytes, h } from "../../lib/figure.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { createView3d } from "../../lib/toy-3d.js";
import { rampColours } from "../../lib/toy-colour.js";
import { followWidth, hint, panel } from "../../lib/toy-panels.js";
import { createPlane } from "../../lib/toy-plane.js";

const ROW_MIN_WIDTH = 600;
const TWEEN_MS = 550;
const fmt = (v) => (v < 0 ? "\u2212" : "") + Math.abs(v).toFixed(2);

/** 0.000123 -> "1.2×10⁻⁴"; plain decimals between 0.01 and 1000. */
export function sci(value, digits = 2) {
  if (!Number.isFinite(value) || value === 0) return String(value);
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent >= -2 && exponent <= 2) return String(+value.toPrecision(digits));
  const mantissa = +(value / 10 ** exponent).toPrecision(digits);
  const sup = String(exponent).replace(/[-0-9]/g, (c) => "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"["-0123456789".indexOf(c)]);
  return `${mantissa === 1 ? "" : `${mantissa}\u00d7`}10${sup}`;
}

/** What the panels show of a snapshot: copies, so a tween can write between them. */
function frameOf(s) {
  return { codes: Float32Array.from(s.codes), trails: Float32Array.from(s.trails),
    recon: Float32Array.from(s.recon), logScale: Math.log(s.scale) };
}

function lerp(a, b, t) {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + (b[i] - a[i]) * t;
  return out;
}

/**
 * Mount the figure: the code plane and the 3-D reconstruction at the slider's training step.
 * @param {HTMLElement} el @param {object} config
 */
export async function mount(el, config) {
  const fig = createFigure(el, config);
  const load = (name) => fetchBytes(name, { base: config.base, signal: fig.signal }).then((b) => new Float32Array(b));
  const [shapeData, snapData] = await Promise.all([load(config.files.shape), load(config.files.snapshots)]);
  const n = config.n;
  const per = config.fields.reduce((sum, [, width]) => sum + n * width, 0);
  if (snapData.length !== per * config.snapshots.length || shapeData.length !== 4 * n) {
    throw new Error("toy-snapshots: the data files do not match config.json");
  }
  const points = shapeData.subarray(0, 3 * n);
  const colours = rampColours(shapeData.subarray(3 * n));
  const snaps = config.snapshots.map((info, k) => {
    const out = { ...info };
    let at = k * per;
    for (const [name, width] of config.fields) {
      out[name] = snapData.subarray(at, at + n * width);
      at += n * width;
    }
    return out;
  });

  const slider = el.querySelector(".toy-snapshots__slider");
  const output = el.querySelector(".toy-snapshots__readout");
  const theme = readTheme(el);

  // ---- DOM ----
  const canvasPlane = h("canvas");
  const plane = createPlane(fig, canvasPlane, {
    extent: config.extent, colours, theme,
    label: `The codes of the ${n} points of the ${config.shapeName} with their trails, at the chosen training step.`,
    onHover: (i, how) => pickPoint(i, how),
  });
  const view = createView3d(fig, h("canvas"), {
    points: snaps[snaps.length - 1].recon, ghost: points, links: true, colours, theme,
    label: `The reconstruction of the ${config.shapeName} at the chosen step, over the input in grey; arrow keys turn it.`,
    onHover: (i, how) => pickPoint(i, how),
  });
  const titlePlane = h("p", { class: "toy-panel__title" });
  const key = h("p", { class: "toy-ramp toy-snapshots__key" });
  const root = fig.add(h("div", { class: "toy-fig toy-snapshots" }, panel(titlePlane, canvasPlane, key),
    panel("Reconstruction (3-D)", view.element, hint("grey rings: the input \u00b7 drag or arrow keys to turn"))));
  const readout = fig.add(h("p", { class: "toy-readout", "aria-hidden": "true" }));

  // ---- state and drawing ----
  let index = snaps.length - 1;
  let shown = frameOf(snaps[index]);
  let hovered = null;
  let from = shown; // the tween's start
  let start = 0;
  const tween = fig.animate((now) => {
    const target = snaps[index];
    const u = Math.max(0, Math.min(1, (now - start) / TWEEN_MS));
    const t = u < 0.5 ? 4 * u * u * u : 1 - (-2 * u + 2) ** 3 / 2;
    shown = { codes: lerp(from.codes, target.codes, t), trails: lerp(from.trails, target.trails, t),
      recon: lerp(from.recon, target.recon, t), logScale: from.logScale + (Math.log(target.scale) - from.logScale) * t };
    render();
    return u < 1;
  });

  function render() {
    plane.setPoints(shown.codes);
    plane.setTrails(shown.trails, Math.exp(shown.logScale));
    view.setPoints(shown.recon);
    describePoint();
  }

  function legend() {
    const s = snaps[index];
    const px = Math.max(4, s.ref * s.scale * plane.pixelsPerUnit()).toFixed(1);
    key.innerHTML = `<span class="toy-trail-key">trails = \u2212\u2202L/\u2202z \u00d7 ${s.scaleText}</span>` +
      `<span class="toy-trail-key"><svg width="${px}" height="8" aria-hidden="true">` +
      `<line x1="0" y1="4" x2="${px}" y2="4" stroke="currentColor" stroke-width="2"/></svg>` +
      `= |\u2202L/\u2202z| of ${s.refText}</span>`;
  }

  function describePoint() {
    const s = snaps[index];
    if (hovered === null) {
      readout.textContent = index === 0
        ? "Untrained: every point is coded near the same spot, and the loss is high."
        : `After ${s.step.toLocaleString("en")} full-batch Adam steps. Hover or tap a point to read its code and trail.`;
      return;
    }
    const i = hovered;
    readout.innerHTML = `<strong>Point ${i + 1} of ${n}</strong>: code (${fmt(shown.codes[2 * i])}, ${fmt(shown.codes[2 * i + 1])}), ` +
      `trail \u2212\u2202L/\u2202z = (${sci(s.trails[2 * i])}, ${sci(s.trails[2 * i + 1])})`;
  }

  function pickPoint(i, how) {
    if (i === null && how !== "hover") return;
    hovered = i;
    plane.setHighlight(i);
    view.setHighlight(i);
    describePoint();
  }

  function stepText(s) {
    return `step ${s.step.toLocaleString("en")} of ${config.steps.toLocaleString("en")} \u00b7 loss ${sci(s.loss)}`;
  }

  function show(k, animate) {
    index = k;
    const target = snaps[k];
    titlePlane.textContent = `Codes z at step ${target.step.toLocaleString("en")}`;
    if (output) output.textContent = stepText(target);
    slider.setAttribute("aria-valuetext", stepText(target).replace("\u00b7", ","));
    legend();
    tween.stop();
    if (!animate || fig.reducedMotion || fig.paused) {
      shown = frameOf(target);
      render();
      return;
    }
    from = shown;
    start = performance.now();
    tween.start();
  }
  // off screen, a tween in progress jumps to its end
  fig.onPause(() => { if (tween.running) show(index, false); });

  slider.max = String(snaps.length - 1);
  slider.value = String(index);
  slider.disabled = false;
  fig.onDestroy(() => { slider.disabled = true; });
  fig.on(slider, "input", () => {
    const k = Number(slider.value);
    if (k === index) return;
    show(k, true); // the focused slider's aria-valuetext announces the step and loss
  });

  // ---- layout ----
  followWidth(fig, ROW_MIN_WIDTH, (width, row) => {
    root.classList.toggle("toy-fig--row", false);
    root.style.gridTemplateColumns = row ? "auto auto" : "auto";
    root.style.alignItems = row ? "start" : "center";
    root.classList.toggle("toy-fig--stack", !row);
    const big = Math.floor(row ? Math.min(420, (width - 40) * 0.58) : Math.min(400, width - 8));
    const small = Math.floor(row ? Math.min(300, width - big - 40) : Math.min(300, width - 8));
    plane.resize(big, big);
    view.resize(small, small);
    legend();
  });
  show(index, false);
  onThemeChange(() => { const t = readTheme(el); plane.setTheme(t); view.setTheme(t); }, fig.signal);

  fig.expose({
    get index() { return index; },
    get animating() { return tween.running; },
    setIndex(k) { slider.value = String(k); slider.dispatchEvent(new Event("input")); },
    stepText() { return output ? output.textContent : ""; },
    snapshot(k) { return { step: snaps[k].step, loss: snaps[k].loss, scale: snaps[k].scale }; },
    point(i) { const p = plane.project(i); const r = canvasPlane.getBoundingClientRect(); return { x: r.left + p.x, y: r.top + p.y }; },
    highlights() { return { plane: hovered, view: view.getHighlight() }; },
    /** The 3-D view's angles {yaw, pitch} in radians. */
    angles() { return view.getAngles(); },
  });
  return fig;
}

// toy-views: the encoder (3-D input -> 2-D codes) or the decoder (2-D codes ->
// 3-D reconstruction decoded by the model, the input drawn faintly behind) of
// the toy autoencoder trained at build. Hovering or tapping a point in either
// panel, or stepping through the points with the arrow keys on the code plane
// (a slider over the points), highlights the same point in both panels and
// reads out its index and coordinates. The 3-D panel turns by drag or arrow
// keys, and tilts by its tilt handle too (lib/toy-3d.js).

import { announcer } from "../../lib/announce.js";
import { createFigure, fetchBytes, h } from "../../lib/figure.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { createView3d } from "../../lib/toy-3d.js";
import { rampColours } from "../../lib/toy-colour.js";
import { followWidth, hint, panel } from "../../lib/toy-panels.js";
import { createPlane } from "../../lib/toy-plane.js";

const ROW_MIN_WIDTH = 560; // below this the panels stack
const MAX_PANEL = 330;

const fmt = (v) => (v < 0 ? "\u2212" : "") + Math.abs(v).toFixed(2);
const vec = (a) => `(${Array.from(a, fmt).join(", ")})`;

/** The payload's one file of float32 columns, split by config.layout ([name, width] pairs). */
async function loadData(config, signal) {
  const all = new Float32Array(await fetchBytes(config.file, { base: config.base, signal }));
  const out = {};
  let at = 0;
  for (const [name, width] of config.layout) {
    out[name] = all.subarray(at, at + config.n * width);
    at += config.n * width;
  }
  if (at !== all.length) throw new Error(`${config.file} holds ${all.length} values, expected ${at}`);
  return out;
}

/**
 * The encoder/decoder glyph as an SVG string: a trapezoid, wide on the 3-D side.
 * @param {{label: string, sub: string, narrowing: boolean, vertical: boolean}} o
 */
function trapezoidSVG({ label, sub, narrowing, vertical }) {
  const w = vertical ? 220 : 120, ht = vertical ? 64 : 170;
  let d;
  if (vertical) {
    const a = narrowing ? 100 : 45, b = narrowing ? 45 : 100; // half-widths top / bottom
    d = `M${110 - a},4 L${110 + a},4 L${110 + b},60 L${110 - b},60 Z`;
  } else {
    const a = narrowing ? 70 : 30, b = narrowing ? 30 : 70; // half-heights left / right
    d = `M4,${85 - a} L116,${85 - b} L116,${85 + b} L4,${85 + a} Z`;
  }
  const cx = w / 2, cy = ht / 2;
  return `<svg class="toy-arrow" width="${w}" height="${ht}" viewBox="0 0 ${w} ${ht}" aria-hidden="true" focusable="false">
<path d="${d}"/><text x="${cx}" y="${cy - 3}" text-anchor="middle">${label}</text>
<text class="toy-arrow__sub" x="${cx}" y="${cy + 13}" text-anchor="middle">${sub}</text></svg>`;
}

/**
 * Mount the figure: the 3-D panel and the code plane, linked by hover, taps and keys.
 * @param {HTMLElement} el @param {object} config
 */
export async function mount(el, config) {
  const fig = createFigure(el, config);
  const data = await loadData(config, fig.signal);
  const n = config.n;
  const decoder = config.part === "decoder";
  const say = announcer(el);
  const colours = rampColours(data.colour);
  const theme = readTheme(el);
  const sizes = config.hidden.join("\u2192");
  const sizesBack = [...config.hidden].reverse().join("\u2192");

  // ---- views ----
  const canvas2d = h("canvas", {
    role: "slider", tabindex: 0, "aria-label": `Code plane: ${n} points; arrow keys pick a point`,
    "aria-valuemin": 1, "aria-valuemax": n,
    "aria-describedby": document.getElementById(`${el.id}-help`) ? `${el.id}-help` : null,
  });
  const plane = createPlane(fig, canvas2d, {
    extent: config.extent, colours, theme,
    onHover: (i, how) => select(i, how),
  });
  plane.setPoints(data.codes);
  const canvas3d = h("canvas");
  const view = createView3d(fig, canvas3d, {
    points: decoder ? data.recon : data.points,
    ghost: decoder ? data.points : null,
    links: decoder,
    colours, theme,
    label: decoder
      ? `The reconstruction of the ${config.shapeName} decoded from the codes, drawn over the input in grey; arrow keys turn it.`
      : `The ${config.shapeName}, ${n} points in 3-D; arrow keys turn it.`,
    onHover: (i, how) => select(i, how),
  });

  // ---- DOM: [3-D] [encoder] [codes]  or  [codes] [decoder] [3-D] ----
  const panel3d = panel(decoder ? "Reconstruction (3-D)" : `Input: ${config.shapeName} (3-D)`, view.element,
    hint(decoder ? "grey rings: the input \u00b7 drag to turn" : "drag or arrow keys to turn"));
  const panel2d = panel("Codes z (2-D)", canvas2d, hint("hover, tap or arrow keys: pick a point"));
  const arrow = h("div", { class: "toy-views__arrow" });
  const root = fig.add(h("div", { class: "toy-fig toy-views" }, ...(decoder ? [panel2d, arrow, panel3d] : [panel3d, arrow, panel2d])));
  // aria-hidden: the slider's aria-valuetext and the live region say it
  const readout = fig.add(h("p", { class: "toy-readout", "aria-hidden": "true" }));
  fig.add(h("p", { class: "toy-ramp",
    html: '<span>start of the shape</span><span class="toy-ramp__bar"></span><span>end</span>' }));

  // ---- selection ----
  let current = null;
  let source = null; // "hover" | "tap" | "key"
  function describe(i) {
    const p = data.points.subarray(3 * i, 3 * i + 3);
    const z = data.codes.subarray(2 * i, 2 * i + 2);
    const r = data.recon.subarray(3 * i, 3 * i + 3);
    if (decoder) {
      const err = Math.hypot(r[0] - p[0], r[1] - p[1], r[2] - p[2]);
      return { html: `<strong>Point ${i + 1} of ${n}</strong>: code ${vec(z)} \u2192 decoded ${vec(r)}; the input was ${vec(p)} (off by ${err.toFixed(3)})`,
        text: `Point ${i + 1} of ${n}: code ${vec(z)} decodes to ${vec(r)}; the input was ${vec(p)}, off by ${err.toFixed(3)}.` };
    }
    return { html: `<strong>Point ${i + 1} of ${n}</strong>: input ${vec(p)} \u2192 code ${vec(z)}`,
      text: `Point ${i + 1} of ${n}: input ${vec(p)} is encoded to ${vec(z)}.` };
  }
  const idleText = decoder
    ? `The decoder maps each 2-D code back to a 3-D point (2\u2192${sizesBack}\u21923). Pick a point to compare it with its input.`
    : `The encoder squeezes each 3-D point to a 2-D code (3\u2192${sizes}\u21922). Pick a point to follow it.`;

  function select(i, how) {
    if (i === null && how === "hover" && source !== "hover") return; // leaving keeps a keyboard/tap choice
    current = i;
    source = i === null ? null : how;
    plane.setHighlight(i);
    view.setHighlight(i);
    if (i === null) {
      readout.textContent = idleText;
      canvas2d.removeAttribute("aria-valuenow");
      canvas2d.setAttribute("aria-valuetext", "no point picked");
      return;
    }
    const { html, text } = describe(i);
    readout.innerHTML = html;
    canvas2d.setAttribute("aria-valuenow", String(i + 1));
    canvas2d.setAttribute("aria-valuetext", text);
    // keyboard users hear aria-valuetext of the focused slider; a tap on a touch screen reader is announced
    if (how === "tap") say(text);
  }
  select(null, "init");

  fig.on(canvas2d, "keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const at = current ?? -1;
    const next = {
      ArrowRight: at + 1, ArrowUp: at + 1, ArrowLeft: at - 1, ArrowDown: at - 1,
      PageUp: at + 10, PageDown: at - 10, Home: 0, End: n - 1,
    }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(((next % n) + n) % n, "key");
  });
  fig.on(canvas2d, "focus", () => { if (current === null) select(0, "key"); });

  // ---- layout ----
  followWidth(fig, ROW_MIN_WIDTH, (width, row) => {
    root.classList.toggle("toy-fig--row", row);
    root.classList.toggle("toy-fig--stack", !row);
    const side = Math.floor(row ? Math.min(MAX_PANEL, (width - 120 - 40) / 2) : Math.min(MAX_PANEL, width - 8));
    arrow.innerHTML = trapezoidSVG({
      label: decoder ? "decoder" : "encoder",
      sub: decoder ? `2\u2192${sizesBack}\u21923` : `3\u2192${sizes}\u21922`,
      narrowing: !decoder, vertical: !row,
    });
    plane.resize(side, side);
    view.resize(side, side);
  });
  onThemeChange(() => { const t = readTheme(el); plane.setTheme(t); view.setTheme(t); }, fig.signal);

  // ---- test hook ----
  fig.expose({
    n,
    part: config.part,
    get highlight() { return current; },
    select(i) { select(i, "key"); },
    /** Client coordinates of point i in "plane" or "3d". */
    point(which, i) {
      const canvas = which === "plane" ? canvas2d : canvas3d;
      const p = which === "plane" ? plane.project(i) : view.project(i);
      const rect = canvas.getBoundingClientRect();
      return { x: rect.left + p.x, y: rect.top + p.y };
    },
    highlights() { return { plane: current, view: view.getHighlight() }; },
    readout() { return readout.textContent; },
    angles() { return view.getAngles(); },
  });
  return fig;
}

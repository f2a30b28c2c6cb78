// toy-views: the encoder (3-D input -> 2-D codes) or the decoder (2-D codes ->
// 3-D reconstruction decoded by the model, the input drawn faintly behind) of
// the toy autoencoder trained at build. Hovering or tapping a point in either
// panel, or stepping through the points with the arrow keys on the code plane
// (a slider over the points), highlights the same point in both panels and
// reads out its index and coordinates. The 3-D panel turns by drag or arrow keys.

import { announcer } from "../../lib/announce.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";
import { createView3d } from "../../lib/toy-3d.js";
import { rampColours } from "../../lib/toy-colour.js";
import { createPlane } from "../../lib/toy-plane.js";
import { trapezoidSVG, useToyStyle } from "../../lib/toy-style.js";

const ROW_MIN_WIDTH = 560; // below this the panels stack
const MAX_PANEL = 330;

const fmt = (v) => (v < 0 ? "\u2212" : "") + Math.abs(v).toFixed(2);
const vec = (a) => `(${Array.from(a, fmt).join(", ")})`;

async function loadData(config) {
  const response = await fetch(new URL(config.file, config.base));
  if (!response.ok) throw new Error(`${config.file}: HTTP ${response.status}`);
  const all = new Float32Array(await response.arrayBuffer());
  const out = {};
  let at = 0;
  for (const [name, width] of config.layout) {
    out[name] = all.subarray(at, at + config.n * width);
    at += config.n * width;
  }
  if (at !== all.length) throw new Error(`${config.file} holds ${all.length} values, expected ${at}`);
  return out;
}

export async function mount(el, config) {
  const data = await loadData(config);
  const n = config.n;
  const decoder = config.part === "decoder";
  const live = el.querySelector(".figure-live") || el;
  const say = announcer(el);
  const release = useToyStyle();
  const controller = new AbortController();
  const { signal } = controller;
  const colours = rampColours(data.colour);

  // ---- DOM: [3-D] [encoder] [codes]  or  [codes] [decoder] [3-D] ----
  const root = document.createElement("div");
  root.className = "toy-fig toy-views";
  const panel3d = document.createElement("figure");
  panel3d.className = "toy-panel";
  const title3d = document.createElement("p");
  title3d.className = "toy-panel__title";
  title3d.textContent = decoder ? "Reconstruction (3-D)" : `Input: ${config.shapeName} (3-D)`;
  const canvas3d = document.createElement("canvas");
  const hint3d = document.createElement("p");
  hint3d.className = "toy-panel__hint";
  hint3d.textContent = decoder ? "grey rings: the input \u00b7 drag to turn" : "drag or arrow keys to turn";
  panel3d.append(title3d, canvas3d, hint3d);

  const panel2d = document.createElement("figure");
  panel2d.className = "toy-panel";
  const title2d = document.createElement("p");
  title2d.className = "toy-panel__title";
  title2d.textContent = "Codes z (2-D)";
  const canvas2d = document.createElement("canvas");
  const hint2d = document.createElement("p");
  hint2d.className = "toy-panel__hint";
  hint2d.textContent = "hover, tap or arrow keys: pick a point";
  panel2d.append(title2d, canvas2d, hint2d);

  const arrow = document.createElement("div");
  arrow.className = "toy-views__arrow";
  if (decoder) root.append(panel2d, arrow, panel3d);
  else root.append(panel3d, arrow, panel2d);

  const readout = document.createElement("p");
  readout.className = "toy-readout";
  readout.setAttribute("aria-hidden", "true"); // the slider's aria-valuetext and the live region say it
  const legend = document.createElement("p");
  legend.className = "toy-ramp";
  legend.innerHTML = '<span>start of the shape</span><span class="toy-ramp__bar"></span><span>end</span>';
  live.append(root, readout, legend);

  const helpId = `${el.id}-help`;
  const sizes = config.hidden.join("\u2192");
  const sizesBack = [...config.hidden].reverse().join("\u2192");
  canvas2d.setAttribute("role", "slider");
  canvas2d.tabIndex = 0;
  canvas2d.setAttribute("aria-label", `Code plane: ${n} points; arrow keys pick a point`);
  canvas2d.setAttribute("aria-valuemin", "1");
  canvas2d.setAttribute("aria-valuemax", String(n));
  if (document.getElementById(helpId)) canvas2d.setAttribute("aria-describedby", helpId);

  // ---- views ----
  const theme = readTheme(el);
  const plane = createPlane(canvas2d, {
    extent: config.extent, colours, theme,
    onHover: (i, how) => select(i, how),
  });
  plane.setPoints(data.codes);
  const view = createView3d(canvas3d, {
    points: decoder ? data.recon : data.points,
    ghost: decoder ? data.points : null,
    links: decoder,
    colours, theme,
    label: decoder
      ? `The reconstruction of the ${config.shapeName} decoded from the codes, drawn over the input in grey; arrow keys turn it.`
      : `The ${config.shapeName}, ${n} points in 3-D; arrow keys turn it.`,
    onHover: (i, how) => select(i, how),
  });

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

  canvas2d.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const at = current ?? -1;
    const next = {
      ArrowRight: at + 1, ArrowUp: at + 1, ArrowLeft: at - 1, ArrowDown: at - 1,
      PageUp: at + 10, PageDown: at - 10, Home: 0, End: n - 1,
    }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(((next % n) + n) % n, "key");
  }, { signal });
  canvas2d.addEventListener("focus", () => { if (current === null) select(0, "key"); }, { signal });

  // ---- layout ----
  let lastWidth = 0;
  function layout() {
    const width = Math.max(live.clientWidth, 200);
    if (width === lastWidth) return;
    lastWidth = width;
    const row = width >= ROW_MIN_WIDTH;
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
  }
  layout();
  const observer = new ResizeObserver(() => layout());
  observer.observe(live);
  onThemeChange(() => { const t = readTheme(el); plane.setTheme(t); view.setTheme(t); }, signal);

  // ---- test hook ----
  el.__figure = {
    n,
    part: config.part,
    get highlight() { return current; },
    select(i) { select(i, "key"); },
    /** Client coordinates of point i in "plane" or "3d". */
    point(panel, i) {
      const canvas = panel === "plane" ? canvas2d : canvas3d;
      const p = panel === "plane" ? plane.project(i) : view.project(i);
      const rect = canvas.getBoundingClientRect();
      return { x: rect.left + p.x, y: rect.top + p.y };
    },
    highlights() { return { plane: current, view: view.getHighlight() }; },
    readout() { return readout.textContent; },
    angles() { return view.getAngles(); },
  };

  return {
    pause() {},
    resume() {},
    destroy() {
      controller.abort();
      observer.disconnect();
      plane.destroy();
      view.destroy();
      release();
      root.remove();
      readout.remove();
      legend.remove();
      delete el.__figure;
    },
  };
}

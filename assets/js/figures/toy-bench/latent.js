// The 2-D code plane of the toy bench: every point's code z, coloured along
// the shape, with a trail showing -dL/dz for that point (the direction that
// lowers the loss), scaled by a power of ten named in the legend. Equal
// scales on both axes so trail directions are true. The axis range is stable:
// it only grows, in generous jumps, when a code leaves it, and is re-fitted
// only by fit() (at Reset or a new shape), so the frame never "breathes".
//
//   const view = createLatentView(fig, canvas, { label, onHover(i, how), onKey(i) });
//   view.setData({ codes, trails, colours }); view.fit(); view.setHighlight(i);
//   view.resize(size); view.setTheme(theme); view.factor() -> 10^k;
// Drawing is on demand (the figure's frame scheduler); listeners end with the figure.

import { fitCanvas } from "../../lib/hidpi-canvas.js";
import { readTheme } from "../../lib/theme.js";
import { drawHighlight, hoverPoints, nearestPoint } from "../../lib/toy-points.js";

const MARGIN = { left: 34, right: 8, top: 6, bottom: 22 }; // px; tick labels at the bottom and left
const GROW = 1.3; // a fitted or grown range is this much larger than what it must hold
const TRAIL_LOW = 0.02; // keep the typical (90th percentile) trail between these fractions of the span
const TRAIL_HIGH = 0.12;
const TRAIL_TARGET = 0.05;

function extent(codes) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < codes.length; i += 2) {
    x0 = Math.min(x0, codes[i]); x1 = Math.max(x1, codes[i]);
    y0 = Math.min(y0, codes[i + 1]); y1 = Math.max(y1, codes[i + 1]);
  }
  return { x0, x1, y0, y1 };
}

/** A square domain {cx, cy, half} holding `box` with margin. */
function squareAround(box, grow) {
  const half = Math.max(1e-3, (Math.max(box.x1 - box.x0, box.y1 - box.y0) / 2) * grow);
  return { cx: (box.x0 + box.x1) / 2, cy: (box.y0 + box.y1) / 2, half };
}

function niceStep(span, count) {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return power * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10);
}

/** 90th percentile of the trail lengths. */
function typicalLength(trails) {
  const lengths = [];
  for (let i = 0; i < trails.length; i += 2) lengths.push(Math.hypot(trails[i], trails[i + 1]));
  lengths.sort((a, b) => a - b);
  return lengths[Math.floor(0.9 * (lengths.length - 1))] || 0;
}

/**
 * The code plane on `canvas`, drawn and listening for as long as `fig` lives. See the file header.
 * @param {ReturnType<import("../../lib/figure.js").createFigure>} fig
 * @param {HTMLCanvasElement} canvas @param {object} options
 */
export function createLatentView(fig, canvas, options = {}) {
  const state = {
    codes: new Float32Array(0), trails: new Float32Array(0), colours: [],
    domain: null, exponent: 3, size: options.size || 300, highlight: null,
    theme: options.theme || readTheme(canvas),
  };
  const frame = fig.scheduler(draw);
  const schedule = () => frame.invalidate();
  canvas.setAttribute("role", "img");
  if (options.label) canvas.setAttribute("aria-label", options.label);
  canvas.tabIndex = 0;
  canvas.style.touchAction = "pan-y";

  const toPx = (x, y) => {
    const { cx, cy, half } = state.domain;
    const inner = state.size - Math.max(MARGIN.left + MARGIN.right, MARGIN.top + MARGIN.bottom);
    return [MARGIN.left + ((x - cx + half) / (2 * half)) * inner, MARGIN.top + ((cy + half - y) / (2 * half)) * inner];
  };

  /** Choose the trail factor 10^k, changing k only when trails get too short or too long. */
  function updateExponent() {
    const typical = typicalLength(state.trails);
    if (!(typical > 0) || !state.domain) return;
    const span = 2 * state.domain.half;
    const shown = typical * 10 ** state.exponent / span;
    if (shown < TRAIL_LOW || shown > TRAIL_HIGH) {
      state.exponent = Math.round(Math.log10((TRAIL_TARGET * span) / typical));
    }
  }

  function draw() {
    if (!state.domain) return;
    const size = state.size;
    const { ctx } = fitCanvas(canvas, size, size);
    const { fg, muted, border, bg } = state.theme;
    ctx.clearRect(0, 0, size, size);
    // frame and ticks
    const [left, top] = toPx(state.domain.cx - state.domain.half, state.domain.cy + state.domain.half);
    const [right, bottom] = toPx(state.domain.cx + state.domain.half, state.domain.cy - state.domain.half);
    ctx.strokeStyle = border;
    ctx.lineWidth = 1;
    ctx.strokeRect(left + 0.5, top + 0.5, right - left - 1, bottom - top - 1);
    ctx.font = "10px system-ui, sans-serif";
    ctx.fillStyle = muted;
    const { cx, cy, half } = state.domain;
    const stepSize = niceStep(2 * half, 4);
    const digits = Math.max(0, -Math.floor(Math.log10(stepSize)));
    const axes = [ // z1: vertical grid lines, labels below; z2: horizontal lines, labels on the left
      { centre: cx, at: (v) => toPx(v, 0)[0], align: "center", baseline: "top",
        line: (p) => [p + 0.5, top, p + 0.5, bottom], label: (p) => [p, bottom + 3] },
      { centre: cy, at: (v) => toPx(0, v)[1], align: "right", baseline: "middle",
        line: (p) => [left, p + 0.5, right, p + 0.5], label: (p) => [left - 3, p] },
    ];
    for (const axis of axes) {
      ctx.textAlign = axis.align;
      ctx.textBaseline = axis.baseline;
      for (let v = Math.ceil((axis.centre - half) / stepSize) * stepSize; v <= axis.centre + half; v += stepSize) {
        const p = axis.at(v);
        const [x0, y0, x1, y1] = axis.line(p);
        ctx.globalAlpha = 0.35;
        ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
        ctx.globalAlpha = 1;
        ctx.fillText(v.toFixed(digits), ...axis.label(p));
      }
    }
    ctx.textBaseline = "bottom";
    ctx.textAlign = "right";
    ctx.fillText("z₁", right, bottom + 16);
    ctx.textAlign = "right";
    ctx.textBaseline = "top";
    ctx.fillText("z₂", left - 4, top + 1);

    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, right - left, bottom - top);
    ctx.clip();
    const n = state.codes.length / 2;
    const factor = 10 ** state.exponent;
    const r = Math.max(2, Math.min(3.5, size / 100));
    // trails: a wedge from the point (base 2r wide) to the tip at z + factor * (-dL/dz)
    for (let i = 0; i < n; i += 1) drawTrail(ctx, i, factor, r * 1.2, 0.6);
    for (let i = 0; i < n; i += 1) {
      const [px, py] = toPx(state.codes[2 * i], state.codes[2 * i + 1]);
      ctx.beginPath();
      ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.fillStyle = state.colours[i] || fg;
      ctx.fill();
      ctx.lineWidth = 0.6;
      ctx.strokeStyle = bg;
      ctx.stroke();
    }
    const h = state.highlight;
    if (h !== null && h < n) {
      drawTrail(ctx, h, factor, r * 1.6, 1, fg);
      const [px, py] = toPx(state.codes[2 * h], state.codes[2 * h + 1]);
      drawHighlight(ctx, px, py, r, state.colours[h] || fg, state.theme);
    }
    ctx.restore();
  }

  function drawTrail(ctx, i, factor, base, alpha, outline) {
    const x = state.codes[2 * i], y = state.codes[2 * i + 1];
    const [px, py] = toPx(x, y);
    const [tx, ty] = toPx(x + factor * state.trails[2 * i], y + factor * state.trails[2 * i + 1]);
    const len = Math.hypot(tx - px, ty - py);
    if (len < 0.5) return;
    const nx = -(ty - py) / len * (base / 2), ny = (tx - px) / len * (base / 2);
    ctx.beginPath();
    ctx.moveTo(px + nx, py + ny);
    ctx.lineTo(tx, ty);
    ctx.lineTo(px - nx, py - ny);
    ctx.closePath();
    ctx.globalAlpha = alpha;
    ctx.fillStyle = state.colours[i] || state.theme.fg;
    ctx.fill();
    if (outline) {
      ctx.lineWidth = 1;
      ctx.strokeStyle = outline;
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  function pick(clientX, clientY) {
    if (!state.domain) return null;
    const rect = canvas.getBoundingClientRect();
    const at = (i) => toPx(state.codes[2 * i], state.codes[2 * i + 1]);
    return nearestPoint(state.codes.length / 2, at, clientX - rect.left, clientY - rect.top, 12);
  }

  hoverPoints(fig, canvas, pick, options.onHover);
  fig.on(canvas, "pointerup", (event) => options.onHover?.(pick(event.clientX, event.clientY), "tap"));
  // keys walk along the shape (points are in order along it): arrows +-1, Page keys +-10
  fig.on(canvas, "keydown", (event) => {
    const n = state.codes.length / 2;
    if (!n || event.altKey || event.ctrlKey || event.metaKey) return;
    const at = state.highlight ?? -1;
    const moves = { ArrowRight: at + 1, ArrowUp: at + 1, ArrowLeft: at - 1, ArrowDown: at - 1,
      PageUp: at + 10, PageDown: at - 10, Home: 0, End: n - 1 };
    if (event.key === "Escape") { options.onKey?.(null); return; }
    if (!(event.key in moves)) return;
    event.preventDefault();
    options.onKey?.(((moves[event.key] % n) + n) % n);
  });

  return {
    setData({ codes, trails, colours }) {
      state.codes = Float32Array.from(codes);
      state.trails = Float32Array.from(trails);
      if (colours) state.colours = colours;
      if (!state.domain) this.fit();
      // grow (never shrink) when a code leaves the inner 96% of the range
      const box = extent(state.codes);
      const d = state.domain, inner = d.half * 0.96;
      if (box.x0 < d.cx - inner || box.x1 > d.cx + inner || box.y0 < d.cy - inner || box.y1 > d.cy + inner) {
        const union = { x0: Math.min(box.x0, d.cx - d.half), x1: Math.max(box.x1, d.cx + d.half),
          y0: Math.min(box.y0, d.cy - d.half), y1: Math.max(box.y1, d.cy + d.half) };
        state.domain = squareAround(union, GROW);
      }
      updateExponent();
      schedule();
    },
    /** Re-fit the range to the current codes (Reset, new shape). */
    fit() {
      if (!state.codes.length) return;
      state.domain = squareAround(extent(state.codes), GROW);
      state.exponent = 3;
      updateExponent();
      schedule();
    },
    setHighlight(i) { state.highlight = i ?? null; schedule(); },
    resize(size) { state.size = size; schedule(); },
    setTheme(theme) { state.theme = theme || readTheme(canvas); schedule(); },
    factor: () => 10 ** state.exponent,
    exponent: () => state.exponent,
    domain: () => ({ ...state.domain }),
    /** Screen position (CSS px in the canvas) of point i. */
    project(i) { const [x, y] = toPx(state.codes[2 * i], state.codes[2 * i + 1]); return { x, y }; },
    pick,
    draw,
  };
}

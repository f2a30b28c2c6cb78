// The 2-D code plane of the toy autoencoder (article 2): points z_i on equal-
// scale axes z1, z2 with ticks, optional trails (a segment from z_i towards
// z_i + scale * trail_i, with a small arrow head), and one highlighted point.
// The axis range is FIXED at creation (setExtent to change it on purpose), so
// the frame never "breathes" while the points move. Drawing is on demand (the
// figure's frame scheduler: at most once per frame); listeners end with the figure.
//
//   import { createPlane } from "../../lib/toy-plane.js";
//   const plane = createPlane(fig, canvas, {
//     extent: [x0, x1, y0, y1],   // data range; widened so both axes share one scale
//     colours,                    // n CSS colours (toy-colour.js rampColours)
//     width, height,              // CSS px
//     label,                      // aria-label (role="img" unless the caller sets a role)
//     onHover(i, how),            // nearest point under the pointer, null when none; how = "hover" | "tap"
//   });
//   plane.setPoints(codes);            // Float32Array n*2 (x, y interleaved)
//   plane.setTrails(trails, scale);    // n*2 and a length multiplier (null to hide)
//   plane.setHighlight(i | null); plane.resize(w, h); plane.setTheme(t);
//   plane.project(i) -> {x, y} CSS px; plane.pick(clientX, clientY); plane.draw() (immediate).

import { fitCanvas } from "./hidpi-canvas.js";
import { readTheme } from "./theme.js";
import { drawHighlight, hoverPoints, nearestPoint } from "./toy-points.js";

const HEADS_UP_TO = 60;
const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 5) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) || 10 * power;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** A tick label: short, with a true minus sign. */
export function tickLabel(v) {
  const text = Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(0) : String(+v.toPrecision(3));
  return text.replace("-", "\u2212");
}

/**
 * Create a code plane on `canvas`, drawn and listening for as long as `fig` lives. See the file header.
 * @param {ReturnType<import("./figure.js").createFigure>} fig
 * @param {HTMLCanvasElement} canvas @param {object} options
 */
export function createPlane(fig, canvas, options = {}) {
  const state = {
    extent: options.extent || [-1, 1, -1, 1],
    colours: options.colours ? Array.from(options.colours) : null,
    width: options.width || 240,
    height: options.height || 240,
    theme: options.theme || readTheme(canvas),
    points: new Float32Array(0),
    trails: null,
    trailScale: 1,
    highlight: null,
  };
  const frameRequests = fig.scheduler(draw);
  const schedule = () => frameRequests.invalidate();
  if (!canvas.hasAttribute("role")) canvas.setAttribute("role", "img");
  if (options.label) canvas.setAttribute("aria-label", options.label);
  const margin = { left: 34, right: 10, top: 10, bottom: 30 };

  function frame() {
    const w = state.width - margin.left - margin.right;
    const h = state.height - margin.top - margin.bottom;
    const [x0, x1, y0, y1] = state.extent;
    const s = Math.min(w / (x1 - x0), h / (y1 - y0));
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    const ox = margin.left + w / 2, oy = margin.top + h / 2;
    return {
      s, w, h,
      toX: (x) => ox + (x - cx) * s,
      toY: (y) => oy - (y - cy) * s,
      // the visible data range (wider than extent along the longer side)
      range: [cx - w / 2 / s, cx + w / 2 / s, cy - h / 2 / s, cy + h / 2 / s],
    };
  }

  function radius() {
    return Math.max(2.2, Math.min(4, Math.min(state.width, state.height) / 75));
  }

  function draw() {
    const { ctx } = fitCanvas(canvas, state.width, state.height);
    const { fg, muted, border } = state.theme;
    const f = frame();
    const [rx0, rx1, ry0, ry1] = f.range;
    ctx.clearRect(0, 0, state.width, state.height);
    ctx.font = FONT;

    // grid, ticks and axis names
    const left = f.toX(rx0), right = f.toX(rx1), top = f.toY(ry1), bottom = f.toY(ry0);
    ctx.lineWidth = 1;
    ctx.strokeStyle = border;
    ctx.fillStyle = muted;
    const axes = [ // x: vertical grid lines, labels below; y: horizontal lines, labels on the left
      { lo: rx0, hi: rx1, length: f.w, at: f.toX, align: "center", baseline: "top",
        line: (p) => [p, top, p, bottom], label: (p) => [p, bottom + 3] },
      { lo: ry0, hi: ry1, length: f.h, at: f.toY, align: "right", baseline: "middle",
        line: (p) => [left, p, right, p], label: (p) => [left - 4, p] },
    ];
    for (const axis of axes) {
      ctx.textAlign = axis.align;
      ctx.textBaseline = axis.baseline;
      for (const v of niceTicks(axis.lo, axis.hi, Math.max(2, Math.round(axis.length / 60)))) {
        const p = Math.round(axis.at(v)) + 0.5;
        const [x0, y0, x1, y1] = axis.line(p);
        ctx.globalAlpha = v === 0 ? 0.9 : 0.45;
        ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
        ctx.globalAlpha = 1;
        ctx.fillText(tickLabel(v), ...axis.label(p));
      }
    }
    ctx.strokeStyle = border;
    ctx.strokeRect(left + 0.5, top + 0.5, right - left - 1, bottom - top - 1);
    ctx.fillStyle = muted;
    ctx.textAlign = "right";
    ctx.textBaseline = "alphabetic";
    ctx.fillText("z\u2081", right, state.height - 3);
    ctx.save();
    ctx.translate(10, top + 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillText("z\u2082", 0, 0);
    ctx.restore();

    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, right - left, bottom - top);
    ctx.clip();
    const pts = state.points, n = pts.length / 2, r = radius();

    // trails under the points
    if (state.trails && state.trails.length === pts.length) {
      const k = state.trailScale * f.s;
      const heads = n <= HEADS_UP_TO; // with many points, arrow heads only clutter: plain lines from the point
      ctx.lineWidth = heads ? 1.4 : 1.1;
      for (let i = 0; i < n; i++) {
        const x = f.toX(pts[2 * i]), y = f.toY(pts[2 * i + 1]);
        const dx = state.trails[2 * i] * k, dy = -state.trails[2 * i + 1] * k;
        const len = Math.hypot(dx, dy);
        if (len < 0.5) continue;
        ctx.strokeStyle = state.colours?.[i] || fg;
        ctx.fillStyle = ctx.strokeStyle;
        ctx.globalAlpha = 0.85;
        ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + dx, y + dy); ctx.stroke();
        if (heads && len > 5) { // arrow head
          const ux = dx / len, uy = dy / len, head = Math.min(5, len * 0.45);
          ctx.beginPath();
          ctx.moveTo(x + dx, y + dy);
          ctx.lineTo(x + dx - ux * head - uy * head * 0.55, y + dy - uy * head + ux * head * 0.55);
          ctx.lineTo(x + dx - ux * head + uy * head * 0.55, y + dy - uy * head - ux * head * 0.55);
          ctx.closePath();
          ctx.fill();
        }
      }
      ctx.globalAlpha = 1;
    }

    ctx.lineWidth = 0.75;
    for (let i = 0; i < n; i++) {
      ctx.beginPath();
      ctx.arc(f.toX(pts[2 * i]), f.toY(pts[2 * i + 1]), r, 0, 2 * Math.PI);
      ctx.fillStyle = state.colours?.[i] || fg;
      ctx.fill();
      ctx.globalAlpha = 0.35;
      ctx.strokeStyle = fg;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    const hi = state.highlight;
    if (hi !== null && hi >= 0 && hi < n) {
      drawHighlight(ctx, f.toX(pts[2 * hi]), f.toY(pts[2 * hi + 1]), r, state.colours?.[hi] || fg, state.theme);
    }
    ctx.restore();
  }

  function pick(clientX, clientY) {
    const rect = canvas.getBoundingClientRect();
    const f = frame();
    const at = (i) => [f.toX(state.points[2 * i]), f.toY(state.points[2 * i + 1])];
    return nearestPoint(state.points.length / 2, at, clientX - rect.left, clientY - rect.top, radius() + 8);
  }

  hoverPoints(fig, canvas, pick, options.onHover);
  fig.on(canvas, "click", (event) => options.onHover?.(pick(event.clientX, event.clientY), "tap"));

  schedule();
  return {
    setPoints(points) { state.points = Float32Array.from(points); schedule(); },
    setTrails(trails, scale = 1) { state.trails = trails ? Float32Array.from(trails) : null; state.trailScale = scale; schedule(); },
    setColours(colours) { state.colours = colours ? Array.from(colours) : null; schedule(); },
    setExtent(extent) { state.extent = extent; schedule(); },
    setHighlight(index) { state.highlight = index ?? null; schedule(); },
    resize(width, height) { state.width = width; state.height = height; schedule(); },
    setTheme(theme) { state.theme = theme || readTheme(canvas); schedule(); },
    /** CSS px per data unit (for legends). */
    pixelsPerUnit() { return frame().s; },
    project(i) { const f = frame(); return { x: f.toX(state.points[2 * i]), y: f.toY(state.points[2 * i + 1]) }; },
    pick,
    draw,
  };
}

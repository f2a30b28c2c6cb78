// The toy bench's loss chart on a canvas: loss per step on a log scale, the
// current run in the accent colour and the previous run (other settings) as a
// dashed muted line for comparison. Both axes are stable: steps grow by
// doubling from `minSteps`, the loss range snaps to whole decades.

import { fitCanvas } from "../../lib/hidpi-canvas.js";

const MARGIN = { top: 8, right: 14, bottom: 26, left: 36 };

function decades(series) {
  let lo = Infinity, hi = -Infinity;
  for (const values of series) {
    for (let i = 0; i < values.length; i += 1) {
      const v = values[i];
      if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
  }
  if (!Number.isFinite(lo)) return [-4, 0];
  const top = Math.ceil(Math.log10(hi) + 1e-9);
  return [Math.min(Math.floor(Math.log10(lo)), top - 2), top];
}

function superscript(n) {
  const map = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
  return String(n).split("").map((c) => map[c] ?? c).join("");
}

/** "10⁻³" for -3. */
export function powerOfTen(k) {
  return `10${superscript(k)}`;
}

/**
 * Draw `current` (losses by step, index 0 = step 1) and `previous` into `canvas`.
 * @param {HTMLCanvasElement} canvas
 * @param {{current: ArrayLike<number>, previous: ArrayLike<number> | null, width: number, height: number,
 *          minSteps: number, theme: object}} spec
 */
export function drawLossChart(canvas, { current, previous, width, height, minSteps, theme }) {
  const { ctx } = fitCanvas(canvas, width, height);
  ctx.clearRect(0, 0, width, height);
  const left = MARGIN.left, right = width - MARGIN.right, top = MARGIN.top, bottom = height - MARGIN.bottom;
  let steps = minSteps;
  while (steps < Math.max(current.length, previous ? previous.length : 0)) steps *= 2;
  const [lo, hi] = decades(previous ? [current, previous] : [current]);
  const x = (s) => left + (s / steps) * (right - left);
  const y = (v) => bottom - ((Math.log10(v) - lo) / (hi - lo)) * (bottom - top);
  ctx.font = "10px system-ui, sans-serif";
  ctx.fillStyle = theme.muted;
  ctx.strokeStyle = theme.border;
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const every = Math.ceil((hi - lo) / Math.max(2, Math.floor((bottom - top) / 22)));
  for (let k = lo; k <= hi; k += 1) {
    const py = Math.round(y(10 ** k)) + 0.5;
    ctx.globalAlpha = k % every === 0 ? 0.5 : 0.2;
    ctx.beginPath(); ctx.moveTo(left, py); ctx.lineTo(right, py); ctx.stroke();
    ctx.globalAlpha = 1;
    if (k % every === 0) ctx.fillText(powerOfTen(k), left - 5, py);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let i = 0; i <= 4; i += 1) {
    const s = (steps / 4) * i;
    ctx.fillText(s.toLocaleString("en-US"), x(s), bottom + 4);
  }
  ctx.textAlign = "right";
  ctx.fillText("step", right, bottom + 15);
  ctx.strokeStyle = theme.border;
  ctx.beginPath(); ctx.moveTo(left + 0.5, top); ctx.lineTo(left + 0.5, bottom + 0.5); ctx.lineTo(right, bottom + 0.5); ctx.stroke();

  const line = (values, color, dash, widthPx) => {
    if (!values || !values.length) return;
    const stride = Math.max(1, Math.floor(values.length / (right - left)));
    ctx.beginPath();
    let started = false;
    for (let i = 0; i < values.length; i += stride) {
      const v = values[i];
      if (!(v > 0) || !Number.isFinite(v)) continue;
      const px = x(i + 1), py = y(v);
      if (started) ctx.lineTo(px, py); else { ctx.moveTo(px, py); started = true; }
    }
    const last = values[values.length - 1];
    if (started && last > 0) ctx.lineTo(x(values.length), y(last));
    ctx.setLineDash(dash);
    ctx.strokeStyle = color;
    ctx.lineWidth = widthPx;
    ctx.lineJoin = "round";
    ctx.stroke();
    ctx.setLineDash([]);
  };
  line(previous, theme.muted, [4, 3], 1.5);
  line(current, theme.accent, [], 2);
}

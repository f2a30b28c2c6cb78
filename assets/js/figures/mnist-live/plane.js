// The latent plane of mnist-live, drawn with Canvas 2D: axes with ticks in
// code units, one class-tinted dot per digit (in a fixed shuffled order, so
// no class always sits on top), the probe and a ring on the nearest digit.

import { fitCanvas } from "../../lib/hidpi-canvas.js";
import { rangeOf } from "./frame.js";
import { drawAxes as drawPlotAxes } from "../../lib/plot-axes.js";

const MARGIN = { left: 46, right: 10, top: 8, bottom: 36 };
const BOLD = 'bold 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/**
 * @param {HTMLCanvasElement} canvas
 * @param {{labels: Uint8Array, palette: string[], order: Int32Array}} data
 */
export function createPlane(canvas, { labels, palette, order }) {
  let size = { width: 1, height: 1 };
  let plot = { left: 0, top: 0, width: 1, height: 1 };
  let frame = { cx: 0, cy: 0, k: 1 };
  const radius = () => (labels.length > 4000 ? 1.6 : labels.length > 1500 ? 2.1 : 2.6);

  function toPixel(x, y, f = frame) {
    return [plot.left + plot.width / 2 + (x - f.cx) / f.k, plot.top + plot.height / 2 - (y - f.cy) / f.k];
  }

  function toCode(px, py, f = frame) {
    return [f.cx + (px - plot.left - plot.width / 2) * f.k, f.cy - (py - plot.top - plot.height / 2) * f.k];
  }

  function drawAxes(ctx, theme) {
    const r = rangeOf(frame, plot.width, plot.height);
    drawPlotAxes(ctx, theme, plot, r, toPixel, { xTitle: "code z\u2081", yTitle: "code z\u2082", xTitleGap: 21, yTitleX: 10 });
  }

  function drawDots(ctx, codes) {
    const r = radius();
    ctx.globalAlpha = 0.75;
    for (let n = 0; n < order.length; n += 1) {
      const i = order[n];
      const [px, py] = toPixel(codes[2 * i], codes[2 * i + 1]);
      ctx.fillStyle = palette[labels[i] % palette.length];
      ctx.beginPath();
      ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
  }

  function drawProbe(ctx, theme, probe, near, codes) {
    if (near) {
      const [nx, ny] = toPixel(codes[2 * near.index], codes[2 * near.index + 1]);
      ctx.beginPath();
      ctx.arc(nx, ny, radius() + 3, 0, 2 * Math.PI);
      ctx.lineWidth = 2;
      ctx.strokeStyle = theme.fg;
      ctx.stroke();
    }
    const [px, py] = toPixel(probe[0], probe[1]);
    ctx.beginPath();
    ctx.arc(px, py, 8, 0, 2 * Math.PI);
    for (const [width, colour] of [[5, theme.bg], [2.5, theme.fg]]) { // a halo, then the ring
      ctx.lineWidth = width;
      ctx.strokeStyle = colour;
      ctx.stroke();
    }
    ctx.fillStyle = theme.fg;
    ctx.fillRect(px - 1, py - 1, 2, 2);
    if (near) {
      // the class as text, not only as colour
      const text = `nearest: ${near.label}`;
      ctx.font = BOLD;
      const w = ctx.measureText(text).width;
      const right = px + 12 + w < plot.left + plot.width;
      const tx = right ? px + 12 : px - 12;
      const ty = py - 10 < plot.top + 12 ? py + 18 : py - 10;
      ctx.textAlign = right ? "left" : "right";
      ctx.textBaseline = "middle";
      ctx.lineWidth = 4;
      ctx.lineJoin = "round";
      ctx.strokeStyle = theme.bg;
      ctx.strokeText(text, tx, ty);
      ctx.fillStyle = theme.fg;
      ctx.fillText(text, tx, ty);
    }
  }

  return {
    toPixel,
    toCode,
    get plot() {
      return { ...plot };
    },
    /** Give the plane a CSS size. */
    resize(width, height) {
      size = { width, height };
      plot = {
        left: MARGIN.left, top: MARGIN.top,
        width: Math.max(10, width - MARGIN.left - MARGIN.right),
        height: Math.max(10, height - MARGIN.top - MARGIN.bottom),
      };
    },
    /**
     * Draw `codes` (interleaved x, y) in `view` (the frame to show), with the probe if any.
     * @param {{codes: Float32Array, view: {cx: number, cy: number, k: number}, theme: object,
     *   probe: number[] | null, near: {index: number, label: number} | null}} scene
     */
    draw({ codes, view, theme, probe, near }) {
      frame = view;
      const { ctx } = fitCanvas(canvas, size.width, size.height);
      ctx.imageSmoothingEnabled = true;
      ctx.fillStyle = theme.bg;
      ctx.fillRect(0, 0, size.width, size.height);
      drawAxes(ctx, theme);
      ctx.save();
      ctx.beginPath();
      ctx.rect(plot.left + 1, plot.top + 1, plot.width - 2, plot.height - 2);
      ctx.clip();
      drawDots(ctx, codes);
      if (probe) drawProbe(ctx, theme, probe, near, codes);
      ctx.restore();
    },
  };
}

// The face autoencoder's latent plane drawn on 2-D canvases: the training
// faces' codes as dots, and the grid of faces decoded at build, each with a
// marker at the explorer's current code. What does not move (thousands of
// dots, the grid scaled down) is drawn once per size and theme into a layer
// (createLayer); a frame copies the layers and draws the markers, so the
// planes keep up with every decoded face.

import { fitCanvas } from "../../lib/hidpi-canvas.js";

const INSET = 8; // px between the frame and the extreme codes

/**
 * Map codes in `extent` to a `width` x `height` box (second code up), inset a little.
 * @param {{min: number[], max: number[]}} extent
 */
export function planeScale(extent, width, height, inset = INSET) {
  const span = [0, 1].map((d) => (extent.max[d] - extent.min[d]) || 1);
  const toPx = (x, y) => [
    inset + ((x - extent.min[0]) / span[0]) * (width - 2 * inset),
    height - inset - ((y - extent.min[1]) / span[1]) * (height - 2 * inset),
  ];
  const toCode = (px, py) => [
    extent.min[0] + ((px - inset) / (width - 2 * inset)) * span[0],
    extent.min[1] + ((height - inset - py) / (height - 2 * inset)) * span[1],
  ];
  return { toPx, toCode };
}

/** Dots for `codes` (Float32Array of x, y pairs), `alpha` strong, with a frame. */
export function drawCodes(ctx, codes, scale, { width, height, theme, alpha = 0.8, radius = 2.5 }) {
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = theme.border;
  ctx.lineWidth = 1;
  ctx.strokeRect(0.5, 0.5, width - 1, height - 1);
  ctx.globalAlpha = alpha;
  ctx.fillStyle = theme.accent;
  for (let i = 0; i < codes.length; i += 2) {
    const [x, y] = scale.toPx(codes[i], codes[i + 1]);
    ctx.beginPath();
    ctx.arc(x, y, radius, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}

/** A ring with a cross at code (x, y). */
export function drawMarker(ctx, scale, code, theme, size = 7) {
  const [px, py] = scale.toPx(code[0], code[1]);
  ctx.lineWidth = 3;
  ctx.strokeStyle = theme.bg;
  ctx.beginPath();
  ctx.arc(px, py, size, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.lineWidth = 2;
  ctx.strokeStyle = theme.fg;
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(px - size - 4, py);
  ctx.lineTo(px - size + 2, py);
  ctx.moveTo(px + size - 2, py);
  ctx.lineTo(px + size + 4, py);
  ctx.moveTo(px, py - size - 4);
  ctx.lineTo(px, py - size + 2);
  ctx.moveTo(px, py + size - 2);
  ctx.lineTo(px, py + size + 4);
  ctx.stroke();
}

/** "code 1 →" along the bottom and "code 2 →" up the left edge, inside the frame. */
export function drawAxisNames(ctx, { width, height, theme }) {
  ctx.fillStyle = theme.muted;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "right";
  ctx.fillText("code 1 →", width - 6, height - 6);
  ctx.save();
  ctx.translate(13, 6);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText("code 2 →", 0, 0);
  ctx.restore();
  ctx.textAlign = "start";
}

/**
 * A picture drawn once per size, pixel ratio and theme by `paint(ctx, width, height, theme)` (in CSS pixels),
 * and copied by `drawInto(ctx, width, height, theme)` until one of those changes.
 */
export function createLayer(paint) {
  const canvas = document.createElement("canvas");
  let key = null;
  return {
    drawInto(ctx, width, height, theme) {
      const next = JSON.stringify([width, height, window.devicePixelRatio || 1, theme]);
      if (next !== key) {
        const { ctx: layer } = fitCanvas(canvas, width, height);
        layer.clearRect(0, 0, width, height);
        paint(layer, width, height, theme);
        key = next;
      }
      ctx.drawImage(canvas, 0, 0, width, height);
    },
  };
}

/** The layer of `codes`' dots (`alpha`, `radius`) in a frame, with the axis names. */
export function codesLayer(codes, extent, { alpha, radius }) {
  return createLayer((ctx, width, height, theme) => {
    drawCodes(ctx, codes, planeScale(extent, width, height), { width, height, theme, alpha, radius });
    drawAxisNames(ctx, { width, height, theme });
  });
}

/** The scatter of training codes (a codesLayer) with the current code marked. */
export function drawScatter(canvas, layer, extent, code, { width, height, theme }) {
  const { ctx } = fitCanvas(canvas, width, height);
  layer.drawInto(ctx, width, height, theme);
  drawMarker(ctx, planeScale(extent, width, height), code, theme);
}

/** The layer of the n x n sprite of decoded faces, scaled once to the panel. */
export function spriteLayer(sprite) {
  return createLayer((ctx, width, height) => {
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(sprite, 0, 0, width, height);
  });
}

/**
 * The n x n sprite of decoded faces (a spriteLayer); cell centres sit at evenly spaced codes
 * from extent.min to extent.max (top row at the largest second code). The cell
 * nearest `code` is outlined.
 */
export function drawGrid(canvas, layer, n, extent, code, { width, height, theme }) {
  const { ctx } = fitCanvas(canvas, width, height);
  layer.drawInto(ctx, width, height, theme);
  const cellW = width / n;
  const cellH = height / n;
  const span = [0, 1].map((d) => (extent.max[d] - extent.min[d]) || 1);
  const col = ((code[0] - extent.min[0]) / span[0]) * (n - 1);
  const row = ((extent.max[1] - code[1]) / span[1]) * (n - 1);
  const near = [Math.round(col), Math.round(row)];
  ctx.lineWidth = 2;
  ctx.strokeStyle = theme.accent;
  ctx.strokeRect(near[0] * cellW + 1, near[1] * cellH + 1, cellW - 2, cellH - 2);
  drawMarker(ctx, { toPx: () => [(col + 0.5) * cellW, (row + 0.5) * cellH] }, code, theme, 5);
}

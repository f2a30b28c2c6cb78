// zoo-reconstructions: painting the canvas: class names over the originals, one row of images
// per kind (original, noisy input, output), each output's loss under it, the row names, and a
// ring around the selected image's column.

import { cellBox, GAP } from "./layout.js";

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const SMALL = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

function fitText(ctx, text, room) {
  if (ctx.measureText(text).width <= room) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > room) t = t.slice(0, -1);
  return `${t}…`;
}

function drawColumn(ctx, { layout, rows, model, labels, selected, theme }, i) {
  const top = cellBox(layout, 0, i);
  const colour = i === selected ? theme.fg : theme.muted;
  ctx.font = SMALL;
  ctx.textAlign = "center";
  ctx.fillStyle = colour;
  ctx.fillText(fitText(ctx, labels[i] ?? "", layout.cell + GAP), top.x + layout.cell / 2, top.y - layout.rowLabel - 4);
  rows.forEach((row, r) => {
    const { x, y } = cellBox(layout, r, i);
    const { w, h } = layout.source;
    ctx.drawImage(row.image, i * w, 0, w, h, x, y, layout.cell, layout.cellH);
    if (row.losses) ctx.fillText(model.bce[i].toFixed(3), x + layout.cell / 2, y + layout.cellH + 12);
  });
  if (i === selected) {
    const b = cellBox(layout, rows.length - 1, i);
    ctx.strokeStyle = theme.accent;
    ctx.lineWidth = 2;
    ctx.strokeRect(top.x - 2, top.y - 2, layout.cell + 4, b.y + layout.cellH - top.y + 4);
  }
}

function drawRowNames(ctx, { layout, rows, theme }, line) {
  rows.forEach((row, r) => {
    const { y } = cellBox(layout, r, line * layout.cols);
    ctx.font = FONT;
    ctx.fillStyle = r === rows.length - 1 ? theme.fg : theme.muted;
    if (layout.side) {
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      ctx.fillText(row.name, layout.gridX - 10, y + layout.cellH / 2);
      ctx.textBaseline = "alphabetic";
    } else if (r > 0) {
      ctx.textAlign = "left";
      ctx.fillText(row.name, layout.gridX, y - 4);
    }
  });
  if (layout.side) {
    const { y } = cellBox(layout, rows.length - 1, line * layout.cols);
    ctx.font = SMALL;
    ctx.textAlign = "right";
    ctx.fillStyle = theme.muted;
    ctx.fillText("BCE", layout.gridX - 10, y + layout.cellH + 12);
  }
}

/**
 * Paint the strip.
 * @param {CanvasRenderingContext2D} ctx sized to layout.used × layout.height CSS px
 * @param {{layout: object, rows: {name: string, image: HTMLImageElement, losses?: boolean}[], model: object,
 *   labels: string[], selected: number, theme: object}} scene
 */
export function paint(ctx, scene) {
  const { layout } = scene;
  ctx.clearRect(0, 0, layout.used, layout.height);
  ctx.textBaseline = "alphabetic";
  for (let i = 0; i < layout.count; i += 1) drawColumn(ctx, scene, i);
  for (let line = 0; line < layout.lines; line += 1) drawRowNames(ctx, scene, line);
}

/**
 * A checksum of the canvas pixels of the last (output) row: changes when the shown images change.
 * @param {HTMLCanvasElement} canvas @param {object} layout @param {number} rowCount
 */
export function outputChecksum(canvas, layout, rowCount) {
  const ctx = canvas.getContext("2d");
  const ratio = canvas.width / layout.used;
  const { y } = cellBox(layout, rowCount - 1, 0);
  const data = ctx.getImageData(Math.round(layout.gridX * ratio), Math.round(y * ratio),
    Math.round(layout.cols * layout.cell * ratio), Math.round(layout.cellH * ratio)).data;
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += data[i] * ((i >> 2) % 97 + 1);
  return sum;
}

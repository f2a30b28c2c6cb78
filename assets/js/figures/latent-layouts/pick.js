// Sprite size and hit-testing for the latent-layouts figure: how large a
// digit is drawn at a zoom, and which point lies under a canvas position.

import { pixelsPerUnit, toData } from "./view.js";

const MAX_SPRITE = 112; // CSS px

/**
 * Side of a sprite in CSS px at `zoom`: about the spacing of `count` points spread over the
 * layout square, growing more slowly than the zoom, within [5, 22] px at zoom 1 and at most MAX_SPRITE.
 */
export function spriteSize(zoom, size, count) {
  const side = 2 * pixelsPerUnit(1, size.width, size.height);
  const spacing = side / Math.sqrt(count);
  const base = Math.min(22, Math.max(5, spacing * 1.5));
  return Math.min(MAX_SPRITE, base * zoom ** 0.75);
}

/**
 * The point under canvas position (sx, sy): the topmost sprite there, else the nearest
 * within `tolerance` CSS px; -1 when none. Points of other classes than `highlight` (if >= 0) are skipped.
 * @param {{view: object, size: object, count: number, labels: Uint8Array, highlight: number, e: number,
 *   fromXY: Float32Array, toXY: Float32Array}} at the drawing: point i is at from + (to - from) * e
 */
export function pickPoint(sx, sy, tolerance, { view, size, count, labels, highlight, e, fromXY, toXY }) {
  if (!size.width) return -1;
  const ppu = pixelsPerUnit(view.zoom, size.width, size.height);
  const at = toData(view, size, sx, sy);
  const inside = (spriteSize(view.zoom, size, count) / 2) * 0.8 / ppu;
  const near = Math.max(inside, tolerance / ppu);
  let top = -1;
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < count; i += 1) {
    if (highlight >= 0 && labels[i] !== highlight) continue;
    const dx = Math.abs(fromXY[2 * i] + (toXY[2 * i] - fromXY[2 * i]) * e - at.x);
    if (dx > near) continue;
    const dy = Math.abs(fromXY[2 * i + 1] + (toXY[2 * i + 1] - fromXY[2 * i + 1]) * e - at.y);
    if (dy > near) continue;
    if (dx <= inside && dy <= inside) top = i; // later points are drawn on top
    const d = dx * dx + dy * dy;
    if (d < bestD) { bestD = d; best = i; }
  }
  return top >= 0 ? top : best;
}

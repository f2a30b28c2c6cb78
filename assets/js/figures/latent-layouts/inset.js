// The enlarged image shown beside a hovered or tapped point: its atlas cell
// redrawn at a whole-pixel scale, framed in its class colour, with its label
// underneath. A gray cell (a digit) is drawn as ink in the text colour on the
// page background; a colour one as it is, cropped to the source image's
// aspect (the cell holds it centred, padded black).

import { h } from "../../lib/figure.js";
import { fitCanvas } from "../../lib/hidpi-canvas.js";

const SCALE = 3; // CSS px per source pixel (gray cells)
const COLOUR_SIDE = 96; // CSS px the longer side of a colour image is drawn at, about
const GAP = 14; // CSS px between the point and the inset

let probe = null;

/** Round to the nearest integer, halves to the even one (as Python's round does). */
function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** [r, g, b] (0-255) of any CSS colour. */
export function rgbOf(color) {
  probe ||= document.createElement("canvas").getContext("2d");
  probe.fillStyle = "#000";
  probe.fillStyle = color;
  const hex = probe.fillStyle; // normalised to #rrggbb for opaque colours
  if (/^#[0-9a-f]{6}$/i.test(hex)) return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const m = hex.match(/[\d.]+/g);
  return m ? m.slice(0, 3).map(Number) : [0, 0, 0];
}

/**
 * @param {HTMLElement} stage the positioned element the inset floats in
 * @param {{images: ImageBitmap[], cell: number, perRow: number, perAtlas: number, color?: "gray" | "rgb",
 *   aspect?: number[]}} atlas `aspect`: [height, width] of the source images
 */
export function createInset(stage, atlas) {
  const { cell } = atlas;
  const rgb = atlas.color === "rgb";
  const [ah, aw] = atlas.aspect || [1, 1];
  // the part of a cell the image fills, as generator/atlas.py fits it (fitted_size: Python's round)
  const fit = cell / Math.max(ah, aw);
  const crop = { w: Math.max(1, roundHalfEven(aw * fit)), h: Math.max(1, roundHalfEven(ah * fit)) };
  crop.x = Math.floor((cell - crop.w) / 2);
  crop.y = Math.floor((cell - crop.h) / 2);
  const scale = rgb ? Math.max(1, Math.round(COLOUR_SIDE / Math.max(crop.w, crop.h))) : SCALE;
  const canvas = h("canvas");
  const title = h("strong");
  const detail = h("span");
  // aria-hidden: announced through the figure's live region instead
  const tip = h("div", { class: "latent-layouts__tip", hidden: true, "aria-hidden": "true" }, canvas, title, detail);
  stage.append(tip);
  const scratch = h("canvas", { width: cell, height: cell });
  const scratchCtx = scratch.getContext("2d", { willReadFrequently: true });
  let shown = -1;
  let key = "";

  function paint(index, ink, paper) {
    const atlasIndex = Math.floor(index / atlas.perAtlas);
    const within = index % atlas.perAtlas;
    const sx = (within % atlas.perRow) * cell;
    const sy = Math.floor(within / atlas.perRow) * cell;
    if (rgb) {
      const { ctx } = fitCanvas(canvas, crop.w * scale, crop.h * scale); // unsmoothed: whole source pixels
      ctx.drawImage(atlas.images[atlasIndex], sx + crop.x, sy + crop.y, crop.w, crop.h, 0, 0, crop.w * scale, crop.h * scale);
      return;
    }
    scratchCtx.clearRect(0, 0, cell, cell);
    scratchCtx.drawImage(atlas.images[atlasIndex], sx, sy, cell, cell, 0, 0, cell, cell);
    const image = scratchCtx.getImageData(0, 0, cell, cell);
    const px = image.data;
    for (let i = 0; i < px.length; i += 4) {
      const a = px[i] / 255; // white ink on black: luminance is coverage
      px[i] = paper[0] + (ink[0] - paper[0]) * a;
      px[i + 1] = paper[1] + (ink[1] - paper[1]) * a;
      px[i + 2] = paper[2] + (ink[2] - paper[2]) * a;
      px[i + 3] = 255;
    }
    scratchCtx.putImageData(image, 0, 0);
    const side = cell * SCALE;
    const { ctx } = fitCanvas(canvas, side, side);
    ctx.drawImage(scratch, 0, 0, side, side);
  }

  return {
    /**
     * Show point `index` next to canvas position (x, y) inside a `width` x `height` stage.
     * @param {{index: number, label: string, color: string, x: number, y: number, width: number, height: number,
     *   ink: string, paper: string, detail: string}} what
     */
    show(what) {
      const page = atlas.images[Math.floor(what.index / atlas.perAtlas)]; // null: a streamed tile not here yet
      const nextKey = `${rgb ? what.index : `${what.index}|${what.ink}|${what.paper}|${what.color}`}|${Boolean(page)}`;
      if (nextKey !== key) {
        if (page) paint(what.index, rgbOf(what.ink), rgbOf(what.paper));
        else fitCanvas(canvas, cell * SCALE, cell * SCALE); // blank until its tile arrives
        key = nextKey;
      }
      shown = what.index;
      title.textContent = what.label;
      detail.textContent = what.detail;
      tip.style.borderColor = what.color;
      tip.hidden = false;
      const tipWidth = tip.offsetWidth;
      const tipHeight = tip.offsetHeight;
      let left = what.x + GAP;
      if (left + tipWidth > what.width - 4) left = what.x - GAP - tipWidth;
      let top = what.y - tipHeight - GAP;
      if (top < 4) top = what.y + GAP;
      left = Math.max(4, Math.min(left, what.width - tipWidth - 4));
      top = Math.max(4, Math.min(top, what.height - tipHeight - 4));
      tip.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
    },
    hide() {
      shown = -1;
      tip.hidden = true;
    },
    get shown() {
      return shown;
    },
    element: tip,
    destroy() {
      tip.remove();
    },
  };
}

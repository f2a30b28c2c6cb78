// What train-in-page shows: the read-outs (epoch, losses, progress, speed), the
// held-out digit and its reconstruction on either side of the network diagram,
// and the loss chart; and how digits are painted (ink on paper, in the theme's colours).

import { h } from "../../lib/figure.js";
import { fitCanvas } from "../../lib/hidpi-canvas.js";
import { createLossChart } from "../../lib/loss-chart.js";

/**
 * Build the figure's elements (not yet on the page).
 * @param {{layers: number[], latent: number, epochs: number, reference: number|null, width: number, height: number}} spec
 */
export function buildView(spec) {
  const b = (text) => h("b", { text });
  const stat = (label, value) => h("span", {}, `${label} `, value);
  const text = { epoch: b("0"), loss: b("–"), test: b("–"), speed: h("span") };
  const progress = h("progress", { max: spec.epochs, value: 0, "aria-label": "Progress of this training run" });
  const stats = h("p", { class: "train__stats" },
    stat("Epoch", text.epoch), stat("Loss", text.loss), stat("Held-out loss", text.test), progress, text.speed);

  const canvas = () => h("canvas", { "aria-hidden": "true" });
  const input = { canvas: canvas(), caption: h("figcaption") };
  const output = { canvas: canvas(), caption: h("figcaption", { text: "Reconstruction by the model in this page" }) };
  const diagram = h("svg:svg", { class: "train__diagram", role: "img",
    "aria-label": `Layer widths ${spec.layers.join(", ")}: ` +
      `${spec.layers[0]} pixels are squeezed to a code of ${spec.latent} numbers and expanded back.` });
  const main = h("div", { class: "train__main" },
    h("figure", { class: "train__panel" }, input.canvas, input.caption), diagram,
    h("figure", { class: "train__panel" }, output.canvas, output.caption));

  const chart = createLossChart({ className: "train__chart", keys: [
    { label: "training loss", kind: "train" }, { label: "held-out loss", kind: "test" },
    ...(spec.reference == null ? [] : [{ label: "build model, held-out", kind: "ref" }]),
  ] });
  const root = h("div", { class: "train", role: "group",
    "aria-label": `Autoencoder with layers ${spec.layers.join("-")} trained in this page` },
  stats, main, chart.box);
  const scratch = h("canvas", { width: spec.width, height: spec.height });
  return { root, text, progress, input, output, diagram, chart: chart.svg, scratch };
}

// [r, g, b] of any CSS colour, read back through a canvas.
function rgbOf(ctx, color) {
  ctx.fillStyle = "#000";
  ctx.fillStyle = color;
  const hex = ctx.fillStyle;
  if (hex.startsWith("#")) return { r: parseInt(hex.slice(1, 3), 16), g: parseInt(hex.slice(3, 5), 16), b: parseInt(hex.slice(5, 7), 16) };
  const [r, g, b] = hex.match(/[\d.]+/g).map(Number);
  return { r, g, b };
}

/**
 * Paint a digit (values in [0, 1], 1 = full ink) as ink on paper in the theme's colours,
 * `scale` CSS px per pixel, through the `scratch` canvas of the digit's own size.
 */
export function paintDigit(canvas, scratch, values, scale, { width, height }, theme) {
  const ctx = scratch.getContext("2d");
  const ink = rgbOf(ctx, theme.fg);
  const paper = rgbOf(ctx, theme.bg);
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i += 1) {
    const v = values[i];
    image.data[4 * i] = paper.r + (ink.r - paper.r) * v;
    image.data[4 * i + 1] = paper.g + (ink.g - paper.g) * v;
    image.data[4 * i + 2] = paper.b + (ink.b - paper.b) * v;
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  const view = fitCanvas(canvas, width * scale, height * scale).ctx;
  view.drawImage(scratch, 0, 0, width * scale, height * scale);
}

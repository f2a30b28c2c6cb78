// What mnist-live shows: the read-outs (epoch, loss, speed), the code plane with
// its legend, the side panel (the image decoded at the probe beside the nearest
// training digit, the probe's code, a hint) and the loss chart; and its layout.

import { h } from "../../lib/figure.js";
import { createLossChart } from "../../lib/loss-chart.js";

const NARROW = 560; // below this width (CSS px) the side panel moves under the plane

/**
 * Build the figure's elements (not yet on the page).
 * @param {{count: number, width: number, height: number, palette: string[], classes: string[]}} spec
 * @param {string} hintId the id of the hint that describes the plane
 */
export function buildView(spec, hintId) {
  const b = (text) => h("b", { text });
  const stat = (label, value) => h("span", {}, `${label} `, value);
  const text = { epoch: b("0"), loss: b("–"), speed: h("span") };
  const stats = h("p", { class: "mnist-live__stats" }, stat("Epoch", text.epoch), stat("Loss", text.loss), text.speed);

  const canvas = h("canvas", { tabindex: 0, role: "application", "aria-roledescription": "code plane",
    "aria-label": `Codes of ${spec.count} training digits, coloured by class. Move the probe to decode a point.`,
    "aria-describedby": hintId });
  const legend = h("ul", { class: "figure-legend", "aria-label": "Dot colours by digit class" },
    spec.classes.map((name, k) => h("li", {}, h("span", { class: "swatch", style: { background: spec.palette[k] } }), name)));

  const digit = () => h("canvas", { class: "mnist-live__digit", width: spec.width, height: spec.height, "aria-hidden": "true" });
  const decoded = digit();
  const near = digit();
  const code = h("code", { text: "z = –" });
  const nearSwatch = h("span", { class: "swatch", "aria-hidden": "true" });
  const nearText = h("span");
  const side = h("div", { class: "mnist-live__side" },
    h("div", { class: "mnist-live__pair" },
      h("figure", {}, decoded, h("figcaption", { text: "decoded at the probe" })),
      h("figure", {}, near, h("figcaption", { text: "nearest training digit" }))),
    h("p", { class: "mnist-live__readout" }, code, h("br"), nearSwatch, nearText),
    h("p", { class: "mnist-live__hint", id: hintId,
      text: "Point at the plane, touch it, or focus it and use the arrow keys (Shift for big steps) to decode any code." }));

  const chart = createLossChart({ className: "mnist-live__chart", keys: [{ label: "training loss, each step", kind: "train" }] });
  const root = h("div", { class: "mnist-live" }, stats,
    h("div", { class: "mnist-live__main" }, h("figure", { class: "mnist-live__plane" }, canvas, legend), side),
    chart.box);
  return { root, text, canvas, decoded, near, code, nearSwatch, nearText, chart: chart.svg };
}

/**
 * Size the parts for the figure's width: returns the plane's and the chart's CSS size.
 * @param {ReturnType<typeof buildView>} ui @param {number} available the width of the figure's live area
 */
export function layout(ui, available) {
  const width = Math.max(260, available);
  const narrow = width < NARROW;
  ui.root.classList.toggle("mnist-live--narrow", narrow);
  const planeWidth = Math.min(560, narrow ? width : width - 270);
  const planeHeight = Math.round(Math.min(460, Math.max(240, planeWidth * 0.86)));
  const digit = narrow ? 112 : 140;
  ui.decoded.style.setProperty("--size", `${digit}px`);
  ui.near.style.setProperty("--size", `${Math.round(digit * 0.6)}px`);
  return { width: planeWidth, height: planeHeight, chartWidth: Math.min(width, 560) };
}

/** Paint floats in [0, 1] as white-on-black grey levels into a width x height canvas. */
export function paintDigit(canvas, values, width, height) {
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i += 1) {
    const v = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
    image.data[4 * i] = v;
    image.data[4 * i + 1] = v;
    image.data[4 * i + 2] = v;
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

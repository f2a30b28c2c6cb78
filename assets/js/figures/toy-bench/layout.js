// toy-bench's page parts: the read-outs, the three panels (the 3-D input and
// reconstruction, the code plane, the loss chart) and the strip's box, built
// once; the shapes' thumbnails on their buttons; and the columns and view
// sizes for a width.

import { h } from "../../lib/figure.js";

/**
 * Build the figure's layout in `fig.live` (removed with the figure) around the views' elements.
 * @param {ReturnType<import("../../lib/figure.js").createFigure>} fig
 * @param {{view3d: HTMLElement, latentCanvas: HTMLCanvasElement, chartCanvas: HTMLCanvasElement}} views
 * @returns {{root: HTMLElement, stepText: HTMLElement, lossText: HTMLElement, speedText: HTMLElement,
 *   latentLegend: HTMLElement, chartLegend: HTMLElement, stripBox: HTMLElement}}
 */
export function buildLayout(fig, { view3d, latentCanvas, chartCanvas }) {
  const stepText = h("b", { text: "0" });
  const lossText = h("b", { text: "–" });
  const speedText = h("span", { class: "tb__speed" });
  const readout = (label, value) => h("span", {}, `${label} `, value);
  const panel = (title, className, ...children) =>
    h("div", { class: `tb__panel ${className}` }, h("p", { class: "tb__title", text: title }), ...children);
  const legend = (className, html) => h("p", { class: `tb__legend${className ? ` ${className}` : ""}`, html });
  const help = (text) => h("p", { class: "tb__help", text });

  const latentLegend = legend("tb__legend--trail");
  const chartLegend = legend();
  chartCanvas.setAttribute("role", "img");
  const stripBox = h("div", { class: "tb__strip" });
  const root = fig.add(h("div", { class: "tb" },
    h("p", { class: "tb__readouts" }, readout("Step", stepText), readout("Loss", lossText), speedText),
    h("div", { class: "tb__views" },
      panel("Input and reconstruction (3-D)", "tb__panel--3d", view3d,
        legend("", '<span><i class="tb__key tb__key--ring"></i>input</span>' +
          '<span><i class="tb__key tb__key--dot"></i>reconstruction</span>' +
          '<span><i class="tb__key tb__key--line"></i>error</span>'),
        help("Drag or use the arrow keys to turn it.")),
      panel("Codes z, with trails −∂L/∂z", "tb__panel--latent", latentCanvas, latentLegend,
        help("Arrow keys walk along the shape.")),
      panel("Loss by step (log scale)", "tb__panel--chart", chartCanvas, chartLegend)),
    stripBox));
  return { root, stepText, lossText, speedText, latentLegend, chartLegend, stripBox };
}

/** A tiny picture of a shape for its button (x right, z up, as the 3-D view starts). */
function drawThumbnail(canvas, points, colours) {
  const size = 22, ratio = window.devicePixelRatio || 1;
  canvas.width = canvas.height = size * ratio;
  canvas.style.width = canvas.style.height = `${size}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  const [cy, sy, cp, sp] = [Math.cos(0.6), Math.sin(0.6), Math.cos(0.35), Math.sin(0.35)];
  for (let i = 0; i < points.length / 3; i += 2) {
    const [x, y, z] = [points[3 * i], points[3 * i + 1], points[3 * i + 2]];
    const xr = x * cy - y * sy, yr = x * sy + y * cy;
    ctx.fillStyle = colours[i];
    ctx.fillRect(size / 2 + xr * 9.5 - 1, size / 2 - (z * cp + yr * sp) * 9.5 - 1, 2, 2);
  }
}

/**
 * Put a thumbnail of its shape at the start of each shape button (removed with the figure).
 * @param {ReturnType<import("../../lib/figure.js").createFigure>} fig
 * @param {HTMLButtonElement[]} buttons with data-shape names
 * @param {{name: string, points: Float32Array, colours: string[]}[]} shapes
 */
export function addThumbnails(fig, buttons, shapes) {
  for (const button of buttons) {
    const shape = shapes.find((s) => s.name === button.dataset.shape);
    const canvas = h("canvas", { class: "toy-bench__thumb", "aria-hidden": "true" });
    if (shape) drawThumbnail(canvas, shape.points, shape.colours);
    button.prepend(canvas);
    fig.onDestroy(() => canvas.remove());
  }
}

/**
 * Columns (1 to 3) and view sizes for the live area's width in CSS px.
 * @param {number} liveWidth
 * @returns {{width: number, columns: number, size: number, chartWidth: number, chartHeight: number}}
 */
export function measure(liveWidth) {
  const width = Math.max(280, Math.floor(liveWidth));
  const gap = 12;
  const columns = width >= 760 ? 3 : width >= 500 ? 2 : 1;
  const size = Math.min(columns === 1 ? 360 : 330, Math.floor((width - gap * (columns - 1)) / columns));
  const chartWidth = columns === 2 ? width : size;
  return { width, columns, size, chartWidth, chartHeight: columns === 3 ? Math.round(size * 0.82) : 200 };
}

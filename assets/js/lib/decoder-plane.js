// The code plane: the data's 2-D codes as class-tinted dots over labelled
// axes, drawn with Canvas 2D. The dots are rendered once into an offscreen
// layer (again only on resize or theme change); each frame copies that layer
// and lets the figure draw its markers on top.

import { h } from "./figure.js";
import { fitCanvas } from "./hidpi-canvas.js";
import { drawAxes } from "./plot-axes.js";

const MARGIN = { left: 48, right: 12, top: 10, bottom: 36 };

/** The plot area (CSS px, relative to the canvas) of a plane `width` x `height`: inside the axes' margins. */
function plotArea(width, height) {
  const { left, right, top, bottom } = MARGIN;
  return { left, top, width: Math.max(10, width - left - right), height: Math.max(10, height - top - bottom) };
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {{domain: {x: number[], y: number[]}, codes: Float32Array, labels: Uint8Array, colors: string[]}} data
 */
export function createPlane(canvas, { domain, codes, labels, colors }) {
  const [x0, x1] = domain.x;
  const [y0, y1] = domain.y;
  const count = codes.length / 2;
  const radius = count > 20000 ? 1.1 : count > 5000 ? 1.5 : 2;
  let size = { width: 0, height: 0 };
  let plot = { left: 0, top: 0, width: 1, height: 1 };
  let layer = null; // offscreen canvas with axes and dots
  let layerTheme = "";

  function toPixel(x, y) {
    return [plot.left + ((x - x0) / (x1 - x0)) * plot.width, plot.top + ((y1 - y) / (y1 - y0)) * plot.height];
  }

  function toCode(px, py) {
    const x = x0 + ((px - plot.left) / plot.width) * (x1 - x0);
    const y = y1 - ((py - plot.top) / plot.height) * (y1 - y0);
    return clampCode(x, y);
  }

  function clampCode(x, y) {
    return [Math.min(x1, Math.max(x0, x)), Math.min(y1, Math.max(y0, y))];
  }

  function renderLayer(theme, ratio) {
    layer = layer || document.createElement("canvas");
    layer.width = Math.round(size.width * ratio);
    layer.height = Math.round(size.height * ratio);
    const ctx = layer.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = theme.bg;
    ctx.fillRect(0, 0, size.width, size.height);
    drawAxes(ctx, theme, plot, { x0, x1, y0, y1 }, toPixel, {
      xTitle: "code dimension 1 (z\u2081)", yTitle: "z\u2082", xTitleGap: 20, yTitleX: 11,
    });
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.left, plot.top, plot.width, plot.height);
    ctx.clip();
    ctx.globalAlpha = 0.7;
    for (let c = 0; c < colors.length; c += 1) {
      ctx.fillStyle = colors[c];
      ctx.beginPath();
      for (let i = 0; i < count; i += 1) {
        if (labels[i] % colors.length !== c) continue;
        const [px, py] = toPixel(codes[2 * i], codes[2 * i + 1]);
        ctx.moveTo(px + radius, py);
        ctx.arc(px, py, radius, 0, 2 * Math.PI);
      }
      ctx.fill();
    }
    ctx.restore();
    layerTheme = JSON.stringify(theme);
  }

  return {
    toPixel,
    toCode,
    clampCode,
    /** Give the plane a CSS size; the dot layer is re-rendered on the next draw. */
    resize(width, height) {
      size = { width, height };
      plot = plotArea(width, height);
      layer = null;
    },
    /** Copy the dot layer to the canvas, then call `overlay(ctx)` to draw markers. */
    draw(theme, overlay) {
      const { ctx, ratio } = fitCanvas(canvas, size.width, size.height);
      if (!layer || layerTheme !== JSON.stringify(theme) || layer.width !== canvas.width) renderLayer(theme, ratio);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(layer, 0, 0);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.imageSmoothingEnabled = true;
      if (overlay) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(plot.left - 10, plot.top - 10, plot.width + 20, plot.height + 20);
        ctx.clip();
        overlay(ctx);
        ctx.restore();
      }
    },
    destroy() {
      layer = null;
    },
    /** The plot area in CSS px, relative to the canvas. */
    get plot() {
      return { ...plot };
    },
  };
}

/** A ring marker with a halo, readable on any dot colour; `shape` "circle" or "square". */
export function drawMarker(ctx, px, py, theme, { shape = "circle", text = "" } = {}) {
  const r = 7;
  const path = () => {
    ctx.beginPath();
    if (shape === "square") ctx.rect(px - r, py - r, 2 * r, 2 * r);
    else ctx.arc(px, py, r, 0, 2 * Math.PI);
  };
  const stroke = (lineWidth, color) => {
    ctx.lineWidth = lineWidth;
    ctx.strokeStyle = color;
    ctx.stroke();
  };
  path();
  stroke(5, theme.bg); // the halo
  stroke(2.5, theme.fg);
  ctx.fillStyle = theme.fg;
  ctx.fillRect(px - 1, py - 1, 2, 2);
  if (text) {
    ctx.font = 'bold 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    ctx.textAlign = "left";
    ctx.textBaseline = "bottom";
    ctx.lineWidth = 3;
    ctx.strokeStyle = theme.bg;
    ctx.strokeText(text, px + r + 2, py - r + 2);
    ctx.fillStyle = theme.fg;
    ctx.fillText(text, px + r + 2, py - r + 2);
  }
}

/**
 * A legend of the dots' class colours (site.css styles .figure-legend).
 * @param {string[]} classes @param {string[]} colors @param {string} [label] the list's accessible name
 */
export function classLegend(classes, colors, label = "Dot colours by digit class") {
  return h("ul", { class: "figure-legend", "aria-label": label }, classes.map((name, i) =>
    h("li", {}, h("span", { class: "swatch", style: { background: colors[i % colors.length] } }), name)));
}

// The dense autoencoder drawn to scale: one bar per layer whose height is
// proportional to its number of units (784 pixels down to a 2-number code and
// back), joined by fans, with the count and role under each bar.

import { h } from "../../lib/figure.js";

const TOP = 18; // px above the bars for the "encoder" / "decoder" labels
const LABELS = 34; // px under the bars for the count and the role
const MIN_BAR = 4; // px: the 2-unit code stays visible

/**
 * Draw `layers` (units per layer) and `roles` into `svg` at `width` x `height` CSS px.
 * @param {SVGSVGElement} svg
 * @param {{layers: number[], roles: string[], width: number, height: number, theme: object}} spec
 */
export function drawDiagram(svg, { layers, roles, width, height, theme }) {
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.replaceChildren();
  const add = (tag, attrs, text) => svg.appendChild(h(`svg:${tag}`, { ...attrs, text }));
  const barsHeight = height - LABELS - TOP;
  const step = (width - 8) / layers.length;
  const big = Math.max(...layers);
  const mid = TOP + barsHeight / 2;
  const barWidth = Math.max(6, Math.min(16, step * 0.28));
  const bars = layers.map((units, i) => {
    const half = Math.max(MIN_BAR, (barsHeight * units) / big) / 2;
    return { units, role: roles[i], cx: 4 + step * (i + 0.5), top: mid - half, bottom: mid + half };
  });
  const small = width < 420;
  const text = (x, y, value, attrs) => add("text", { x, y, "font-size": small ? 11 : 12, ...attrs }, value);
  text(2, 11, "encoder", { fill: theme.muted });
  text(width - 2, 11, "decoder", { fill: theme.muted, "text-anchor": "end" });
  const w = barWidth / 2;
  for (let i = 1; i < bars.length; i += 1) {
    const a = bars[i - 1];
    const b = bars[i];
    add("path", {
      fill: theme.border, opacity: 0.75,
      d: `M${a.cx + w},${a.top} L${b.cx - w},${b.top} L${b.cx - w},${b.bottom} L${a.cx + w},${a.bottom} Z`,
    });
  }
  for (const bar of bars) {
    add("rect", { x: bar.cx - w, y: bar.top, width: barWidth, height: bar.bottom - bar.top, rx: 2, fill: theme.accent });
    text(bar.cx, TOP + barsHeight + 15, bar.units.toLocaleString("en"), {
      "text-anchor": "middle", fill: theme.fg, "font-size": small ? 11 : 13, "font-variant-numeric": "tabular-nums" });
    text(bar.cx, TOP + barsHeight + 30, bar.role, {
      "text-anchor": "middle", fill: theme.muted, "font-size": small ? 9 : 11 });
  }
  const code = bars[Math.floor(bars.length / 2)];
  text(code.cx, code.top - 8, "", { class: "train-diagram__code", "text-anchor": "middle", fill: theme.fg,
    "font-variant-numeric": "tabular-nums" });
}

/** Write the current code (two numbers, or null) above the code layer. */
export function showCode(svg, code) {
  const node = svg.querySelector(".train-diagram__code");
  if (node) node.textContent = code ? `(${code.map((v) => v.toFixed(2)).join(", ")})` : "";
}

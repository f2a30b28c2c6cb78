// The toy bench's strip: one point's journey, input -> encoder -> code ->
// decoder -> output, in numbers, for the hovered or selected point.

import { rampCSS } from "./toy-colour.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

const fixed = (v, digits = 3) => (Object.is(Math.round(v * 10 ** digits), -0) ? 0 : v).toFixed(digits);
const vector = (values, digits) => `(${Array.from(values, (v) => fixed(v, digits).replace("-", "−")).join(", ")})`;
const sci = (v) => (v === 0 ? "0" : v.toExponential(1).replaceAll("-", "−"));

/**
 * Build the strip inside `parent`; returns {show(point), destroy()}.
 * `layers` are the layer widths (e.g. [3, 32, 32, 2, 32, 32, 3]).
 */
export function createStrip(parent, { layers }) {
  const middle = layers.indexOf(2, 1);
  const encoderText = layers.slice(0, middle + 1).join("→");
  const decoderText = layers.slice(middle).join("→");
  const root = el("div", "tb-strip");
  const cell = (title) => {
    const box = el("div", "tb-strip__cell");
    const head = el("span", "tb-strip__head", title);
    const value = el("span", "tb-strip__value");
    const note = el("span", "tb-strip__note");
    box.append(head, value, note);
    root.append(box);
    return { box, value, note };
  };
  const arrow = (name, widths) => {
    const box = el("div", "tb-strip__arrow");
    box.append(el("span", "tb-strip__net", name), el("span", "tb-strip__widths", widths));
    box.setAttribute("aria-hidden", "true");
    root.append(box);
  };
  const input = cell("Input x");
  arrow("encoder", encoderText);
  const code = cell("Code z");
  arrow("decoder", decoderText);
  const output = cell("Output x̂");
  const swatch = el("span", "tb-strip__swatch");
  swatch.setAttribute("aria-hidden", "true");
  input.box.querySelector(".tb-strip__head").prepend(swatch);
  parent.append(root);

  return {
    root,
    /** @param {{index: number, count: number, colour: number, x: number[], z: number[], trail: number[], output: number[]}} p */
    show(p) {
      swatch.style.background = rampCSS(p.colour);
      input.value.textContent = vector(p.x, 2);
      input.note.textContent = `point ${p.index + 1} of ${p.count}`;
      code.value.textContent = vector(p.z, 3);
      code.note.textContent = `trail −∂L/∂z = (${sci(p.trail[0])}, ${sci(p.trail[1])})`;
      output.value.textContent = vector(p.output, 2);
      const error = p.output.reduce((sum, v, c) => sum + (v - p.x[c]) ** 2, 0) / 3;
      output.note.textContent = `its squared error ${sci(error)}`;
    },
    destroy() {
      root.remove();
    },
  };
}

// The toy bench's strip: one point's journey, input -> encoder -> code ->
// decoder -> output, in numbers, for the hovered or selected point.

import { h } from "../../lib/figure.js";
import { rampCSS } from "../../lib/toy-colour.js";

const fixed = (v, digits = 3) => (Object.is(Math.round(v * 10 ** digits), -0) ? 0 : v).toFixed(digits);
const vector = (values, digits) => `(${Array.from(values, (v) => fixed(v, digits).replace("-", "−")).join(", ")})`;
const sci = (v) => (v === 0 ? "0" : v.toExponential(1).replaceAll("-", "−"));

/** A cell of the strip: a heading, a value and a note. */
function cell(title, ...before) {
  const value = h("span", { class: "tb-strip__value" });
  const note = h("span", { class: "tb-strip__note" });
  const box = h("div", { class: "tb-strip__cell" }, h("span", { class: "tb-strip__head" }, ...before, title), value, note);
  return { box, value, note };
}

/** The arrow between two cells: the network's name and its layer widths. */
function arrow(name, widths) {
  return h("div", { class: "tb-strip__arrow", "aria-hidden": "true" },
    h("span", { class: "tb-strip__net", text: name }), h("span", { class: "tb-strip__widths", text: widths }));
}

/**
 * Build the strip inside `parent`; returns {root, show(point)} (the figure removes `parent` with it).
 * `layers` are the layer widths (e.g. [3, 32, 32, 2, 32, 32, 3]).
 * @param {HTMLElement} parent @param {{layers: number[]}} options
 */
export function createStrip(parent, { layers }) {
  const middle = layers.indexOf(2, 1);
  const swatch = h("span", { class: "tb-strip__swatch", "aria-hidden": "true" });
  const input = cell("Input x", swatch);
  const code = cell("Code z");
  const output = cell("Output x̂");
  const root = h("div", { class: "tb-strip" }, input.box, arrow("encoder", layers.slice(0, middle + 1).join("→")),
    code.box, arrow("decoder", layers.slice(middle).join("→")), output.box);
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
  };
}

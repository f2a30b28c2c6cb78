// The elements of the latent-layouts figure: the stage (the canvas, the zoom
// buttons, the keyboard crosshair), the class legend, the hint line, and the
// layout buttons (the page's own toolbar, else one made here).

import { h } from "../../lib/figure.js";

const RESET_ICON = '<svg viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.6">'
  + '<path d="M2 6V2h4M14 6V2h-4M2 10v4h4M14 10v4h-4"/></svg>';
const CROSSHAIR = '<svg viewBox="0 0 22 22" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.5">'
  + '<circle cx="11" cy="11" r="6"/><path d="M11 0v6M11 16v6M0 11h6M16 11h6"/></svg>';

// `item`: what a point is ("digit", "image")
const article = (word) => (/^[aeiou]/.test(word) ? "an" : "a");
const hintTouch = (item) => `Pinch to zoom, drag to pan when zoomed in, tap ${article(item)} ${item} to see it. Keys: + − arrows 0.`;
const hintPointer = (item) => "Scroll or use + and − to zoom, drag or arrow keys to pan, 0 to reset; "
  + `hover ${article(item)} ${item} to see it (Enter shows the one under the crosshair).`;

/**
 * Build the figure's elements around `canvas` (not yet in the page: the caller adds `root`).
 * @param {HTMLElement} el the <figure>
 * @param {{id: string, alt?: string, classes: string[], palette: string[], layouts: Map<string, object>,
 *   words: {item: string}}} what `classes`: the legend's entries (none for unlabelled data); `words.item`: what a point is
 * @param {HTMLCanvasElement} canvas
 */
export function buildControls(el, { id, alt, classes, palette, layouts, words }, canvas) {
  const hintId = `${id}-ll-hint`;
  const button = (label, title, content) => h("button", { type: "button", "aria-label": label, title, ...content });
  const zoomIn = button("Zoom in", "Zoom in (+)", { text: "+" });
  const zoomOut = button("Zoom out", "Zoom out (−)", { text: "−" });
  const zoomReset = button("Reset view", "Reset view (0)", { html: RESET_ICON });
  const stage = h("div", {
    class: "latent-layouts__stage", tabindex: 0, role: "group", "aria-roledescription": "zoomable scatter plot",
    "aria-label": alt || "Scatter plot", "aria-describedby": hintId,
  },
  canvas,
  h("div", { class: "latent-layouts__crosshair", html: CROSSHAIR }),
  h("div", { class: "latent-layouts__zoom" }, zoomIn, zoomOut, zoomReset));

  const legendButtons = classes.map((name, k) => h("button", { type: "button", "aria-pressed": "false", "data-class": k },
    h("span", { class: "swatch", "aria-hidden": "true", style: { background: palette[k % 10] } }), name));
  const legendLabel = `${words.item === "digit" ? "Digit classes" : "Classes"}: press one to highlight it`;
  // no classes (unlabelled data): no legend
  const legend = h("ul", { class: "figure-legend latent-layouts__legend", "aria-label": legendLabel, hidden: !classes.length },
    legendButtons.map((b) => h("li", {}, b)));
  const coarse = matchMedia("(pointer: coarse)").matches;
  const hint = h("p", { class: "latent-layouts__hint", id: hintId, text: coarse ? hintTouch(words.item) : hintPointer(words.item) });
  const root = h("div", { class: "latent-layouts" }, stage, legend, hint);

  // layout buttons: the template's, or made here if the page has none
  let toolbar = el.querySelector("[data-layout-buttons]");
  if (!toolbar) {
    toolbar = h("div", { class: "figure-controls latent-layouts__layouts", role: "toolbar", "aria-label": "Layout of the points" },
      [...layouts.values()].map((layout) => h("button", {
        type: "button", "data-layout": layout.id, "aria-pressed": "false", tabindex: -1,
        text: `${layout.title} · ${layout.trust.toFixed(2)}`,
      })));
    root.prepend(toolbar);
  }
  const layoutButtons = [...toolbar.querySelectorAll("button[data-layout]")].filter((b) => layouts.has(b.dataset.layout));
  return { root, stage, zoomIn, zoomOut, zoomReset, legendButtons, toolbar, layoutButtons };
}

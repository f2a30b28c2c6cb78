// The panels of toy-views and toy-snapshots (styled by css/toy.css): a panel
// with its title, view and hint, and a layout that follows the figure's width.

import { h } from "./figure.js";

/**
 * A panel: its title (a string, or the title element to keep for updates), then its other parts.
 * @param {string|HTMLElement} title @param {...(Node|null)} parts
 * @returns {HTMLElement}
 */
export function panel(title, ...parts) {
  const head = typeof title === "string" ? h("p", { class: "toy-panel__title", text: title }) : title;
  return h("figure", { class: "toy-panel" }, head, ...parts);
}

/** A panel's hint line. @param {string} text @returns {HTMLElement} */
export function hint(text) {
  return h("p", { class: "toy-panel__hint", text });
}

/**
 * Call `layout(width, row)` now and whenever the width of the figure's live area changes:
 * `width` in CSS px (at least 200), `row` true from `rowMinWidth` on (narrower, the panels stack).
 * @param {ReturnType<import("./figure.js").createFigure>} fig
 * @param {number} rowMinWidth @param {(width: number, row: boolean) => void} layout
 */
export function followWidth(fig, rowMinWidth, layout) {
  let lastWidth = 0;
  const update = () => {
    const width = Math.max(fig.live.clientWidth, 200);
    if (width === lastWidth) return;
    lastWidth = width;
    layout(width, width >= rowMinWidth);
  };
  update();
  fig.observeResize(fig.live, update);
}

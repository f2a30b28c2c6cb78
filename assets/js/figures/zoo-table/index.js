// zoo-table: the loss table is rendered at build (it works without
// JavaScript); this module turns each column header into a sort button.
// aria-sort on the header says how the rows are ordered; a sort is announced
// through the figure's live region. Missing values always sort last.

import { announcer } from "../../lib/announce.js";
import { createFigure, h } from "../../lib/figure.js";
import { compareValues, nextDirection, sortMessage, sortValue } from "./sort.js";

export { compareValues } from "./sort.js";

function valueOf(row, key, numeric) {
  const cell = row.querySelector(`[data-key="${key}"]`) || row.querySelector("th[scope='row']");
  return sortValue(cell ? cell.dataset.value ?? cell.textContent : "", numeric);
}

/**
 * Make the table's column headers sort buttons.
 * @param {HTMLElement} el the <figure> @param {{columns?: {key: string, header: string}[]}} config
 */
export async function mount(el, config) {
  const table = el.querySelector("table");
  if (!table) throw new Error("zoo-table found no <table> in its figure");
  const fig = createFigure(el, config);
  const wrap = table.closest(".zoo-table") || table;
  const tbody = table.tBodies[0];
  const headers = [...table.querySelectorAll("thead th[data-key]")];
  const say = announcer(el);
  const original = [...tbody.rows];
  const columns = new Map((config.columns || []).map((c) => [c.key, c]));
  let sort = { key: null, direction: null };

  function headerName(th) {
    return columns.get(th.dataset.key)?.header || th.firstChild.textContent.trim();
  }

  function apply(key, direction) {
    const th = headers.find((header) => header.dataset.key === key);
    if (!th) throw new Error(`zoo-table has no column "${key}"`);
    const numeric = th.hasAttribute("data-numeric");
    const index = new Map(original.map((r, i) => [r, i]));
    const rows = [...tbody.rows].sort((a, b) =>
      compareValues(valueOf(a, key, numeric), valueOf(b, key, numeric), direction) || index.get(a) - index.get(b));
    tbody.append(...rows);
    sort = { key, direction };
    for (const header of headers) {
      const arrow = header.querySelector(".zoo-table__arrow");
      if (header === th) {
        header.setAttribute("aria-sort", direction);
        arrow.textContent = direction === "ascending" ? "▲" : "▼";
      } else {
        header.removeAttribute("aria-sort");
        arrow.textContent = "";
      }
    }
    say(sortMessage(headerName(th), direction, numeric));
  }

  for (const th of headers) {
    const saved = [...th.childNodes];
    const [line, ...rest] = saved;
    // keep the arrow beside the header's first line, not under its note
    const head = h("span", {}, line, h("span", { class: "zoo-table__arrow", "aria-hidden": "true" }));
    const button = h("button", { type: "button" }, h("span", {}, head, ...rest));
    button.title = `Sort by ${headerName(th)}`;
    th.append(button);
    fig.on(button, "click", () => {
      apply(th.dataset.key, nextDirection(th.dataset.key, th.hasAttribute("data-numeric"), sort));
    });
    fig.onDestroy(() => {
      th.replaceChildren(...saved);
      th.removeAttribute("aria-sort");
    });
  }
  wrap.classList.add("is-sortable");

  fig.onDestroy(() => {
    wrap.classList.remove("is-sortable");
    tbody.append(...original);
    say("");
  });
  fig.expose({
    state: () => ({ sort: { ...sort }, order: [...tbody.rows].map((r) => r.dataset.model) }),
    sortBy: (key, direction = "ascending") => apply(key, direction),
  });
  return fig;
}

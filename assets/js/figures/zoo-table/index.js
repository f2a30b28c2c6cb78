// zoo-table: the loss table is rendered at build (it works without
// JavaScript); this module turns each column header into a sort button.
// aria-sort on the header says how the rows are ordered; a sort is announced
// through the figure's live region. Missing values always sort last.

import { announcer } from "../../lib/announce.js";
import { useStyle } from "../../lib/zoo-chart-style.js";

const CSS = `
.zoo-table th[data-key] { padding: 0; }
.zoo-table th[data-key] > button {
  display: flex; flex-direction: column; width: 100%; min-height: 2.5rem;
  padding: 0.4rem 0.75rem; border: 0; background: none; color: inherit;
  font: inherit; font-weight: 600; text-align: inherit; cursor: pointer;
}
.zoo-table th[data-numeric] > button { align-items: flex-end; }
.zoo-table th[data-key] > button:hover { color: var(--accent); }
.zoo-table th[data-key] > button:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.zoo-table .zoo-table__arrow { display: inline-block; width: 0.9em; color: var(--accent); }
.zoo-table tbody tr:hover, .zoo-table tbody tr:hover th { background: var(--surface) !important; }
@media (max-width: 30rem) {
  .zoo-table th, .zoo-table td { padding: 0.35rem 0.5rem; }
  .zoo-table th[data-key] > button { padding: 0.35rem 0.5rem; }
}
`;

function valueOf(row, key, numeric) {
  const cell = row.querySelector(`[data-key="${key}"]`) || row.querySelector("th[scope='row']");
  const raw = cell ? cell.dataset.value ?? cell.textContent : "";
  if (!numeric) return raw.trim().toLowerCase();
  return raw === "" ? null : Number(raw);
}

/** Compare two values; null (missing) sorts last in both directions. */
export function compareValues(a, b, direction) {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const order = typeof a === "number" ? a - b : String(a).localeCompare(String(b));
  return direction === "descending" ? -order : order;
}

export async function mount(el, config) {
  const table = el.querySelector("table");
  if (!table) throw new Error("zoo-table found no <table> in its figure");
  const tbody = table.tBodies[0];
  const headers = [...table.querySelectorAll("thead th[data-key]")];
  const say = announcer(el);
  const controller = new AbortController();
  const { signal } = controller;
  const releaseStyle = useStyle("zoo-table-style", CSS);
  const original = [...tbody.rows];
  const saved = headers.map((th) => [...th.childNodes]);
  const columns = new Map((config.columns || []).map((c) => [c.key, c]));
  let sort = { key: null, direction: null };

  function headerName(th) {
    return columns.get(th.dataset.key)?.header || th.firstChild.textContent.trim();
  }

  function apply(key, direction) {
    const th = headers.find((h) => h.dataset.key === key);
    if (!th) throw new Error(`zoo-table has no column "${key}"`);
    const numeric = th.hasAttribute("data-numeric");
    const rows = [...tbody.rows];
    const index = new Map(original.map((r, i) => [r, i]));
    rows.sort((a, b) => compareValues(valueOf(a, key, numeric), valueOf(b, key, numeric), direction)
      || index.get(a) - index.get(b));
    tbody.append(...rows);
    sort = { key, direction };
    for (const h of headers) {
      const arrow = h.querySelector(".zoo-table__arrow");
      if (h === th) {
        h.setAttribute("aria-sort", direction);
        arrow.textContent = direction === "ascending" ? "▲" : "▼";
      } else {
        h.removeAttribute("aria-sort");
        arrow.textContent = "";
      }
    }
    say(`Sorted by ${headerName(th)}, ${direction}${numeric ? (direction === "ascending" ? ", smallest first" : ", largest first") : ""}.`);
  }

  for (const th of headers) {
    const button = document.createElement("button");
    button.type = "button";
    const label = document.createElement("span");
    const arrow = document.createElement("span");
    arrow.className = "zoo-table__arrow";
    arrow.setAttribute("aria-hidden", "true");
    label.append(...th.childNodes);
    button.append(label);
    const line = label.firstChild;
    // keep the arrow beside the header's first line, not under its note
    const head = document.createElement("span");
    if (line) head.append(line);
    head.append(arrow);
    label.prepend(head);
    button.title = `Sort by ${headerName(th)}`;
    th.append(button);
    button.addEventListener("click", () => {
      const numeric = th.hasAttribute("data-numeric");
      const first = numeric && th.dataset.key !== "test_bce" && th.dataset.key !== "test_mse" &&
        th.dataset.key !== "guide_bce" ? "descending" : "ascending";
      const direction = sort.key === th.dataset.key
        ? (sort.direction === "ascending" ? "descending" : "ascending") : first;
      apply(th.dataset.key, direction);
    }, { signal });
  }

  el.__figure = {
    state: () => ({ sort: { ...sort }, order: [...tbody.rows].map((r) => r.dataset.model) }),
    sortBy: (key, direction = "ascending") => apply(key, direction),
  };

  return {
    pause() {},
    resume() {},
    destroy() {
      controller.abort();
      tbody.append(...original);
      headers.forEach((th, i) => {
        th.replaceChildren(...saved[i]);
        th.removeAttribute("aria-sort");
      });
      releaseStyle();
      delete el.__figure;
      say("");
    },
  };
}

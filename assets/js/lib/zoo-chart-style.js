// Styles of the zoo chart figures (zoo-table, zoo-curves, zoo-reconstructions,
// zoo-anomaly). site.css is shared, so each figure injects its own rules once
// per page; the element is removed when the last figure using it is destroyed.

const users = new Map(); // id -> count of mounted figures using that style

/**
 * Add `<style id=id>css</style>` to the document head unless it is there, and
 * return `release()`, which removes it once no mounted figure uses it.
 * @param {string} id @param {string} css @returns {() => void}
 */
export function useStyle(id, css) {
  let style = document.getElementById(id);
  if (!style) {
    style = document.createElement("style");
    style.id = id;
    style.textContent = css;
    document.head.append(style);
  }
  users.set(id, (users.get(id) || 0) + 1);
  let released = false;
  return function release() {
    if (released) return;
    released = true;
    const left = (users.get(id) || 1) - 1;
    users.set(id, left);
    if (left === 0) style.remove();
  };
}

/** Shared rules: a read-out line, focus rings, a visually-hidden helper, legend buttons. */
export const BASE_CSS = `
.zoo-chart { position: relative; }
.zoo-chart :focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.zoo-chart__plot { position: relative; border-radius: var(--radius); }
.zoo-chart__plot:focus { outline: none; }
.zoo-chart__plot:focus-visible { outline: 2px solid var(--accent); outline-offset: 3px; }
.zoo-chart svg { display: block; overflow: visible; font: 11px var(--font-body); font-variant-numeric: tabular-nums; }
.zoo-chart .tick text { fill: var(--muted); }
.zoo-chart .domain, .zoo-chart .tick line { stroke: var(--border); }
.zoo-chart__readout { min-height: 1.5em; margin: 0.35rem 0 0; color: var(--muted); font-size: 0.85rem;
  font-variant-numeric: tabular-nums; }
.zoo-chart__readout strong { color: var(--fg); }
.zoo-chart__legend { display: flex; flex-wrap: wrap; justify-content: center; gap: 0.3rem; margin: 0.6rem 0 0;
  padding: 0; list-style: none; }
.zoo-chart__legend li { margin: 0; }
.zoo-chart__legend button { display: inline-flex; align-items: center; gap: 0.4rem; min-height: 2.25rem;
  padding: 0.2rem 0.6rem; border: 1px solid var(--border); border-radius: var(--radius); background: var(--bg);
  color: var(--fg); font: inherit; font-size: 0.85rem; cursor: pointer; text-align: left; }
.zoo-chart__legend button:hover { border-color: var(--accent); }
.zoo-chart__legend button[aria-pressed="false"] { color: var(--muted); border-style: dashed; }
.zoo-chart__legend button[aria-pressed="false"] .zoo-chart__swatch { opacity: 0.25; }
.zoo-chart__swatch { flex: none; width: 1.1rem; height: 0.3rem; border-radius: 2px; }
.zoo-chart__note { display: block; color: var(--muted); font-size: 0.75rem; }
.zoo-chart__toolbar { display: flex; flex-wrap: wrap; align-items: center; justify-content: center;
  gap: 0.4rem 0.6rem; margin-bottom: 0.5rem; font-size: 0.9rem; }
.zoo-chart__toolbar .zoo-chart__label { color: var(--muted); }
.zoo-chart__toggle { display: inline-flex; }
.zoo-chart__toggle button { min-height: 2.25rem; padding: 0.2rem 0.8rem; border: 1px solid var(--border);
  background: var(--bg); color: var(--fg); font: inherit; cursor: pointer; }
.zoo-chart__toggle button:first-child { border-radius: var(--radius) 0 0 var(--radius); }
.zoo-chart__toggle button:last-child { border-radius: 0 var(--radius) var(--radius) 0; margin-left: -1px; }
.zoo-chart__toggle button[aria-pressed="true"], .zoo-chart__toggle button[aria-checked="true"] {
  background: var(--accent); border-color: var(--accent); color: var(--accent-fg); }
.zoo-chart .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
`;

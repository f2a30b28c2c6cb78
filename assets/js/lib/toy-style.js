// Styles shared by the toy figures of article 2 (toy-views, toy-snapshots):
// injected once as a <style> element while at least one of them is mounted.

import { RAMP } from "./toy-colour.js";

const ID = "toy-figures-style";
let users = 0;

const CSS = `
.toy-fig { display: grid; gap: 0.5rem 0.75rem; align-items: center; justify-content: center; }
.toy-fig--row { grid-template-columns: auto auto auto; }
.toy-fig--stack { grid-template-columns: auto; justify-items: center; }
.toy-panel { display: flex; flex-direction: column; align-items: center; min-width: 0; margin: 0; }
.toy-panel__title { margin: 0 0 0.25rem; font-size: 0.9rem; font-weight: 600; color: var(--fg); text-align: center; }
.toy-panel__hint { margin: 0.2rem 0 0; font-size: 0.78rem; color: var(--muted); text-align: center; }
.toy-panel canvas { border-radius: 4px; }
.toy-panel canvas:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.toy-arrow { display: block; color: var(--muted); }
.toy-arrow text { fill: var(--fg); font: 600 13px system-ui, sans-serif; }
.toy-arrow .toy-arrow__sub { fill: var(--muted); font: 11px system-ui, sans-serif; }
.toy-arrow path { fill: var(--surface, #f6f8fa); stroke: var(--border); stroke-width: 1.5; }
.toy-readout { margin: 0.4rem auto 0; max-width: 44rem; min-height: 2.8em; text-align: center; font-size: 0.88rem;
  color: var(--muted); font-variant-numeric: tabular-nums; }
.toy-readout strong { color: var(--fg); }
.toy-ramp { display: flex; flex-wrap: wrap; align-items: center; justify-content: center; gap: 0.3rem 0.5rem;
  margin: 0.3rem 0 0; font-size: 0.8rem; color: var(--muted); }
.toy-ramp__bar { width: 8rem; height: 0.6rem; border-radius: 3px; border: 1px solid var(--border);
  background: linear-gradient(90deg, ${RAMP.join(", ")}); }
.toy-trail-key { display: inline-flex; align-items: center; gap: 0.35rem; }
.toy-trail-key svg { overflow: visible; }
`;

/** Add the shared styles (once); returns a function that removes them when the last user leaves. */
export function useToyStyle() {
  users += 1;
  if (!document.getElementById(ID)) {
    const style = document.createElement("style");
    style.id = ID;
    style.textContent = CSS;
    document.head.append(style);
  }
  let released = false;
  return function release() {
    if (released) return;
    released = true;
    users -= 1;
    if (users === 0) document.getElementById(ID)?.remove();
  };
}

/**
 * The encoder/decoder glyph as an SVG string: a trapezoid, wide on the 3-D side.
 * @param {{label: string, sub: string, narrowing: boolean, vertical: boolean}} o
 */
export function trapezoidSVG({ label, sub, narrowing, vertical }) {
  const w = vertical ? 220 : 120, h = vertical ? 64 : 170;
  let d;
  if (vertical) {
    const a = narrowing ? 100 : 45, b = narrowing ? 45 : 100; // half-widths top / bottom
    d = `M${110 - a},4 L${110 + a},4 L${110 + b},60 L${110 - b},60 Z`;
  } else {
    const a = narrowing ? 70 : 30, b = narrowing ? 30 : 70; // half-heights left / right
    d = `M4,${85 - a} L116,${85 - b} L116,${85 + b} L4,${85 + a} Z`;
  }
  const cx = w / 2, cy = h / 2;
  return `<svg class="toy-arrow" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" aria-hidden="true" focusable="false">
<path d="${d}"/><text x="${cx}" y="${cy - 3}" text-anchor="middle">${label}</text>
<text class="toy-arrow__sub" x="${cx}" y="${cy + 13}" text-anchor="middle">${sub}</text></svg>`;
}

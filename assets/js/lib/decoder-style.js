// Styles of the decoder figures (decoder-sampler, draw-digit), added to the
// page once while at least one of them is mounted. The base stylesheet only
// carries the shared figure chrome, so each kind brings its own layout.

import { sharedStyles } from "./style-sheet.js";

const CSS = `
.decoder-figure {
  display: flex; flex-wrap: wrap; justify-content: center; align-items: flex-start;
  gap: 14px 22px; padding: 4px 0;
}
.decoder-figure[data-stacked] { flex-direction: column; align-items: stretch; }
.decoder-plane { flex: 1 1 300px; min-width: 0; max-width: 600px; margin: 0; }
.figure-live .decoder-plane canvas { touch-action: pan-y pinch-zoom; border-radius: var(--radius); }
.figure-live .decoder-plane canvas[data-interactive] { cursor: crosshair; }
.decoder-panel {
  flex: 0 1 236px; min-width: 0; margin: 0;
  display: flex; flex-direction: column; align-items: center; gap: 6px;
}
.decoder-figure[data-stacked] .decoder-panel { flex-basis: auto; }
.figure-live canvas.decoder-image {
  width: var(--size); height: var(--size);
  image-rendering: pixelated;
  background: #000;
  border: 1px solid var(--border);
  border-radius: 3px;
}
.decoder-caption { margin: 0; color: var(--muted); font-size: 0.85rem; text-align: center; line-height: 1.35; }
.decoder-readout {
  margin: 0; color: var(--fg);
  font-family: var(--font-mono); font-size: 0.88rem; font-variant-numeric: tabular-nums;
  text-align: center; white-space: pre-line;
}
.decoder-row {
  display: flex; flex-wrap: wrap; justify-content: center; gap: 6px;
  margin: 0; padding: 0; list-style: none;
}
.decoder-row > li {
  display: flex; flex-direction: column; align-items: center; margin: 0;
  color: var(--muted); font-size: 0.75rem; line-height: 1.3; font-variant-numeric: tabular-nums;
}
.decoder-strip { flex: 1 1 100%; display: flex; flex-direction: column; align-items: center; gap: 6px; }
.decoder-strip[hidden] { display: none; }
.decoder-figure .figure-legend { flex-basis: 100%; margin-top: 0; }
.figure-live canvas.draw-pad {
  width: var(--size); height: var(--size);
  touch-action: none; cursor: crosshair;
  background: #000; border: 1px solid var(--border); border-radius: var(--radius);
}
.draw-digit > .decoder-panel { flex: 0 1 300px; }
.draw-flow { display: flex; align-items: center; justify-content: center; gap: 10px; flex-wrap: wrap; }
.draw-flow > figure { margin: 0; display: flex; flex-direction: column; align-items: center; gap: 4px; }
.draw-flow .draw-arrow { color: var(--muted); font-size: 1.2rem; }
`;

/** Add the styles (once per page); returns a function that removes them after the last user. */
export const useDecoderStyles = sharedStyles("decoder-figures", CSS);

/** A legend of class swatches (reuses site.css .figure-legend). */
export function classLegend(classes, colors) {
  const list = document.createElement("ul");
  list.className = "figure-legend";
  list.setAttribute("aria-label", "Dot colours by digit class");
  classes.forEach((name, i) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = colors[i % colors.length];
    item.append(swatch, document.createTextNode(name));
    list.append(item);
  });
  return list;
}

// Styles of the zoo's live figures (zoo-latent, zoo-manifold, zoo-denoise),
// added once while at least one of them is mounted. They build on the decoder
// figures' layout classes (decoder-style.js) and add their own.

import { sharedStyles } from "./style-sheet.js";

const CSS = `
.zoo-live .decoder-panel { flex-basis: 200px; }
.zoo-live .decoder-readout { min-height: 1.3em; }
.zoo-live canvas:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.zoo-latent .decoder-panel { gap: 8px; }
.zoo-latent__text { display: flex; flex-direction: column; align-items: center; gap: 4px; }
.zoo-latent:not([data-narrow]) .zoo-latent__text { display: contents; }
.zoo-latent:not([data-narrow]) .zoo-latent__text > :first-child { order: -1; }
.zoo-latent[data-narrow] .decoder-panel {
  order: -1; flex: 1 1 100%; flex-direction: row; justify-content: center; align-items: center; gap: 12px;
}
.zoo-latent[data-narrow] .zoo-latent__text { align-items: flex-start; }
.zoo-latent[data-narrow] .zoo-latent__text .decoder-caption,
.zoo-latent[data-narrow] .zoo-latent__text .decoder-readout { text-align: left; }
.zoo-manifold { display: flex; flex-direction: column; align-items: center; gap: 8px; }
.zoo-manifold__frame {
  display: grid; grid-template-columns: auto auto; grid-template-rows: auto auto;
  gap: 4px 6px; align-items: stretch; max-width: 100%;
}
.zoo-manifold__y {
  display: flex; flex-direction: column; justify-content: space-between; align-items: flex-end;
  color: var(--muted); font-size: 0.78rem; font-variant-numeric: tabular-nums; line-height: 1;
}
.zoo-manifold__x {
  grid-column: 2; display: flex; justify-content: space-between;
  color: var(--muted); font-size: 0.78rem; font-variant-numeric: tabular-nums; line-height: 1;
}
.zoo-manifold__axis-name { font-style: italic; }
.figure-live canvas.zoo-manifold__grid {
  display: block; image-rendering: pixelated; background: #000;
  border: 1px solid var(--border); border-radius: 3px;
  touch-action: pan-y pinch-zoom; cursor: crosshair;
}
.zoo-manifold__controls output, .zoo-denoise__controls output {
  min-width: 3.6em; font-family: var(--font-mono); font-variant-numeric: tabular-nums;
}
.zoo-control { display: inline-flex; align-items: center; gap: 0.45rem; }
.zoo-manifold__spacing { display: inline-flex; gap: 4px; }
.zoo-denoise { display: flex; flex-direction: column; align-items: center; gap: 8px; }
.zoo-denoise__row {
  display: flex; flex-wrap: nowrap; justify-content: center; align-items: flex-start;
  gap: 10px; margin: 0; padding: 0; list-style: none; max-width: 100%;
}
.zoo-denoise__row > li {
  margin: 0; display: flex; flex-direction: column; align-items: center; gap: 4px;
  color: var(--muted); font-size: 0.82rem; text-align: center; min-width: 0;
}
.zoo-denoise__arrow { align-self: center; color: var(--muted); font-size: 1.1rem; }
.zoo-denoise__thumbs {
  display: flex; flex-wrap: wrap; justify-content: center; gap: 4px; margin: 0; padding: 0; list-style: none;
}
.zoo-denoise__thumbs button {
  padding: 2px; border: 2px solid transparent; border-radius: 4px; background: none; cursor: pointer; line-height: 0;
}
.zoo-denoise__thumbs button[aria-pressed="true"] { border-color: var(--accent); }
.zoo-denoise__thumbs button:focus-visible { outline: 3px solid var(--accent); outline-offset: 1px; }
.figure-live .zoo-denoise__thumbs canvas.decoder-image { --size: 30px; display: block; }
@media (max-width: 420px) {
  .figure-live .zoo-denoise__thumbs canvas.decoder-image { --size: 23px; }
  .zoo-denoise__thumbs { gap: 2px; }
}
`;

/** Add the styles (once per page); returns a function that removes them after the last user. */
export const useZooStyles = sharedStyles("zoo-live-figures", CSS);


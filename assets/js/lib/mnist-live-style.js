// Styles of mnist-live (added once per page through train-style.js's adoptStyle).

export const STYLE_ID = "mnist-live-style";
export const STYLE = `
.mnist-live { display: grid; gap: 0.5rem; font-size: 0.92rem; }
.mnist-live__stats { display: flex; flex-wrap: wrap; justify-content: center; gap: 0.2rem 1.1rem; margin: 0;
  color: var(--muted); font-variant-numeric: tabular-nums; }
.mnist-live__stats b { color: var(--fg); font-weight: 600; }
.mnist-live__main { display: flex; flex-wrap: wrap; justify-content: center; align-items: flex-start; gap: 0.75rem 1.25rem; }
.mnist-live__plane { flex: 1 1 300px; min-width: 0; max-width: 560px; margin: 0; }
.figure-live .mnist-live__plane canvas { width: 100%; touch-action: pan-y pinch-zoom; cursor: crosshair;
  border-radius: var(--radius, 4px); }
.figure-live .mnist-live__plane canvas:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.mnist-live__side { flex: 0 0 250px; display: flex; flex-direction: column; align-items: center; gap: 0.45rem; margin: 0; }
.mnist-live__pair { display: flex; align-items: flex-end; justify-content: center; gap: 0.75rem; }
.mnist-live__pair figure { margin: 0; flex: 0 0 auto; display: flex; flex-direction: column; align-items: center; gap: 0.25rem; }
.mnist-live__pair figcaption { color: var(--muted); font-size: 0.8rem; text-align: center; line-height: 1.25; }
.figure-live canvas.mnist-live__digit { width: var(--size); height: var(--size); image-rendering: pixelated;
  max-width: none; flex: 0 0 auto; background: #000; border: 1px solid var(--border); border-radius: 3px; }
.mnist-live__readout { margin: 0; font-size: 0.86rem; text-align: center; font-variant-numeric: tabular-nums;
  line-height: 1.45; }
.mnist-live__readout code { font-family: var(--font-mono, monospace); font-size: 0.95em; }
.mnist-live__readout .swatch { display: inline-block; width: 0.7rem; height: 0.7rem; border-radius: 50%;
  border: 1px solid var(--border); vertical-align: -0.05rem; margin-right: 0.25rem; }
.mnist-live__hint { margin: 0; color: var(--muted); font-size: 0.8rem; text-align: center; max-width: 14rem; line-height: 1.3; }
.mnist-live .figure-legend { margin-top: 0; }
.mnist-live--narrow .mnist-live__side { flex: 1 1 100%; }
.mnist-live--narrow .mnist-live__hint { max-width: none; }
`;

// Styles of the latent-layouts figure, added to <head> once while any such
// figure is mounted (the site has one stylesheet, site.css; figure kinds
// bring their own rules). Colours come from the site's tokens.

const CSS = `
.latent-layouts { display: flex; flex-direction: column; gap: 0.5rem; }
.latent-layouts__stage {
  position: relative; overflow: hidden; border: 1px solid var(--border); border-radius: var(--radius);
  background: var(--surface); touch-action: pan-y; -webkit-user-select: none; user-select: none;
}
.latent-layouts__stage:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.latent-layouts__stage canvas { display: block; cursor: crosshair; touch-action: inherit; }
.latent-layouts__stage.is-zoomed { touch-action: none; }
.latent-layouts__stage.is-zoomed canvas { cursor: grab; }
.latent-layouts__stage.is-dragging canvas { cursor: grabbing; }
.latent-layouts__zoom { position: absolute; top: 0.5rem; right: 0.5rem; display: flex; flex-direction: column; gap: 0.3rem; }
.latent-layouts__zoom button {
  width: 2.25rem; height: 2.25rem; padding: 0; font: inherit; font-size: 1.15rem; line-height: 1;
  color: var(--fg); background: var(--bg); border: 1px solid var(--border); border-radius: var(--radius); cursor: pointer;
}
.latent-layouts__zoom button:hover { border-color: var(--accent); }
.latent-layouts__zoom button[aria-disabled="true"] { opacity: 0.45; cursor: default; }
.latent-layouts__zoom svg { width: 1rem; height: 1rem; vertical-align: middle; }
.latent-layouts__hint { margin: 0; color: var(--muted); font-size: 0.8rem; text-align: center; }
.latent-layouts__crosshair {
  position: absolute; left: 50%; top: 50%; width: 22px; height: 22px; margin: -11px 0 0 -11px;
  pointer-events: none; display: none; color: var(--fg);
}
.latent-layouts__stage:focus-visible .latent-layouts__crosshair { display: block; }
.latent-layouts__tip {
  position: absolute; left: 0; top: 0; z-index: 1; margin: 0; padding: 6px; pointer-events: none;
  background: var(--bg); color: var(--fg); border: 2px solid var(--border); border-radius: var(--radius);
  box-shadow: 0 4px 14px rgb(0 0 0 / 0.18); font-size: 0.82rem; line-height: 1.25; text-align: center;
}
.latent-layouts__tip[hidden] { display: none; }
.latent-layouts__tip canvas { display: block; image-rendering: pixelated; border-radius: 3px; }
.latent-layouts__tip strong { font-size: 1rem; }
.latent-layouts__tip span { display: block; color: var(--muted); font-variant-numeric: tabular-nums; }
.latent-layouts .figure-legend { margin: 0; }
.latent-layouts .figure-legend button {
  display: inline-flex; align-items: center; gap: 0.35rem; min-height: 2rem; padding: 0.1rem 0.55rem;
  font: inherit; color: inherit; background: none; border: 1px solid transparent; border-radius: 999px; cursor: pointer;
}
.latent-layouts .figure-legend button:hover { border-color: var(--border); }
.latent-layouts .figure-legend button[aria-pressed="true"] { border-color: var(--accent); color: var(--fg); font-weight: 600; }
.latent-layouts .figure-legend .swatch { border-radius: 3px; }
.latent-layouts__layouts-title { color: var(--muted); }
`;

let users = 0;
let element = null;

/** Add the figure's styles (once); returns a function that removes them when no figure needs them. */
export function useLatentLayoutsStyle() {
  users += 1;
  if (!element) {
    element = document.createElement("style");
    element.dataset.figureStyle = "latent-layouts";
    element.textContent = CSS;
    document.head.append(element);
  }
  let released = false;
  return function release() {
    if (released) return;
    released = true;
    users -= 1;
    if (users === 0 && element) {
      element.remove();
      element = null;
    }
  };
}

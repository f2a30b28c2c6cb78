// What a streamed latent-layouts figure loads after it mounts (issue 13): the
// sprite tiles in view once the sprites are large enough to show an image
// (lib/tiles.js decides which and loads them), and a layout the reader picks that
// was not loaded at mount. A status line under the plot says what is loading.

import { h } from "../../lib/figure.js";
import { fetchPage, loadLayout } from "./data.js";
import { spriteSize } from "./pick.js";
import { STREAM_SPRITE_PX, createTileLoader, tilesForView } from "../../lib/tiles.js";
import { toData } from "./view.js";

const MAX_ACTIVE = 4; // tiles fetched at once
const MAX_IN_VIEW = 48; // tiles a view may want (about 1.4 MB of MNIST digits)
const KEPT_BYTES = 256 * 2 ** 20; // texture memory the kept tiles may take (the GPU's, about)
const format = (n) => n.toLocaleString("en");

/**
 * @param {ReturnType<import("../../lib/figure.js").createFigure>} fig
 * @param {{spec: object, base: string, renderer: object, images: (ImageBitmap|null)[], layouts: Map<string, object>,
 *   root: HTMLElement, requestDraw: () => void}} parts `images`: the pages, filled in place as tiles arrive
 */
export function createStream(fig, { spec, base, renderer, images, layouts, root, requestDraw }) {
  const { atlas, count, words } = spec;
  const status = h("p", { class: "latent-layouts__status", hidden: true });
  root.append(status);
  const pending = new Map(); // layout id -> promise of it loaded
  let loadingLayout = "";
  let last = "";
  let small = true;

  const channels = spec.color === "rgb" ? 3 : 1;
  // tiles kept (their textures with mipmaps within KEPT_BYTES); a view never wants more than it can keep
  const maxKept = Math.max(8, Math.floor(KEPT_BYTES / (atlas.side * atlas.side * channels * 1.34)));
  const maxInView = Math.min(MAX_IN_VIEW, maxKept);
  const loader = spec.lazy ? createTileLoader({
    tiles: atlas.files.length,
    maxActive: MAX_ACTIVE,
    maxKept,
    fetchTile: (t, signal) => fetchPage(spec, t, { base, signal }),
    onLoad: (t, image) => {
      images[t] = image;
      renderer.setPage(t, image);
      requestDraw();
    },
    onEvict: (t, image) => {
      images[t] = null;
      renderer.setPage(t, null);
      image.close?.();
      requestDraw();
    },
    onChange: () => show(),
  }) : null;
  fig.onDestroy(() => loader?.destroy());

  function show() {
    let text = "";
    if (loadingLayout) text = `Loading the ${loadingLayout} layout…`;
    else if (loader && small) text = `${format(count)} ${words.items} drawn as dots: zoom in to see the images.`;
    else if (loader) {
      const { wanted, loadedInView } = loader.counts();
      if (loadedInView < wanted) text = `Loading the ${words.items} in view: ${loadedInView} of ${wanted} tiles.`;
    }
    status.textContent = text;
    status.hidden = !text;
  }

  return {
    /**
     * After a frame: want the tiles of the points in `view` of layout `id` once the reader has zoomed in past
     * `homeZoom` (the whole layout) and the sprites are large enough to show an image, and first of all the tile
     * of the point `hover` (the enlarged image shows it), if any. Not while `moving` (a morph: its last frame
     * decides).
     */
    update(view, size, id, homeZoom, hover = -1, moving = false) {
      if (!loader || !size.width || moving) return;
      const key = `${id}|${view.zoom}|${view.cx}|${view.cy}|${size.width}|${size.height}|${homeZoom}|${hover}`;
      if (key === last) return;
      last = key;
      small = view.zoom <= homeZoom * 1.001 || spriteSize(view.zoom, size, count) < STREAM_SPRITE_PX;
      const first = hover >= 0 ? [Math.floor(hover / atlas.per_atlas)] : [];
      if (small) return loader.want(first);
      const a = toData(view, size, 0, size.height);
      const b = toData(view, size, size.width, 0);
      // every tile with a point in view, up to MAX_IN_VIEW (on a layout the tiles do not follow, the rest are dots)
      const rect = { x0: a.x, y0: a.y, x1: b.x, y1: b.y };
      const inView = tilesForView(layouts.get(id).xy, atlas.per_atlas, rect, { cover: 1, max: maxInView });
      loader.want([...first, ...inView.filter((t) => t !== first[0])]);
    },
    /** Layout `id` with its positions, fetched first if the figure has not yet. */
    ensureLayout(id) {
      const layout = layouts.get(id);
      if (layout.xy) return Promise.resolve(layout);
      if (!pending.has(id)) {
        loadingLayout = layout.title;
        show();
        const done = loadLayout(spec, layout, { base, signal: fig.signal }).then((loaded) => {
          renderer.addLayout(id, loaded.q, loaded.quant);
          return loaded;
        });
        const settle = () => {
          if (loadingLayout === layout.title) loadingLayout = "";
          show();
        };
        done.then(settle, () => {
          pending.delete(id); // asked again the next time the reader picks it
          settle();
        });
        pending.set(id, done);
      }
      return pending.get(id);
    },
    /** For tests: the tiles wanted, loaded and loading, and the status line. */
    info() {
      const counts = loader ? loader.counts() : {};
      return { streamed: Boolean(loader), ...counts, tiles: loader ? loader.loadedTiles() : [], perTile: atlas.per_atlas, status: status.textContent };
    },
  };
}

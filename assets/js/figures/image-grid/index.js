// image-grid: a sprite sheet of small images (e.g. a strip of digits; gray or
// colour, drawn as they are), with a label under each cell. Cells scale by a
// whole factor with crisp pixels where they fit (8x8 images grow), smoothly
// where they must shrink (large photos). Arrow keys, hover or a tap select a
// cell; it is outlined, shown enlarged beside the grid and announced through
// the figure's live region.

import { announcer } from "../../lib/announce.js";
import { createFigure, fetchImage, h } from "../../lib/figure.js";
import { gridStep } from "../../lib/grid-nav.js";
import { fitCanvas } from "../../lib/hidpi-canvas.js";
import { onThemeChange, readTheme } from "../../lib/theme.js";

const DEFAULT_SCALE = 3;
const GAP = 6; // CSS px between cells
const LABEL_HEIGHT = 18; // CSS px under each cell
const SIDE_BY_SIDE_MIN_WIDTH = 420; // below this the enlarged view goes under the grid
const ZOOM_SIZE = { min: 96, max: 168 };
const MOVE_MS = 120;
const FONT = '13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

function validate(config) {
  const { cols } = config;
  const rows = config.rows ?? 1;
  const count = config.count ?? cols * rows;
  // cell_width x cell_height source pixels a cell; `cell` alone for square cells
  const cell_width = config.cell_width ?? config.cell;
  const cell_height = config.cell_height ?? config.cell;
  if (typeof config.image !== "string" || !config.image) {
    throw new Error("image-grid needs config.image, the sprite sheet's file name");
  }
  for (const [name, value] of Object.entries({ cell_width, cell_height, cols, rows, count })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`image-grid config.${name} must be a positive integer, got ${value}`);
    }
  }
  if (count > cols * rows) {
    throw new Error(`image-grid config.count (${count}) exceeds cols x rows (${cols * rows})`);
  }
  const labels = config.labels ?? Array.from({ length: count }, (_, i) => String(i));
  if (labels.length < count) {
    throw new Error(`image-grid has ${labels.length} labels for ${count} cells`);
  }
  const scale = config.scale ?? DEFAULT_SCALE;
  const noun = config.noun ?? "Image";
  return { cellWidth: cell_width, cellHeight: cell_height, cols, rows, count, labels, scale, noun };
}

// Cell size in CSS px that fits `width`: a whole multiple of the source cell
// in device pixels when there is room, so every source pixel is equally wide
// (drawn crisp); else the source cell shrunk to fit (drawn smooth).
function cellSizeFor(width, { cellWidth, cellHeight, cols, scale }, ratio) {
  const room = Math.floor(width / cols) - GAP;
  const wanted = Math.min(cellWidth * scale, room);
  const multiple = Math.floor((wanted * ratio) / cellWidth);
  if (multiple >= 1) {
    return { width: (multiple * cellWidth) / ratio, height: (multiple * cellHeight) / ratio, smooth: false };
  }
  const fitted = Math.max(8, wanted);
  return { width: fitted, height: (fitted * cellHeight) / cellWidth, smooth: true };
}

// The enlarged view's size: the source cell's shape within a `box` x `box` square.
function zoomSizeFor(box, { cellWidth, cellHeight }, ratio) {
  const k = box / Math.max(cellWidth, cellHeight);
  return { width: Math.round(cellWidth * k), height: Math.round(cellHeight * k), smooth: k * ratio < 1 };
}

/**
 * Mount the figure in `el` (the runtime's <figure>); resolves to its handle.
 * @param {HTMLElement} el
 * @param {object} config config.json, with `base` (its folder's URL) and `reducedMotion`
 */
export async function mount(el, config) {
  const grid = validate(config);
  const image = await fetchImage(config.image, { base: config.base });
  if (image.width < grid.cols * grid.cellWidth || image.height < grid.rows * grid.cellHeight) {
    image.close();
    throw new Error(`the image ${config.image} is smaller than cols x rows cells`);
  }
  const fig = createFigure(el, config);
  const { live } = fig;
  const say = announcer(el);
  fig.onDestroy(() => say(""));
  fig.onDestroy(() => image.close());

  // DOM
  const noun = grid.noun.toLowerCase();
  const cellsCanvas = h("canvas", { class: "image-grid__cells", "aria-hidden": "true" });
  const zoomCanvas = h("canvas", { class: "image-grid__zoom" });
  const detailLabel = h("p", { class: "image-grid__label" });
  const root = fig.add(h("div", {
    class: "image-grid", tabindex: 0, role: "group",
    "aria-label": `${config.alt || "Image grid"}. Use the arrow keys to select ${noun === "image" ? "an" : "a"} ${noun}.`,
  }, cellsCanvas, h("div", { class: "image-grid__detail", "aria-hidden": "true" }, zoomCanvas, detailLabel)));

  // state
  let selected = 0;
  let layout = null;
  let highlight = null; // {x, y} in CSS px, animated towards the selected cell
  let move = null; // {from, to, start}
  // drawn on request, at most once a frame; every frame while the outline moves
  const moving = fig.animate((now) => draw(now));
  const frame = fig.scheduler(() => {
    if (!moving.running) draw();
  });

  function measure() {
    const width = Math.max(live.clientWidth, 160);
    const ratio = window.devicePixelRatio || 1;
    const sideBySide = width >= SIDE_BY_SIDE_MIN_WIDTH;
    const zoom = Math.round(Math.min(ZOOM_SIZE.max, Math.max(ZOOM_SIZE.min, width * 0.25)));
    const gridWidth = sideBySide ? width - zoom - 3 * GAP : width;
    const cell = cellSizeFor(gridWidth, grid, ratio);
    const usedRows = Math.ceil(grid.count / grid.cols);
    root.classList.toggle("image-grid--stacked", !sideBySide);
    return {
      cell,
      pitch: cell.width + GAP,
      rowHeight: cell.height + LABEL_HEIGHT + GAP,
      width: grid.cols * (cell.width + GAP),
      height: usedRows * (cell.height + LABEL_HEIGHT + GAP),
      zoom: zoomSizeFor(zoom, grid, ratio),
    };
  }

  function cellOrigin(index) {
    const col = index % grid.cols;
    const row = Math.floor(index / grid.cols);
    return { x: col * layout.pitch + GAP / 2, y: row * layout.rowHeight + GAP / 2 };
  }

  function sourceOf(index) {
    return { sx: (index % grid.cols) * grid.cellWidth, sy: Math.floor(index / grid.cols) * grid.cellHeight };
  }

  // Draw the grid and the enlarged cell; true while the outline is still moving.
  function draw(now = performance.now()) {
    const theme = readTheme(el);
    const { cell } = layout;
    const { ctx } = fitCanvas(cellsCanvas, layout.width, layout.height);
    ctx.imageSmoothingEnabled = cell.smooth;
    ctx.imageSmoothingQuality = "high";
    ctx.clearRect(0, 0, layout.width, layout.height);
    ctx.font = FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let i = 0; i < grid.count; i += 1) {
      const { x, y } = cellOrigin(i);
      const { sx, sy } = sourceOf(i);
      ctx.drawImage(image, sx, sy, grid.cellWidth, grid.cellHeight, x, y, cell.width, cell.height);
      ctx.fillStyle = i === selected ? theme.accent : theme.muted;
      // a long class name is squeezed to its cell's pitch rather than drawn over its neighbours
      ctx.fillText(grid.labels[i], x + cell.width / 2, y + cell.height + 3, layout.pitch - 4);
    }
    let animating = false;
    if (move) {
      const t = Math.min(1, (now - move.start) / MOVE_MS);
      const ease = 1 - (1 - t) ** 3;
      highlight = {
        x: move.from.x + (move.to.x - move.from.x) * ease,
        y: move.from.y + (move.to.y - move.from.y) * ease,
      };
      animating = t < 1;
      if (!animating) move = null;
    } else {
      highlight = cellOrigin(selected);
    }
    ctx.strokeStyle = theme.accent;
    ctx.lineWidth = 2;
    ctx.strokeRect(highlight.x - 2, highlight.y - 2, cell.width + 4, cell.height + 4);
    drawZoom(theme);
    return animating;
  }

  function drawZoom(theme) {
    const { width, height, smooth } = layout.zoom;
    const { ctx } = fitCanvas(zoomCanvas, width, height);
    ctx.imageSmoothingEnabled = smooth;
    ctx.imageSmoothingQuality = "high";
    const { sx, sy } = sourceOf(selected);
    ctx.drawImage(image, sx, sy, grid.cellWidth, grid.cellHeight, 0, 0, width, height);
    ctx.strokeStyle = theme.border;
    ctx.lineWidth = 1;
    ctx.strokeRect(0.5, 0.5, width - 1, height - 1);
  }

  function relayout() {
    layout = measure();
    move = null;
    frame.invalidate();
  }

  // unlabelled images (an empty label) are named by their number alone
  function labelDetail() {
    const label = grid.labels[selected];
    detailLabel.textContent = `${grid.noun} ${selected + 1}${label ? `: label ${label}` : ""}`;
  }

  function announce() {
    const label = grid.labels[selected];
    say(`${grid.noun} ${selected + 1} of ${grid.count}${label ? `, label ${label}` : ""}`);
  }

  function select(index) {
    if (index === selected) return;
    const from = highlight || cellOrigin(selected);
    selected = index;
    move = fig.reducedMotion ? null : { from, to: cellOrigin(index), start: performance.now() };
    labelDetail();
    announce();
    if (move) moving.start();
    else frame.invalidate();
  }

  function indexAt(event) {
    const box = cellsCanvas.getBoundingClientRect();
    const col = Math.floor((event.clientX - box.left) / layout.pitch);
    const row = Math.floor((event.clientY - box.top) / layout.rowHeight);
    if (col < 0 || col >= grid.cols || row < 0) return null;
    const index = row * grid.cols + col;
    return index < grid.count ? index : null;
  }

  // events
  fig.on(root, "keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const next = gridStep(selected, event.key, grid);
    if (next === null) return;
    event.preventDefault();
    select(next);
  });
  fig.on(root, "focus", announce);
  fig.on(cellsCanvas, "pointermove", (event) => {
    if (event.pointerType !== "mouse") return;
    const index = indexAt(event);
    if (index !== null) select(index);
  });
  fig.on(cellsCanvas, "pointerdown", (event) => {
    const index = indexAt(event);
    if (index === null) return;
    root.focus({ preventScroll: true });
    select(index);
  });
  onThemeChange(() => frame.invalidate(), fig.signal);
  fig.observeResize(live, relayout);

  layout = measure();
  labelDetail();
  draw();
  return fig;
}

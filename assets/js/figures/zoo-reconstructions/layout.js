// zoo-reconstructions: where everything goes on the canvas, and the sentences the figure says
// (no DOM here, so Node's test runner can import it).

export const GAP = 4;
const LINE_GAP = 10; // between the two lines of images on a narrow screen
const SIDE_LABELS_MIN_WIDTH = 560; // below this, row names go above the rows
const TWO_LINES_MAX_WIDTH = 440; // below this, the images wrap onto two lines
const SIDE_LABEL_WIDTH = 118;
const MAX_SCALE = 3;
const HEAD = 16; // class names above the originals
const LOSS_LINE = 15;
const ROW_LABEL = 15; // a row's name above it, when there is no room beside it

/**
 * The config, checked: models, the size of one image, and originals for every model's dataset.
 * @returns {object} config
 */
export function validate(config) {
  if (!Array.isArray(config.models) || !config.models.length) {
    throw new Error("zoo-reconstructions needs config.models");
  }
  if (!Array.isArray(config.cell) || config.cell.length !== 2) {
    throw new Error("zoo-reconstructions needs config.cell, [height, width] of one image");
  }
  for (const m of config.models) {
    if (!config.datasets?.[m.dataset]) throw new Error(`zoo-reconstructions has no originals for ${m.dataset}`);
  }
  return config;
}

/** Every image file the figure shows (originals, reconstructions, noisy inputs), once each. */
export function imageFiles(config) {
  const files = new Set(Object.values(config.datasets).map((d) => d.file));
  for (const m of config.models) {
    files.add(m.reconstructions);
    if (m.noisy) files.add(m.noisy);
  }
  return [...files];
}

/**
 * The rows shown for a model: the originals, the noisy inputs (the denoiser only), its output.
 * @returns {{name: string, file: string, losses?: boolean}[]}
 */
export function rowsOf(m, datasets) {
  const rows = [{ name: "Original", file: datasets[m.dataset].file }];
  if (m.noisy) rows.push({ name: "Noisy input", file: m.noisy });
  rows.push({ name: m.noisy ? "Denoised" : "Reconstruction", file: m.reconstructions, losses: true });
  return rows;
}

/**
 * The layout for a width: row names beside the images (wide) or above each row; one line of
 * images, or two below TWO_LINES_MAX_WIDTH; a cell a whole multiple of the image in device pixels
 * when there is room.
 * @param {{width: number, ratio: number, count: number, cell: [number, number], rows: number}} options
 */
export function measureLayout({ width, ratio, count, cell: [h, w], rows }) {
  const side = width >= SIDE_LABELS_MIN_WIDTH;
  const lines = width < TWO_LINES_MAX_WIDTH && count > 5 ? 2 : 1;
  const cols = Math.ceil(count / lines);
  const gridX = side ? SIDE_LABEL_WIDTH : 0;
  const room = (width - gridX - (cols - 1) * GAP) / cols;
  let cell = Math.min(w * MAX_SCALE, room);
  const multiple = Math.floor((cell * ratio) / w);
  cell = multiple >= 1 ? (multiple * w) / ratio : Math.max(12, Math.floor(cell));
  const cellH = cell * (h / w);
  const rowLabel = side ? 0 : ROW_LABEL;
  const block = HEAD + rows * (cellH + GAP + rowLabel) + LOSS_LINE;
  return { width, count, source: { w, h }, side, lines, cols, cell, cellH, head: HEAD, rowLabel, rows, gridX, block,
    height: Math.ceil(lines * block + (lines - 1) * LINE_GAP), used: gridX + cols * cell + (cols - 1) * GAP };
}

/** The top-left corner of image `i` in row `rowIndex`. */
export function cellBox(layout, rowIndex, i) {
  const line = Math.floor(i / layout.cols);
  const col = i % layout.cols;
  const y = line * (layout.block + LINE_GAP) + layout.head + rowIndex * (layout.cellH + GAP + layout.rowLabel) +
    layout.rowLabel;
  return { x: layout.gridX + col * (layout.cell + GAP), y };
}

/** The image under a point (px, py from the canvas's corner), or null. */
export function indexAt(layout, px, py, count) {
  const x = px - layout.gridX;
  const col = Math.floor(x / (layout.cell + GAP));
  const line = Math.floor(py / (layout.block + LINE_GAP));
  if (x < 0 || col < 0 || col >= layout.cols || line < 0 || line >= layout.lines) return null;
  const i = line * layout.cols + col;
  return i < count ? i : null;
}

/** The read-out for the selected image of a model (label: its class name, or null when unlabelled). */
export function describeImage(m, label, selected, count) {
  return `Image ${selected + 1} of ${count}${label ? `, ${label}` : ""}: loss ${m.bce[selected].toFixed(3)} of the ` +
    `${m.short} model's ${m.noisy ? "denoised image" : "reconstruction"} (mean over the ${count}: ` +
    `${m.mean_bce.toFixed(3)}).`;
}

/** What the live region says when a model is chosen. */
export function describeModel(m, count) {
  return `${m.title}: mean reconstruction loss ${m.mean_bce.toFixed(3)} on these ${count} images` +
    `${m.noisy ? ", from noisy inputs" : ""}.`;
}

/** The summary line's text after the model's title: its summary, then its mean loss (two text nodes). */
export function summaryText(m, count) {
  return [`: ${m.summary || ""} `, `Mean loss on these ${count} images: ${m.mean_bce.toFixed(3)}` +
    (m.noisy ? ` (noise σ = ${m.noise ?? 0.5}; loss against the clean originals).` : ".")];
}

// The 2-D camera of the latent-layouts figure: a zoom factor and the data
// point at the centre of the canvas. Views are plain frozen objects; every
// function returns a new one. Zoom 1 fits the layout square [-1, 1]^2 in the
// canvas; a layout's home view fits its own bounding box. The zoom is clamped
// to [minZoom, maxZoom] (minZoom: the home zoom) and the centre to the data's
// bounding box, so the view can never leave the data (the 2019 original let
// the camera pass through the plane and everything vanished).

export const MIN_ZOOM = 1;
const FIT = 0.94; // share of the shorter canvas side the layout square fills at zoom 1
const MARGIN = 0.06; // data units the view may show beyond the data's bounding box

export const HOME = Object.freeze({ zoom: 1, cx: 0, cy: 0 });

/** Pixels per data unit at `zoom` for a `width` x `height` canvas (CSS px). */
export function pixelsPerUnit(zoom, width, height) {
  return (Math.min(width, height) / 2) * FIT * zoom;
}

/** The largest useful zoom for `count` points: roughly where neighbours stop overlapping. */
export function maxZoomFor(count) {
  return Math.max(8, Math.round(Math.sqrt(count) / 3));
}

function clampAxis(centre, lo, hi, halfView) {
  const min = lo - MARGIN + halfView;
  const max = hi + MARGIN - halfView;
  return min > max ? (lo + hi) / 2 : Math.min(max, Math.max(min, centre));
}

/** The view that shows all of `box` ({x0, x1, y0, y1} in data units) as large as the canvas allows. */
export function homeView(box, { width, height, maxZoom }) {
  const ppu = pixelsPerUnit(1, width, height);
  const fits = Math.min(width / ((box.x1 - box.x0 + 2 * MARGIN) * ppu), height / ((box.y1 - box.y0 + 2 * MARGIN) * ppu));
  const zoom = Math.min(maxZoom, Math.max(MIN_ZOOM, Number.isFinite(fits) ? fits : 1));
  return Object.freeze({ zoom, cx: (box.x0 + box.x1) / 2, cy: (box.y0 + box.y1) / 2 });
}

/**
 * `view` with its zoom within limits and its centre kept so that the view
 * stays over `box` ({x0, x1, y0, y1} in data units).
 */
export function clampView(view, box, { width, height, maxZoom, minZoom = MIN_ZOOM }) {
  const zoom = Math.min(maxZoom, Math.max(minZoom, Number.isFinite(view.zoom) ? view.zoom : 1));
  const ppu = pixelsPerUnit(zoom, width, height);
  const cx = clampAxis(Number.isFinite(view.cx) ? view.cx : 0, box.x0, box.x1, width / 2 / ppu);
  const cy = clampAxis(Number.isFinite(view.cy) ? view.cy : 0, box.y0, box.y1, height / 2 / ppu);
  if (zoom === view.zoom && cx === view.cx && cy === view.cy && Object.isFrozen(view)) return view;
  return Object.freeze({ zoom, cx, cy });
}

/** Canvas position (CSS px from the top left) of data point (x, y); y grows upwards in data. */
export function toScreen(view, size, x, y) {
  const ppu = pixelsPerUnit(view.zoom, size.width, size.height);
  return { x: size.width / 2 + (x - view.cx) * ppu, y: size.height / 2 - (y - view.cy) * ppu };
}

/** Data point under canvas position (sx, sy). */
export function toData(view, size, sx, sy) {
  const ppu = pixelsPerUnit(view.zoom, size.width, size.height);
  return { x: view.cx + (sx - size.width / 2) / ppu, y: view.cy - (sy - size.height / 2) / ppu };
}

/** Zoom by `factor` keeping the data point under canvas position (sx, sy) in place. */
export function zoomAt(view, factor, sx, sy, size) {
  const anchor = toData(view, size, sx, sy);
  const zoom = Math.min(size.maxZoom, Math.max(size.minZoom ?? MIN_ZOOM, view.zoom * factor));
  const ppu = pixelsPerUnit(zoom, size.width, size.height);
  return Object.freeze({
    zoom,
    cx: anchor.x - (sx - size.width / 2) / ppu,
    cy: anchor.y + (sy - size.height / 2) / ppu,
  });
}

/** Move the view by (dx, dy) CSS px (content follows the pointer). */
export function panBy(view, dx, dy, size) {
  const ppu = pixelsPerUnit(view.zoom, size.width, size.height);
  return Object.freeze({ zoom: view.zoom, cx: view.cx - dx / ppu, cy: view.cy + dy / ppu });
}

/** The view `t` of the way from `a` to `b`; zoom moves in log space so it feels even. */
export function lerpView(a, b, t) {
  if (t <= 0) return a;
  if (t >= 1) return b;
  return Object.freeze({
    zoom: Math.exp(Math.log(a.zoom) + (Math.log(b.zoom) - Math.log(a.zoom)) * t),
    cx: a.cx + (b.cx - a.cx) * t,
    cy: a.cy + (b.cy - a.cy) * t,
  });
}

/** Whether views `a` and `b` differ by less than `epsilon` in zoom and in each centre coordinate. */
export function sameView(a, b, epsilon = 1e-6) {
  return Math.abs(a.zoom - b.zoom) < epsilon && Math.abs(a.cx - b.cx) < epsilon && Math.abs(a.cy - b.cy) < epsilon;
}

/** Bounding box {x0, x1, y0, y1} of interleaved x, y positions. */
export function boundsOf(xy) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    const x = xy[i], y = xy[i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return xy.length ? { x0, x1, y0, y1 } : { x0: -1, x1: 1, y0: -1, y1: 1 };
}

/**
 * `view`, moved as little as needed so that at least one of the points `xy`
 * lies well inside it: at high zoom a corner of the bounding box can be
 * empty, and the reader should never be left looking at nothing.
 */
export function keepPointsInView(view, xy, size, inner = 0.8) {
  const ppu = pixelsPerUnit(view.zoom, size.width, size.height);
  const hx = (size.width / 2 / ppu) * inner;
  const hy = (size.height / 2 / ppu) * inner;
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    // Chebyshev distance in units of the half view: <= 1 means inside
    const d = Math.max(Math.abs(xy[i] - view.cx) / hx, Math.abs(xy[i + 1] - view.cy) / hy);
    if (d <= 1) return view;
    if (d < bestD) { bestD = d; best = i; }
  }
  if (best < 0) return view;
  const px = xy[best], py = xy[best + 1];
  return Object.freeze({
    zoom: view.zoom,
    cx: px + Math.min(hx, Math.max(-hx, view.cx - px)),
    cy: py + Math.min(hy, Math.max(-hy, view.cy - py)),
  });
}

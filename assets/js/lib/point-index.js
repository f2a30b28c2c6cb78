// A uniform grid over 2-D points for k-nearest lookups on every pointer move:
// built once per point set (typed arrays only: each cell's start offset into
// the point ids sorted by cell, and their coordinates in that order), it
// answers exactly what the linear scan `nearest` in decoder-data.js answers
// (nearest first, ties to the lower index) by searching rings of cells
// outward from the query's cell until no unsearched cell can hold a point
// nearer than the k-th found.

const POINTS_PER_CELL = 2; // on average; clustered data puts more in its dense cells

/**
 * The index of the first `count` points of `codes` (x y interleaved).
 * @param {ArrayLike<number>} codes @param {number} [count]
 * @returns {{count: number, nearest: (x: number, y: number, k: number) => number[]}}
 */
export function createPointIndex(codes, count = Math.floor(codes.length / 2)) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < count; i += 1) {
    const x = codes[2 * i], y = codes[2 * i + 1];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (count === 0) minX = minY = maxX = maxY = 0;
  const width = maxX - minX, height = maxY - minY;
  const target = Math.max(1, Math.ceil(count / POINTS_PER_CELL));
  // square cells, about `target` of them, never more than `target` along one axis
  let size = Math.max(Math.sqrt((width * height) / target), Math.max(width, height) / target);
  if (!(size > 0 && Number.isFinite(size))) size = 1; // every point at one spot (or none)
  const inv = 1 / size;
  const gx = Math.min(target, Math.max(1, Math.ceil(width * inv)));
  const gy = Math.min(target, Math.max(1, Math.ceil(height * inv)));
  const column = (x) => Math.min(gx - 1, Math.max(0, Math.floor((x - minX) * inv)));
  const row = (y) => Math.min(gy - 1, Math.max(0, Math.floor((y - minY) * inv)));

  // counting sort of the point ids by cell (stable: ids ascend within a cell)
  const cellOf = new Uint32Array(count);
  const start = new Uint32Array(gx * gy + 1);
  for (let i = 0; i < count; i += 1) {
    const cell = row(codes[2 * i + 1]) * gx + column(codes[2 * i]);
    cellOf[i] = cell;
    start[cell + 1] += 1;
  }
  for (let c = 0; c < gx * gy; c += 1) start[c + 1] += start[c];
  const ids = new Uint32Array(count);
  const xy = new Float64Array(2 * count); // coordinates in cell order, exactly as in `codes`
  const fill = start.slice(0, gx * gy);
  for (let i = 0; i < count; i += 1) {
    const at = fill[cellOf[i]]++;
    ids[at] = i;
    xy[2 * at] = codes[2 * i];
    xy[2 * at + 1] = codes[2 * i + 1];
  }
  // slack for rounding where a point's cell and a cell's edge are worked out
  const slack = 1e-12 * (Math.abs(minX) + Math.abs(maxX) + Math.abs(minY) + Math.abs(maxY) + size * (gx + gy));

  let bestD = new Float64Array(0), bestI = new Int32Array(0);

  /** Every point, nearest first (ties by index): when k covers them all. */
  function sortAll(x, y) {
    const d = new Float64Array(count);
    for (let i = 0; i < count; i += 1) {
      const dx = codes[2 * i] - x, dy = codes[2 * i + 1] - y;
      d[i] = dx * dx + dy * dy;
    }
    return Array.from({ length: count }, (_, i) => i).sort((a, b) => d[a] - d[b] || a - b);
  }

  /**
   * Indices of the `k` points nearest (x, y), nearest first; the same as nearest(codes, x, y, k).
   * @param {number} x @param {number} y @param {number} k
   * @returns {number[]}
   */
  function nearest(x, y, k) {
    k = Math.min(count, Math.floor(k));
    if (!(k > 0)) return [];
    if (k === count) return sortAll(x, y);
    if (bestD.length < k) {
      bestD = new Float64Array(k);
      bestI = new Int32Array(k);
    }
    let filled = 0;
    const cx = column(x), cy = row(y);
    // distance from the query to the points' box along each axis (0 inside it)
    const outX = x < minX ? minX - x : x > maxX ? x - maxX : 0;
    const outY = y < minY ? minY - y : y > maxY ? y - maxY : 0;
    const eps = slack + 1e-12 * (Math.abs(x) + Math.abs(y));

    // the points of cells [from, to) in row-major order, a contiguous run of `ids`
    const visit = (from, to) => {
      for (let at = start[from], end = start[to]; at < end; at += 1) {
        const dx = xy[2 * at] - x, dy = xy[2 * at + 1] - y;
        const d = dx * dx + dy * dy;
        const i = ids[at];
        let j;
        if (filled === k) {
          const last = bestD[k - 1];
          if (d > last || (d === last && i > bestI[k - 1])) continue;
          j = k - 1;
        } else {
          j = filled;
          filled += 1;
        }
        while (j > 0 && (bestD[j - 1] > d || (bestD[j - 1] === d && bestI[j - 1] > i))) {
          bestD[j] = bestD[j - 1];
          bestI[j] = bestI[j - 1];
          j -= 1;
        }
        bestD[j] = d;
        bestI[j] = i;
      }
    };
    const gap2 = (gap, out) => {
      const g = Math.max(0, gap - eps);
      return g * g + out * out;
    };

    for (let r = 0; ; r += 1) {
      const x0 = cx - r, x1 = cx + r, y0 = cy - r, y1 = cy + r;
      const left = Math.max(0, x0), right = Math.min(gx - 1, x1);
      if (r === 0) visit(cy * gx + cx, cy * gx + cx + 1);
      else {
        if (y0 >= 0) visit(y0 * gx + left, y0 * gx + right + 1); // the ring's bottom and top rows
        if (y1 < gy) visit(y1 * gx + left, y1 * gx + right + 1);
        const bottom = Math.max(0, y0 + 1), top = Math.min(gy - 1, y1 - 1);
        if (x0 >= 0) for (let line = bottom; line <= top; line += 1) visit(line * gx + x0, line * gx + x0 + 1);
        if (x1 < gx) for (let line = bottom; line <= top; line += 1) visit(line * gx + x1, line * gx + x1 + 1);
      }
      if (x0 <= 0 && x1 >= gx - 1 && y0 <= 0 && y1 >= gy - 1) break; // the whole grid searched
      if (filled < k) continue;
      // the unsearched points lie in four slabs beyond the searched square: the nearest any can be
      let bound = Infinity;
      if (x0 > 0) bound = Math.min(bound, gap2(x - (minX + x0 * size), outY));
      if (x1 < gx - 1) bound = Math.min(bound, gap2(minX + (x1 + 1) * size - x, outY));
      if (y0 > 0) bound = Math.min(bound, gap2(y - (minY + y0 * size), outX));
      if (y1 < gy - 1) bound = Math.min(bound, gap2(minY + (y1 + 1) * size - y, outX));
      if (bestD[k - 1] < bound) break;
    }
    return Array.from(bestI.subarray(0, filled));
  }

  return { count, nearest };
}

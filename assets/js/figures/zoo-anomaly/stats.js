// zoo-anomaly: the numbers behind the chart (no DOM here, so Node's test runner can import it):
// box-plot statistics per class, the points drawn per class, their jitter, the read-out sentence.

import * as d3 from "d3";

const STRIP_MAX = 400; // points drawn per class (the highest errors always among them)
const STRIP_TOP = 20; // the highest errors of a class, always drawn

/** An error as the figure writes it: three decimals, "–" if missing. */
export const f3 = (v) => (Number.isFinite(v) ? v.toFixed(3) : "–");

/**
 * Per class: indices of its images sorted by error, and box-plot statistics
 * (quartiles; whiskers at the last values within 1.5 IQR; min and max).
 * @param {ArrayLike<number>} errors @param {ArrayLike<number>} labels @param {string[]} classes
 * @returns {{name: string, c: number, order: number[], count: number, q1?: number, median?: number,
 *   q3?: number, low?: number, high?: number, min?: number, max?: number}[]}
 */
export function classSummaries(errors, labels, classes) {
  const out = classes.map((name, c) => ({ name, c, order: [] }));
  for (let i = 0; i < errors.length; i += 1) out[labels[i]]?.order.push(i);
  for (const s of out) {
    s.order.sort((a, b) => errors[a] - errors[b]);
    const sorted = s.order.map((i) => errors[i]);
    s.count = sorted.length;
    if (!s.count) continue;
    s.q1 = d3.quantileSorted(sorted, 0.25);
    s.median = d3.quantileSorted(sorted, 0.5);
    s.q3 = d3.quantileSorted(sorted, 0.75);
    const iqr = s.q3 - s.q1;
    s.low = sorted.find((v) => v >= s.q1 - 1.5 * iqr);
    s.high = [...sorted].reverse().find((v) => v <= s.q3 + 1.5 * iqr);
    s.min = sorted[0];
    s.max = sorted[sorted.length - 1];
  }
  return out;
}

/** Image index -> its position within its class, by error (0: lowest). */
export function ranksWithinClass(summaries) {
  const rankOf = new Map();
  summaries.forEach((s) => s.order.forEach((i, k) => rankOf.set(i, k)));
  return rankOf;
}

/** A deterministic jitter in [-0.5, 0.5) per image, so points do not move between draws. */
export const jitter = (i) => ((Math.sin(i * 12.9898) * 43758.5453) % 1 + 1) % 1 - 0.5;

/**
 * The images of a class drawn as points: all of them up to STRIP_MAX, else an even sample of
 * STRIP_MAX plus the highest errors.
 * @param {{order: number[]}} summary @returns {number[]}
 */
export function stripOf({ order }) {
  if (order.length <= STRIP_MAX) return order;
  const step = order.length / STRIP_MAX;
  const picks = new Set(Array.from({ length: STRIP_MAX }, (_, k) => order[Math.floor(k * step)]));
  order.slice(-STRIP_TOP).forEach((i) => picks.add(i));
  return [...picks];
}

/** The error axis's domain: the errors' extent with 4% room each side. @returns {[number, number]} */
export function errorDomain(errors) {
  const [lo, hi] = d3.extent(errors);
  const pad = (hi - lo) * 0.04 || Math.abs(hi) * 0.04; // every error alike: a small axis around it
  return [Math.max(0, lo - pad), hi + pad || 1];
}

/**
 * The read-out for the current class and image (image null: the class alone).
 * @param {{c: number, image: number|null}} current
 * @param {{summaries: object[], errors: ArrayLike<number>, labels: ArrayLike<number>, classes: string[],
 *   hot: Map<number, {rank: number}>, rankOf: Map<number, number>, labelled?: boolean}} data (labelled false:
 *   one row of every image, which are named by number)
 */
export function describeChoice(current, { summaries, errors, labels, classes, hot, rankOf, labelled }) {
  const s = summaries[current.c];
  const stats = s.count
    ? `${s.name}: ${s.count} images, median ${f3(s.median)}, middle half ${f3(s.q1)}–${f3(s.q3)}, ` +
      `highest ${f3(s.max)}.`
    : `${s.name}: no images.`;
  if (current.image === null) return stats;
  const i = current.image;
  const t = hot.get(i);
  const lead = t ? `Most unusual number ${t.rank}: ` : "";
  if (labelled === false) { // one row of every image, each named by its number
    return `${lead}image ${i + 1}, error ${f3(errors[i])}, ${rankOf.get(i) + 1} of ${s.count} from lowest to ` +
      `highest. ${stats}`;
  }
  return `${lead}${classes[labels[i]]}, error ${f3(errors[i])}, ` +
    `${rankOf.get(i) + 1} of ${s.count} in its class from lowest to highest. ${stats}`;
}

/**
 * Where a key press moves the choice within a class's images (null: not a key the chart uses).
 * Up/Down: the class before or after (no image); Left/Right: the next image by error;
 * PageUp/PageDown: a tenth of the class; Home/End: the lowest and highest.
 * @returns {{c: number, image: number|null}|null}
 */
export function keyMove(key, current, summaries, rankOf) {
  const order = summaries[current.c].order;
  const step = (delta) => {
    if (!order.length) return current;
    let k = current.image === null ? (delta > 0 ? -1 : order.length) : rankOf.get(current.image);
    k = Math.min(order.length - 1, Math.max(0, k + delta));
    return { c: current.c, image: order[k] };
  };
  if (key === "ArrowUp" || key === "ArrowDown") {
    return { c: Math.min(summaries.length - 1, Math.max(0, current.c + (key === "ArrowDown" ? 1 : -1))), image: null };
  }
  if (key === "ArrowLeft" || key === "ArrowRight") return step(key === "ArrowRight" ? 1 : -1);
  if (key === "PageUp" || key === "PageDown") {
    return step((key === "PageUp" ? 1 : -1) * Math.max(1, Math.round(order.length / 10)));
  }
  if (key === "Home" || key === "End") {
    return order.length ? { c: current.c, image: order[key === "Home" ? 0 : order.length - 1] } : current;
  }
  return null;
}

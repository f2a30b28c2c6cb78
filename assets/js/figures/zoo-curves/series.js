// zoo-curves: the numbers behind the chart (no DOM here, so Node's test runner can import it):
// the loss axis's domain and ticks, a model's losses at an epoch, the read-out's sentences.

import * as d3 from "d3";

/** A loss as the read-out shows it: four decimals, three significant digits below 0.01, "–" if missing. */
export const fmt = (v) => (v == null || !Number.isFinite(v) ? "–" : v < 0.01 ? v.toPrecision(3) : v.toFixed(4));

/** True for a loss a log axis can show. */
export const drawable = (v) => Number.isFinite(v) && v > 0;

/**
 * The config's series, checked: one entry per model, each with train and val arrays.
 * @param {{series?: {key: string, train: number[], val: number[]}[]}} config
 */
export function validate(config) {
  if (!Array.isArray(config.series) || !config.series.length) {
    throw new Error("zoo-curves needs config.series, one entry per model");
  }
  for (const s of config.series) {
    if (!Array.isArray(s.train) || !Array.isArray(s.val)) {
      throw new Error(`zoo-curves series ${s.key} needs train and val arrays`);
    }
  }
  return config.series;
}

/** The longest run of epochs among the series (at least 1). */
export function epochCount(series) {
  return Math.max(1, ...series.map((s) => Math.max(s.train.length, s.val.length)));
}

/**
 * The loss axis's domain for the shown series: a little room above and below; a log axis
 * spans at least a ratio of 1.2; [0.1, 1] when nothing is shown.
 * @param {{train: number[], val: number[]}[]} shown @param {"log"|"linear"} axis @returns {[number, number]}
 */
export function yDomain(shown, axis) {
  const values = shown.flatMap((s) => [...s.train, ...s.val]).filter(drawable);
  if (!values.length) return [0.1, 1];
  let [lo, hi] = d3.extent(values);
  if (axis === "log") {
    if (hi / lo < 1.2) {
      lo /= 1.1;
      hi *= 1.1;
    }
    return [lo / 1.04, hi * 1.04];
  }
  const pad = Math.max((hi - lo) * 0.06, hi * 0.01);
  return [Math.max(0, lo - pad), hi + pad];
}

/**
 * Ticks for a log axis over `domain`: round values (d3's log ticks crowd, or vanish within one decade).
 * @param {[number, number]} domain @returns {number[]}
 */
export function logTicks([lo, hi]) {
  if (hi / lo < 10) return d3.ticks(lo, hi, 5).filter((v) => v > 0);
  return d3.scaleLog().domain([lo, hi]).ticks().filter((v) => {
    const mantissa = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
    return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6);
  });
}

/**
 * A model's losses at epoch `e` (1-based); past its last epoch, its final losses, flagged as ended.
 * @returns {{s: object, train: number, val: number, ended: boolean, last: number}}
 */
export function lossesAt(s, e) {
  const n = Math.max(s.train.length, s.val.length);
  const k = Math.min(e, n) - 1;
  return { s, train: s.train[k], val: s.val[k], ended: e > n, last: n };
}

/** The shown models' losses at epoch `e`, the lead model first. */
export function rowsAt(shown, lead, e) {
  return shown.map((s) => lossesAt(s, e)).sort((a, b) => (a.s === lead ? -1 : b.s === lead ? 1 : 0));
}

/** The sentence the live region says for the rows at an epoch. */
export function describeEpoch(rows, epoch, epochs) {
  const measured = rows.filter((r) => Number.isFinite(r.val));
  if (!measured.length) return `Epoch ${epoch}: no model shown.`;
  const [first, ...others] = measured;
  const final = (r) => (r.ended ? ` (final, epoch ${r.last})` : "");
  const rest = others.map((r) => `${r.s.short} ${fmt(r.val)}${final(r)}`).join(", ");
  return `Epoch ${epoch} of ${epochs}. ${first.s.title}${final(first)}: training ${fmt(first.train)}, validation ` +
    `${fmt(first.val)}.${rest ? ` Validation of the others: ${rest}.` : ""}`;
}

/**
 * A legend button's visible text and, when it says less than the model's title, its accessible name
 * (which starts with the visible text).
 * @returns {{text: string, label: string|null}}
 */
export function legendLabel(s) {
  const text = s.short + (s.dataset === "mnist" && !/mnist/i.test(s.short) ? " (MNIST)" : "");
  const label = text !== s.title || s.note ? `${text} (${[s.title, s.note].filter(Boolean).join(", ")})` : null;
  return { text, label };
}

/** What each curve measures, once per distinct note ("VAE, Conv VAE: reconstruction term only"). */
export function notesLine(series) {
  const notes = new Map();
  for (const s of series) if (s.note) notes.set(s.note, [...(notes.get(s.note) || []), s.short]);
  return [...notes].map(([note, names]) => `${names.join(", ")}: ${note}`).join(" · ");
}

/**
 * Which shown model's curve passes closest to `py` (pixels) at `epoch`, through the scale `y`.
 * @returns {object|null} the series, or null when none has a loss there
 */
export function nearestAt(shown, epoch, py, y) {
  let best = null;
  for (const s of shown) {
    for (const v of [s.train[epoch - 1], s.val[epoch - 1]]) {
      if (!drawable(v)) continue;
      const d = Math.abs(y(v) - py);
      if (!best || d < best.d) best = { d, s };
    }
  }
  return best && best.s;
}

// zoo-table: how rows are ordered (no DOM here, so Node's test runner can import it).

/** Columns where a lower number is better: their first press sorts ascending (best first). */
const LOWER_IS_BETTER = new Set(["test_bce", "test_mse", "guide_bce"]);

/**
 * Compare two cell values; null (missing) sorts last in both directions.
 * @param {number|string|null} a @param {number|string|null} b
 * @param {"ascending"|"descending"} direction
 * @returns {number}
 */
export function compareValues(a, b, direction) {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const order = typeof a === "number" ? a - b : String(a).localeCompare(String(b));
  return direction === "descending" ? -order : order;
}

/**
 * A cell's sort value from its `data-value` (or text): a number, null when a numeric cell is empty,
 * else lower-case text.
 * @param {string} raw @param {boolean} numeric @returns {number|string|null}
 */
export function sortValue(raw, numeric) {
  if (!numeric) return raw.trim().toLowerCase();
  return raw === "" ? null : Number(raw);
}

/**
 * The direction a press on a column's header sorts in: the other way when the table is already
 * sorted by that column; otherwise best first (numbers where lower is better ascending, other
 * numbers descending, text ascending).
 * @param {string} key @param {boolean} numeric @param {{key: string|null, direction: string|null}} current
 * @returns {"ascending"|"descending"}
 */
export function nextDirection(key, numeric, current) {
  if (current.key === key) return current.direction === "ascending" ? "descending" : "ascending";
  return numeric && !LOWER_IS_BETTER.has(key) ? "descending" : "ascending";
}

/**
 * What the live region says after a sort.
 * @param {string} name the column's header @param {string} direction @param {boolean} numeric
 */
export function sortMessage(name, direction, numeric) {
  const hint = numeric ? (direction === "ascending" ? ", smallest first" : ", largest first") : "";
  return `Sorted by ${name}, ${direction}${hint}.`;
}

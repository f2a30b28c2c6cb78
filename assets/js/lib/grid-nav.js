// Keyboard movement through a row-major grid of `count` cells, `cols` per row.

const MOVES = {
  ArrowLeft: (index) => index - 1,
  ArrowRight: (index) => index + 1,
  ArrowUp: (index, cols) => index - cols,
  ArrowDown: (index, cols) => index + cols,
  Home: () => 0,
  End: (index, cols, count) => count - 1,
};

/**
 * The cell reached from `index` by pressing `key`, clamped to the grid, or
 * null when the key is not a grid movement (so the caller lets it through).
 * @param {number} index @param {string} key @param {{cols: number, count: number}} grid
 * @returns {number | null}
 */
export function gridStep(index, key, { cols, count }) {
  const move = MOVES[key];
  if (!move) return null;
  const next = move(index, cols, count);
  // Up/down past an edge stays put rather than jumping to the row's neighbour.
  if (next < 0 || next >= count) return key === "ArrowUp" || key === "ArrowDown" ? index : clamp(next, count);
  return next;
}

function clamp(index, count) {
  return Math.max(0, Math.min(count - 1, index));
}

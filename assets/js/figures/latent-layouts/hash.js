// Per-figure state in the URL hash, so a link reopens the same view:
//   #fig-2=umap@1.5,0.1,-0.2   (layout @ zoom, centre x, centre y)
// Several figures share one hash as `&`-separated key=value pairs; any other
// part of the hash (a plain anchor such as #results) is kept as it is.
// Writes use history.replaceState: no history entry, no scroll, no hashchange.

const LAYOUT = /^[a-z][a-z0-9-]*$/;

function parts(hash) {
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  return text ? text.split("&") : [];
}

function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The state stored for figure `id` in `hash` (default: the page's), or null.
 * @returns {{layout: string, view: {zoom: number, cx: number, cy: number} | null} | null}
 */
export function readFigureHash(id, hash = location.hash) {
  for (const part of parts(hash)) {
    const eq = part.indexOf("=");
    if (eq < 0 || decode(part.slice(0, eq)) !== id) continue;
    const [layout, view] = decode(part.slice(eq + 1)).split("@");
    if (!LAYOUT.test(layout || "")) return null;
    if (!view) return { layout, view: null };
    const numbers = view.split(",").map(Number);
    if (numbers.length !== 3 || !numbers.every(Number.isFinite) || numbers[0] <= 0) return { layout, view: null };
    const [zoom, cx, cy] = numbers;
    return { layout, view: { zoom, cx, cy } };
  }
  return null;
}

function round(value, digits) {
  const text = value.toFixed(digits).replace(/\.?0+$/, "");
  return text === "-0" ? "0" : text;
}

/** The hash value for a layout and view; the view is left out when it is `home` (the layout's default). */
export function formatFigureState(layout, view, home = { zoom: 1, cx: 0, cy: 0 }) {
  const isHome = Math.abs(view?.zoom - home.zoom) < 5e-3 && Math.abs(view?.cx - home.cx) < 5e-4
    && Math.abs(view?.cy - home.cy) < 5e-4;
  if (!view || isHome) return layout;
  return `${layout}@${round(view.zoom, 2)},${round(view.cx, 3)},${round(view.cy, 3)}`;
}

/** `hash` with figure `id`'s entry set to `value` (or removed when value is null); other entries kept in order. */
export function mergeFigureHash(hash, id, value) {
  const kept = [];
  let placed = false;
  for (const part of parts(hash)) {
    const eq = part.indexOf("=");
    if (eq >= 0 && decode(part.slice(0, eq)) === id) {
      if (value !== null && !placed) kept.push(`${id}=${value}`);
      placed = true;
    } else if (part) {
      kept.push(part);
    }
  }
  if (!placed && value !== null) kept.push(`${id}=${value}`);
  return kept.length ? `#${kept.join("&")}` : "";
}

/** Store `value` for figure `id` in the page URL without adding a history entry. */
export function writeFigureHash(id, value) {
  const hash = mergeFigureHash(location.hash, id, value);
  if (hash === location.hash || (hash === "" && location.hash === "#")) return;
  const url = location.pathname + location.search + (hash || "");
  history.replaceState(history.state, "", url);
}

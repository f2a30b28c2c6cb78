// Read the page's colour tokens (CSS custom properties set in site.css) so
// canvas drawings follow the light and dark themes.

const TOKENS = { fg: "--fg", muted: "--muted", accent: "--accent", bg: "--bg", border: "--border" };
const FALLBACK = { fg: "#1b1f24", muted: "#57606a", accent: "#0a58ca", bg: "#ffffff", border: "#d0d7de" };

/**
 * Current theme colours as seen from `el`.
 * @param {Element} el
 * @returns {{fg: string, muted: string, accent: string, bg: string, border: string}}
 */
export function readTheme(el) {
  const style = getComputedStyle(el);
  const theme = {};
  for (const [name, property] of Object.entries(TOKENS)) {
    theme[name] = style.getPropertyValue(property).trim() || FALLBACK[name];
  }
  return theme;
}

/**
 * Call `callback` whenever the reader's colour scheme changes; stops when `signal` aborts.
 * @param {() => void} callback @param {AbortSignal} signal
 */
export function onThemeChange(callback, signal) {
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", callback, { signal });
}

// One <style> element per figure kind, shared by every instance on the page
// and removed when the last one is destroyed (site.css holds no figure styles).

/**
 * Add `css` to the document under `id` (once) and return a release function.
 * @param {string} id @param {string} css
 * @returns {() => void}
 */
export function adoptStyle(id, css) {
  let style = document.getElementById(id);
  if (!style) {
    style = document.createElement("style");
    style.id = id;
    style.textContent = css;
    style.dataset.users = "0";
    document.head.append(style);
  }
  style.dataset.users = String(Number(style.dataset.users) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    style.dataset.users = String(Number(style.dataset.users) - 1);
    if (style.dataset.users === "0") style.remove();
  };
}

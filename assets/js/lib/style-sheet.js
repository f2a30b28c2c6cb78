// A <style> element shared by the figures of a family: added to the page by the
// first user, removed after the last one has released it.

/**
 * @param {string} owner  the element's data-owner
 * @param {string} css
 * @returns {() => () => void} use(): add the styles (once per page); returns a
 *   function that removes them after the last user.
 */
export function sharedStyles(owner, css) {
  let users = 0;
  let element = null;
  return function use() {
    users += 1;
    if (!element) {
      element = document.createElement("style");
      element.dataset.owner = owner;
      element.textContent = css;
      document.head.append(element);
    }
    let done = false;
    return function release() {
      if (done) return;
      done = true;
      users -= 1;
      if (users === 0 && element) {
        element.remove();
        element = null;
      }
    };
  };
}

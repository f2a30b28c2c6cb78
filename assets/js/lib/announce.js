// Speak through a figure's own live region (.figure-status, role="status").

/**
 * Return `say(text)`, which writes `text` to the figure's .figure-status.
 * Repeating the current text is a no-op, so hover does not flood screen readers.
 * @param {HTMLElement} figure
 * @returns {(text: string) => void}
 */
export function announcer(figure) {
  const status = figure.querySelector(".figure-status");
  return function say(text) {
    if (status && status.textContent !== text) status.textContent = text;
  };
}

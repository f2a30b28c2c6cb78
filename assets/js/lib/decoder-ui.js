// Page parts the decoder figures share (decoder-sampler, draw-digit and the
// zoo's live figures): their controls, shown while the figure is live, and
// what they say in the figure's live region.

import { announcer } from "./announce.js";

/**
 * The template's controls matching `selector` (rendered hidden), shown until `fig` is destroyed.
 * @param {{el: HTMLElement, onDestroy: Function}} fig @param {string} selector
 * @returns {HTMLElement|null}
 */
export function revealControls(fig, selector) {
  const controls = fig.el.querySelector(selector);
  if (controls) {
    controls.style.display = "";
    fig.onDestroy(() => {
      controls.style.display = "none";
    });
  }
  return controls;
}

/**
 * Speech through the figure's .figure-status: `say(text)` now; `later(compose)`
 * after `delay` ms of quiet, so a drag or a held key speaks once, when it stops
 * (`compose()` returns the text, or a promise of it, at that time); `cancel()`
 * drops a pending one. The region is emptied when `fig` is destroyed.
 * @param {{el: HTMLElement, timeout: Function, clearTimeout: Function, onDestroy: Function, destroyed: boolean}} fig
 * @param {number} delay ms
 */
export function speaker(fig, delay) {
  const say = announcer(fig.el);
  let timer = 0;
  fig.onDestroy(() => say(""));
  function cancel() {
    fig.clearTimeout(timer);
  }
  return {
    say,
    cancel,
    later(compose) {
      cancel();
      timer = fig.timeout(async () => {
        const text = await compose();
        if (!fig.destroyed && text) say(text);
      }, delay);
    },
  };
}

// The zoo figures' work loop: asking for work marks it dirty; at most one run
// per animation frame, never two at once (a predict in flight finishes before
// the next starts), so pointer and slider moves are coalesced. While paused
// (off screen) a request still runs once, from a timeout.

import { frameScheduler } from "./decoder-frame.js";

/**
 * @param {() => Promise<void> | void} work one unit (e.g. decode and paint)
 * @param {() => boolean} isPaused
 */
export function workLoop(work, isPaused) {
  let dirty = false;
  let busy = false;
  let destroyed = false;
  let runs = 0;
  const waiters = [];
  const frames = frameScheduler(run);

  function run() {
    if (!dirty || busy || destroyed) {
      check();
      return;
    }
    dirty = false;
    busy = true;
    runs += 1;
    Promise.resolve()
      .then(work)
      .catch((error) => console.error("zoo figure: update failed", error))
      .finally(() => {
        busy = false;
        if (dirty) request();
        else check();
      });
  }

  function request() {
    if (!destroyed) frames.request(isPaused());
  }

  function check() {
    if ((dirty && !destroyed) || busy || frames.pending) return;
    for (const resolve of waiters.splice(0)) resolve();
  }

  return {
    /** Mark the work as needed and schedule it. */
    invalidate() {
      dirty = true;
      request();
    },
    /** Resolves once nothing is pending or running. */
    whenIdle() {
      return new Promise((resolve) => {
        waiters.push(resolve);
        request();
        check();
      });
    },
    get runs() {
      return runs;
    },
    pause() {
      frames.cancel();
      if (dirty) request(); // re-queued as a timeout: requested work still happens once
    },
    destroy() {
      destroyed = true;
      frames.cancel();
      for (const resolve of waiters.splice(0)) resolve();
    },
  };
}

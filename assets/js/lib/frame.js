// Frame timing for figures: a coalescing scheduler and a continuous animation,
// both tied to a figure's pause/resume/destroy (used through figure.js).

/** One frame callback at most: from requestAnimationFrame, or from a timeout while paused. */
function frameOnce(run) {
  let handle = 0;
  let isTimeout = false;
  const fire = () => {
    handle = 0;
    run();
  };
  return {
    request(paused) {
      if (handle) return;
      isTimeout = paused;
      handle = paused ? setTimeout(fire, 0) : requestAnimationFrame(fire);
    },
    cancel() {
      if (!handle) return;
      if (isTimeout) clearTimeout(handle);
      else cancelAnimationFrame(handle);
      handle = 0;
    },
    get pending() {
      return handle !== 0;
    },
  };
}

/**
 * See fig.scheduler in figure.js. @param {object} fig @param {() => (void|Promise<void>)} work
 */
export function scheduler(fig, work) {
  let dirty = false;
  let busy = false;
  let runs = 0;
  const waiters = [];
  const frames = frameOnce(run);

  function run() {
    if (!dirty || busy || fig.destroyed) {
      settle();
      return;
    }
    dirty = false;
    busy = true;
    runs += 1;
    Promise.resolve()
      .then(work)
      .catch((error) => console.error("figure: drawing failed", error))
      .finally(() => {
        busy = false;
        if (dirty) request();
        else settle();
      });
  }

  function request() {
    if (!fig.destroyed) frames.request(fig.paused);
  }

  function settle() {
    if ((dirty && !fig.destroyed) || busy || frames.pending) return;
    for (const resolve of waiters.splice(0)) resolve();
  }

  fig.onPause(() => {
    frames.cancel();
    if (dirty) request(); // re-queued as a timeout: requested work still happens once
  });
  fig.onResume(() => {
    if (dirty && !busy) {
      frames.cancel();
      request();
    }
  });
  fig.onDestroy(() => {
    frames.cancel();
    for (const resolve of waiters.splice(0)) resolve();
  });

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
        settle();
      });
    },
    /** How many times the work has run (for tests and benchmarks). */
    get runs() {
      return runs;
    },
  };
}

/**
 * See fig.animate in figure.js. @param {object} fig @param {(now: number, dt: number) => (boolean|void)} step
 */
export function animation(fig, step) {
  let running = false;
  let handle = 0;
  let last = 0;

  function frame(now) {
    handle = 0;
    if (!running || fig.paused || fig.destroyed) return;
    const dt = last ? now - last : 0;
    last = now;
    if (step(now, dt) === false) {
      running = false;
      return;
    }
    handle = requestAnimationFrame(frame);
  }

  function schedule() {
    if (!handle && running && !fig.paused && !fig.destroyed) {
      last = 0;
      handle = requestAnimationFrame(frame);
    }
  }

  function cancel() {
    if (handle) cancelAnimationFrame(handle);
    handle = 0;
  }

  fig.onPause(cancel);
  fig.onResume(schedule);
  fig.onDestroy(() => {
    running = false;
    cancel();
  });

  return {
    start() {
      running = true;
      schedule();
    },
    stop() {
      running = false;
      cancel();
    },
    get running() {
      return running;
    },
  };
}

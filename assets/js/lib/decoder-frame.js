// One callback per animation frame at most. While the figure is paused (off
// screen, where frames may never come) a request still runs once, from a
// timeout, so explicit requests (a test hook, a theme change) are not lost.

export function frameScheduler(run) {
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

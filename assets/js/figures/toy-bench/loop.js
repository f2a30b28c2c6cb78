// toy-bench's training loop. Training runs in short tasks (timeouts), not in
// animation frames, so a slow compositor never slows it and input is handled
// between tasks: each task takes steps for about BUDGET_MS. A snapshot (codes,
// trails, reconstructions and the losses since the last one) is read back once
// the previous one has reached the screen, so the views follow at the
// display's pace. Jobs (tasks, steps, resets, read-backs) run one at a time,
// in order. Training waits while the figure is paused (off screen).

const BUDGET_MS = 12; // training time per task, so input waits at most about this long
const MAX_STEPS_PER_TASK = 8; // a ceiling of a few hundred steps/s: fast, yet watchable
const MAX_PENDING = 64; // steps whose losses may wait for a read-back

/**
 * @param {ReturnType<import("../../lib/figure.js").createFigure>} fig
 * @param {object} options
 * @param {ReturnType<import("./trainer.js").createTrainer>} options.trainer
 * @param {number} options.pauseAt steps after which Play pauses by itself (0: never)
 * @param {(values: Float32Array, firstStep: number) => void} options.onSnapshot a read-back
 *   (trainer.unpack splits it) holding the losses of the steps from `firstStep` on
 * @param {() => void} options.onPlaying Play or Pause took effect
 * @param {() => void} options.onRunEnd Play paused by itself after `pauseAt` steps
 */
export function createLoop(fig, { trainer, pauseAt, onSnapshot, onPlaying, onRunEnd }) {
  let playing = false;
  let runEnd = Infinity;
  let timer = 0; // the next training task
  let drawn = true; // the last snapshot has reached the screen
  let lastRead = 0;
  let pending = []; // loss tensors of steps not yet read back
  let pendingFrom = 0; // the step count before the first of them
  let queue = Promise.resolve();
  let speedSamples = [];
  const screen = fig.scheduler(() => { drawn = true; }); // runs in the frame after a snapshot

  /** Run `job` after every job queued before it (training, resets and read-backs never interleave). */
  function exclusive(job) {
    const result = queue.then(() => (fig.destroyed ? undefined : job()));
    queue = result.catch((error) => { console.error("toy-bench:", error); });
    return result;
  }

  /** Read back a snapshot after `losses` (the per-step loss tensors since `firstStep`). */
  async function readBack(losses, firstStep) {
    const packed = trainer.snapshot(losses);
    const values = await packed.data();
    packed.dispose();
    if (!fig.destroyed) onSnapshot(values, firstStep);
  }

  function schedule() {
    if (!timer && playing && !fig.paused && !fig.destroyed) {
      timer = fig.timeout(() => { timer = 0; exclusive(task); });
    }
  }

  async function task() {
    if (!playing || fig.paused) return;
    const start = performance.now();
    if (!pending.length) pendingFrom = trainer.step;
    let k = 0;
    while (k < MAX_STEPS_PER_TASK && trainer.step < runEnd && (!k || performance.now() - start < BUDGET_MS)) {
      pending.push(trainer.trainStep());
      k += 1;
    }
    const done = trainer.step >= runEnd;
    if (drawn || done || start - lastRead > 250 || pending.length >= MAX_PENDING) {
      const losses = pending;
      pending = [];
      drawn = false;
      lastRead = performance.now();
      await readBack(losses, pendingFrom);
      if (fig.destroyed) return;
      screen.invalidate();
    }
    const now = performance.now();
    speedSamples.push([now, trainer.step]);
    while (speedSamples.length > 2 && now - speedSamples[0][0] > 1500) speedSamples.shift();
    if (done) {
      setPlaying(false);
      onRunEnd();
    }
    schedule();
  }

  /** Read back the steps taken since the last snapshot (after a pause, a reset...). */
  async function flush() {
    if (!pending.length) return;
    const losses = pending;
    pending = [];
    await readBack(losses, pendingFrom);
  }

  function setPlaying(on) {
    playing = on;
    if (on) {
      runEnd = pauseAt > 0 ? trainer.step + pauseAt : Infinity;
      speedSamples = [];
    } else if (timer) {
      fig.clearTimeout(timer);
      timer = 0;
    }
    onPlaying();
    schedule();
  }

  /**
   * Pause, then take exactly `n` steps and read back; with `chunkMs`, read back and
   * yield to the page whenever that long has passed. Resolves to the milliseconds taken.
   */
  function train(n, chunkMs = Infinity) {
    if (playing) setPlaying(false);
    return exclusive(async () => {
      await flush();
      const start = performance.now();
      let chunkStart = start, firstStep = trainer.step, losses = [];
      for (let k = 0; k < n; k += 1) {
        losses.push(trainer.trainStep());
        if (performance.now() - chunkStart > chunkMs && k < n - 1) {
          await readBack(losses, firstStep);
          await new Promise((resolve) => { setTimeout(resolve, 0); });
          if (fig.destroyed) return null;
          [losses, firstStep, chunkStart] = [[], trainer.step, performance.now()];
        }
      }
      await readBack(losses, firstStep);
      return performance.now() - start;
    });
  }

  fig.onPause(() => {
    if (timer) fig.clearTimeout(timer);
    timer = 0;
  });
  fig.onResume(() => {
    speedSamples = [];
    schedule();
  });
  fig.onDestroy(() => {
    playing = false;
    for (const loss of pending.splice(0)) loss.dispose();
    queue.finally(() => trainer.dispose());
  });

  return {
    exclusive,
    flush,
    readBack,
    train,
    setPlaying,
    get playing() { return playing; },
    /** A new run (Reset, a new shape...): a playing loop pauses after pauseAt more steps from step 0. */
    restart() {
      speedSamples = [];
      if (playing) runEnd = pauseAt > 0 ? pauseAt : Infinity;
    },
    stepsPerSecond() {
      if (speedSamples.length < 2) return 0;
      const [t0, s0] = speedSamples[0], [t1, s1] = speedSamples.at(-1);
      return t1 > t0 ? ((s1 - s0) * 1000) / (t1 - t0) : 0;
    },
  };
}

// Where the latent-layouts points are while the figure morphs from one layout
// to another: the layout drawn "from" (a layout, or a snapshot of the points
// where an interrupted morph left them), the layout drawn "to", the eased
// progress of the running morph, and the frame timing of the last one.

const MORPH_MS = 900;

const easeInOutCubic = (t) => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);
const mean = (values) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

/**
 * @param {{setSnapshot: (xy: Float32Array) => string}} renderer uploads the "from" positions of an interrupted morph
 * @param {Map<string, {xy: Float32Array}>} layouts
 * @param {string} initial the layout shown first
 */
export function createMorph(renderer, layouts, initial) {
  let target = initial;
  let fromKey = initial;
  let fromXY = layouts.get(initial).xy;
  let toXY = fromXY;
  let snapshot = null;
  let run = null; // {start, duration, viewFrom, viewTo, followView, frames: [], cpu: []}
  let last = null;

  function settle() {
    run = null;
    fromKey = target;
    fromXY = toXY;
  }

  return {
    /** The layout shown, or being morphed to. */
    get target() {
      return target;
    },
    /** The renderer's key of the positions morphed from. */
    get fromKey() {
      return fromKey;
    },
    /** The running morph ({start, duration, viewFrom, viewTo, followView, frames, cpu}), or null. */
    get run() {
      return run;
    },
    /** Frame timing of the last finished morph, or null. */
    get stats() {
      return last;
    },

    /** Eased progress of the running morph at `now` (1 when none runs). */
    eased(now = performance.now()) {
      if (!run) return 1;
      return easeInOutCubic(Math.min(1, (now - run.start) / run.duration));
    },

    /** Interleaved x, y positions morphed from and to: point i is at from + (to - from) * eased. */
    positions() {
      return { fromXY, toXY };
    },

    /** Data position of point i at eased progress e. */
    pointAt(i, e) {
      const x = fromXY[2 * i] + (toXY[2 * i] - fromXY[2 * i]) * e;
      const y = fromXY[2 * i + 1] + (toXY[2 * i + 1] - fromXY[2 * i + 1]) * e;
      return { x, y };
    },

    /**
     * Aim at layout `next`, from where the points are drawn at `now` (not from where
     * an interrupted morph was going). Returns the layout aimed at before.
     */
    retarget(next, now) {
      const e = this.eased(now);
      if (run && e < 1) {
        snapshot = snapshot && snapshot.length === fromXY.length ? snapshot : new Float32Array(fromXY.length);
        for (let k = 0; k < snapshot.length; k += 1) snapshot[k] = fromXY[k] + (toXY[k] - fromXY[k]) * e;
        fromKey = renderer.setSnapshot(snapshot);
        fromXY = snapshot;
      } else {
        fromKey = target;
        fromXY = toXY;
      }
      const previous = target;
      target = next;
      toXY = layouts.get(next).xy;
      return previous;
    },

    /** Morph towards the target from `now`, the camera moving from `viewFrom` to `viewTo`. */
    start(now, viewFrom, viewTo) {
      run = { start: now, duration: MORPH_MS, viewFrom, viewTo, followView: true, frames: [], cpu: [] };
    },

    /** Show the target at once. */
    jump() {
      settle();
    },

    /** The running morph's eased progress for a frame drawn at `now` (recorded); null when none runs. */
    frame(now) {
      if (!run) return null;
      const p = Math.min(1, (now - run.start) / run.duration);
      run.frames.push(now);
      return { e: easeInOutCubic(p), done: p >= 1 };
    },

    /** End the running morph and keep its frame timing. */
    finish() {
      const { frames, cpu } = run;
      const gaps = frames.slice(1).map((t, k) => t - frames[k]);
      last = {
        frames: frames.length,
        meanFrameMs: mean(gaps),
        maxFrameMs: gaps.length ? Math.max(...gaps) : 0,
        meanDrawCpuMs: mean(cpu),
      };
      settle();
    },
  };
}

// The figure kit: what every figure uses, written once.
//
//   import { createFigure, h, fetchBytes } from "../../lib/figure.js";
//
//   export async function mount(el, config) {
//     const fig = createFigure(el, config);
//     const canvas = fig.add(h("canvas", { class: "my-kind__plot", tabindex: 0 }));
//     const draw = fig.scheduler(() => paint(canvas));   // at most once per frame
//     fig.on(canvas, "pointermove", () => draw.invalidate());
//     fig.observeResize(canvas, () => draw.invalidate());
//     fig.onDestroy(() => model.dispose());
//     draw.invalidate();
//     return fig;                                          // the runtime's {pause, resume, destroy}
//   }
//
// A figure registers its listeners, observers, timers, loops, workers and nodes
// with its `fig`; `fig.destroy()` (called by the runtime when the figure leaves
// the page, e.g. on live reload) undoes all of them, in reverse order. While
// the figure is paused (off screen, tab hidden) loops stop and schedulers run
// an explicit request at most once, from a timeout, so nothing is lost.
// Styles: one `style.css` per kind, beside its `index.js`, linked by the page.

import { animation, scheduler } from "./frame.js";

export { fetchBytes, fetchImage, fetchJSON, h } from "./dom.js";

/**
 * The lifecycle of one mounted figure. `mount()` returns it: it is the
 * runtime's handle ({pause, resume, destroy}).
 * @param {HTMLElement} el the <figure> element
 * @param {object} [config] the figure's config (from the runtime)
 */
export function createFigure(el, config = {}) {
  const controller = new AbortController();
  const cleanups = []; // run in reverse on destroy
  const pauseHooks = [];
  const resumeHooks = [];
  const timers = new Set();
  let paused = false;
  let destroyed = false;

  function onDestroy(fn) {
    if (destroyed) fn();
    else cleanups.push(fn);
    return fn;
  }

  const fig = {
    el,
    config,
    /** Aborted when the figure is destroyed: pass it to fetch() and addEventListener(). */
    signal: controller.signal,
    get paused() {
      return paused;
    },
    get destroyed() {
      return destroyed;
    },
    /** True when the reader asked for reduced motion. */
    get reducedMotion() {
      return Boolean(config.reducedMotion) || matchMedia("(prefers-reduced-motion: reduce)").matches;
    },
    /** Where the live figure goes: the template's .figure-live, else the figure itself. */
    live: el.querySelector(".figure-live") || el,

    /** addEventListener, removed on destroy. */
    on(target, type, listener, options = {}) {
      const flags = typeof options === "boolean" ? { capture: options } : options;
      target.addEventListener(type, listener, { ...flags, signal: controller.signal });
    },

    /** Call `callback(entry)` when `target` changes size; disconnected on destroy. */
    observeResize(target, callback) {
      const observer = new ResizeObserver((entries) => {
        if (!destroyed) for (const entry of entries) callback(entry);
      });
      observer.observe(target);
      onDestroy(() => observer.disconnect());
      return observer;
    },

    /** Append `node` (to fig.live by default); removed on destroy. */
    add(node, parent = fig.live) {
      parent.append(node);
      onDestroy(() => node.remove());
      return node;
    },

    /** setTimeout, cleared on destroy. */
    timeout(fn, ms = 0) {
      const id = setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      timers.add(id);
      return id;
    },

    /** clearTimeout for an id from fig.timeout. */
    clearTimeout(id) {
      clearTimeout(id);
      timers.delete(id);
    },

    /** A module Worker, terminated on destroy. */
    worker(url, options = {}) {
      const worker = new Worker(url, { type: "module", ...options });
      onDestroy(() => worker.terminate());
      return worker;
    },

    /** Publish a test and tool interface as el.__figure; removed on destroy. */
    expose(api) {
      el.__figure = api;
      onDestroy(() => {
        if (el.__figure === api) delete el.__figure;
      });
      return api;
    },

    onPause(fn) {
      pauseHooks.push(fn);
    },
    onResume(fn) {
      resumeHooks.push(fn);
    },
    onDestroy,

    /**
     * Run `work` (sync or async) when invalidated: at most once per animation frame,
     * never two runs at once (a run in flight finishes before the next starts),
     * so pointer moves and slider drags coalesce. While paused, a request runs once from a timeout.
     * @param {() => (void|Promise<void>)} work
     */
    scheduler(work) {
      return scheduler(fig, work);
    },

    /**
     * A continuous animation: `step(now, dt)` every frame while started and not paused;
     * it stops itself when `step` returns false. Stopped on destroy.
     * @param {(now: number, dt: number) => (boolean|void)} step
     */
    animate(step) {
      return animation(fig, step);
    },

    pause() {
      if (paused || destroyed) return;
      paused = true;
      for (const fn of pauseHooks) fn();
    },
    resume() {
      if (!paused || destroyed) return;
      paused = false;
      for (const fn of resumeHooks) fn();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      controller.abort();
      for (const id of timers) clearTimeout(id);
      timers.clear();
      for (const fn of cleanups.splice(0).reverse()) {
        try {
          fn();
        } catch (error) {
          console.error("figure: a clean-up step failed", error);
        }
      }
    },
  };
  // The runtime destroys a figure whose mount() throws part-way, so a failed mount leaves nothing running.
  Object.defineProperty(el, "__explorablesFigure", { value: fig, configurable: true });
  onDestroy(() => {
    if (el.__explorablesFigure === fig) delete el.__explorablesFigure;
  });
  return fig;
}

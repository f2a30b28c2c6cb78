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

/**
 * An element: `h("button", { class: "x", type: "button", text: "Go", dataset: { k: "v" } }, child, "text")`.
 * Attributes named `class`, `text`, `html` (trusted strings only), `style` (an object) and `dataset`
 * are set as properties; `false`, `null` and `undefined` values are left out; every other key is an attribute.
 * @param {string} tag a tag name; "svg:circle" makes an SVG element
 * @param {Record<string, any>} [attrs]
 * @param {...(Node|string|null|undefined|false)} children
 * @returns {HTMLElement & SVGElement}
 */
export function h(tag, attrs = {}, ...children) {
  const node = tag.startsWith("svg:")
    ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.setAttribute("class", value);
    else if (name === "text") node.textContent = value;
    else if (name === "html") node.innerHTML = value;
    else if (name === "style") Object.assign(node.style, value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

function fileName(url) {
  return String(url).split("?")[0].split("/").pop() || String(url);
}

/**
 * Fetch a file of the figure's payload as bytes. Errors name the file and say
 * what went wrong (offline, or the HTTP status), short enough for the figure's status line.
 * @param {string|URL} url absolute, or relative to `base`
 * @param {{base?: string, signal?: AbortSignal}} [options]
 * @returns {Promise<ArrayBuffer>}
 */
export async function fetchBytes(url, { base, signal } = {}) {
  const response = await fetchFile(url, { base, signal });
  return response.arrayBuffer();
}

/** Like fetchBytes, for a JSON file. @returns {Promise<any>} */
export async function fetchJSON(url, { base, signal } = {}) {
  const response = await fetchFile(url, { base, signal });
  try {
    return await response.json();
  } catch (error) {
    throw new Error(`${fileName(url)} is not valid JSON`, { cause: error });
  }
}

async function fetchFile(url, { base, signal }) {
  const href = base ? new URL(url, base).href : String(url);
  let response;
  try {
    response = await fetch(href, { credentials: "same-origin", signal });
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new Error(`${fileName(url)} could not be fetched`, { cause: error });
  }
  if (!response.ok) throw new Error(`${fileName(url)}: HTTP ${response.status}`);
  return response;
}

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
      target.addEventListener(type, listener, { ...options, signal: controller.signal });
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
  return fig;
}

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

function scheduler(fig, work) {
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

function animation(fig, step) {
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

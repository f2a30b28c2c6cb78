// Figure runtime: mounts each [data-figure] the first time it nears the
// viewport, pauses it while off screen or while the tab is hidden, destroys it
// when it leaves the page (live reload, a script removing it), and turns any
// failure into a visible message beside the static fallback image.
// No dependencies; the only global is window.__explorables (for tests).

const MOUNT_MARGIN = "300px 0px";
const LOADING_TEXT = "Loading the interactive figure…";
const REASON_MAX_CHARS = 80;

const records = new Map(); // figure element -> record
const figures = {}; // id -> {kind, state, mountedAt, paused}; read by tests
const waiters = new Map(); // id -> resolve callbacks waiting for a settled state
const SETTLED = new Set(["ready", "error", "removed"]);

const mountObserver = supportsObserver()
  ? new IntersectionObserver(onNearViewport, { rootMargin: MOUNT_MARGIN })
  : null;
const visibleObserver = supportsObserver()
  ? new IntersectionObserver(onVisibilityChange)
  : null;

function supportsObserver() {
  return typeof IntersectionObserver === "function";
}

function statusOf(el) {
  return el.querySelector(".figure-status");
}

function setStatus(el, text) {
  const status = statusOf(el);
  if (status) status.textContent = text;
}

function setState(record, state) {
  record.state = state;
  record.el.dataset.state = state;
  figures[record.id].state = state;
  if (SETTLED.has(state)) {
    for (const resolve of waiters.get(record.id) || []) resolve(state);
    waiters.delete(record.id);
  }
}

function setPaused(record, paused) {
  if (record.state !== "ready" || record.paused === paused) return;
  record.paused = paused;
  figures[record.id].paused = paused;
  callHandle(record, paused ? "pause" : "resume");
}

function callHandle(record, method) {
  const handle = record.handle;
  if (handle && typeof handle[method] === "function") {
    try {
      handle[method]();
    } catch (error) {
      console.error(`Figure #${record.id}: ${method}() failed`, error);
    }
  }
}

// A mount() that threw part-way may have started loops or workers through the figure kit: stop them.
function destroyPartial(el, record) {
  const partial = el.__explorablesFigure;
  if (!partial || typeof partial.destroy !== "function") return;
  try {
    partial.destroy();
  } catch (error) {
    console.error(`Figure #${record.id}: destroy() after a failed mount failed`, error);
  }
}

// A figure taken off the page is destroyed: its loops, listeners, workers and models are released.
function unmount(record) {
  if (record.removed) return;
  record.removed = true;
  records.delete(record.el);
  if (mountObserver) {
    mountObserver.unobserve(record.el);
    visibleObserver.unobserve(record.el);
  }
  if (record.state === "ready") callHandle(record, "destroy");
  record.handle = null;
  setState(record, "removed"); // a mount still loading destroys what it made when it settles
}

function onRemoved(mutations) {
  for (const mutation of mutations) {
    for (const node of mutation.removedNodes) {
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      for (const record of [...records.values()]) {
        if ((node === record.el || node.contains(record.el)) && !record.el.isConnected) unmount(record);
      }
    }
  }
}

// A short, human reason for the message under the figure; details go to the console.
function shortReason(error) {
  const text = String((error && error.reason) || (error && error.message) || error);
  return text.length > REASON_MAX_CHARS ? `${text.slice(0, REASON_MAX_CHARS - 1)}…` : text;
}

function failure(reason, cause) {
  const error = new Error(reason, { cause });
  error.reason = reason;
  return error;
}

async function loadConfig(url) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin" });
  } catch (error) {
    throw failure("its settings could not be fetched", error);
  }
  if (!response.ok) throw failure(`settings file: HTTP ${response.status}`);
  try {
    return await response.json();
  } catch (error) {
    throw failure("its settings file is not valid JSON", error);
  }
}

async function loadModule(url) {
  let mod;
  try {
    mod = await import(url);
  } catch (error) {
    throw failure("its script failed to load", error);
  }
  if (typeof mod.mount !== "function") throw failure("its script has no mount()");
  return mod;
}

async function mount(record) {
  const { el } = record;
  setState(record, "loading");
  setStatus(el, LOADING_TEXT);
  try {
    const configUrl = new URL(el.dataset.config, document.baseURI);
    const moduleUrl = new URL(el.dataset.module, document.baseURI);
    const [config, mod] = await Promise.all([loadConfig(configUrl), loadModule(moduleUrl.href)]);
    config.base = new URL(".", configUrl).href;
    config.reducedMotion = matchMedia("(prefers-reduced-motion: reduce)").matches;
    config.id = record.id;
    setStatus(el, "");
    record.handle = (await mod.mount(el, config)) || null;
  } catch (error) {
    destroyPartial(el, record);
    if (record.removed) return;
    setState(record, "error");
    setStatus(el, `This interactive figure could not load (${shortReason(error)}). ` +
      "The image above shows it as built.");
    console.error(`Figure #${record.id} (${record.kind}) could not load:`, error);
    return;
  }
  if (record.removed) {
    callHandle(record, "destroy");
    return;
  }
  record.mountedAt = figures[record.id].mountedAt = performance.now();
  el.classList.add("is-live");
  setState(record, "ready");
  el.dispatchEvent(new CustomEvent("figure:ready", { bubbles: true, detail: { id: record.id } }));
  if (!record.visible || document.hidden) setPaused(record, true);
}

function onNearViewport(entries) {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    mountObserver.unobserve(entry.target);
    mount(records.get(entry.target));
  }
}

function onVisibilityChange(entries) {
  for (const entry of entries) {
    const record = records.get(entry.target);
    record.visible = entry.isIntersecting;
    setPaused(record, !record.visible || document.hidden);
  }
}

function onDocumentVisibility() {
  for (const record of records.values()) {
    setPaused(record, document.hidden || !record.visible);
  }
}

function register(el, index) {
  if (!el.id) el.id = `figure-${index + 1}`;
  const record = {
    el,
    removed: false,
    id: el.id,
    kind: el.dataset.figure,
    state: "idle",
    handle: null,
    mountedAt: null,
    paused: false,
    visible: !visibleObserver, // without observers, treat every figure as on screen
  };
  records.set(el, record);
  figures[record.id] = { kind: record.kind, state: "idle", mountedAt: null, paused: false };
  if (mountObserver) {
    mountObserver.observe(el);
    visibleObserver.observe(el);
  } else {
    mount(record);
  }
}

/** Resolves with "ready", "error" or "removed" once figure `id` has settled. */
function whenReady(id) {
  const figure = figures[id];
  if (!figure) return Promise.reject(new Error(`No figure with id "${id}" on this page.`));
  if (SETTLED.has(figure.state)) return Promise.resolve(figure.state);
  return new Promise((resolve) => {
    waiters.set(id, [...(waiters.get(id) || []), resolve]);
  });
}

function start() {
  document.querySelectorAll("[data-figure]").forEach(register);
  document.addEventListener("visibilitychange", onDocumentVisibility);
  new MutationObserver(onRemoved).observe(document.body, { childList: true, subtree: true });
  // Leaving the page for good (a reload, live reload, a link) stops workers and frees models at once;
  // a page kept in the back/forward cache keeps its figures.
  window.addEventListener("pagehide", (event) => {
    if (!event.persisted) for (const record of [...records.values()]) unmount(record);
  });
}

window.__explorables = { figures, whenReady };

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}

// Just enough of a browser for unit tests of the front end's pure helpers under
// Node: animation frames the test steps by hand, a tiny DOM, and stubs for the
// observers and media queries the figure kit touches. Each install* function
// sets globals and returns what the test drives; restore() puts the old ones back.

const saved = new Map();

function setGlobal(name, value) {
  if (!saved.has(name)) saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
}

/** Put back every global an install* function replaced. */
export function restore() {
  for (const [name, descriptor] of saved) {
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else delete globalThis[name];
  }
  saved.clear();
}

/** Let pending promise callbacks (and zero-delay timers queued before them) run. */
export function settle() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * requestAnimationFrame that only fires when the test calls `frame()`.
 * @returns {{frame: (now?: number) => Promise<void>, pending: () => number}}
 */
export function installFrames() {
  const queue = new Map();
  let nextId = 1;
  let clock = 0;
  setGlobal("requestAnimationFrame", (callback) => {
    const id = nextId++;
    queue.set(id, callback);
    return id;
  });
  setGlobal("cancelAnimationFrame", (id) => queue.delete(id));
  return {
    /** Run the callbacks queued before this frame, then let their promises settle. */
    async frame(now = (clock += 16)) {
      const callbacks = [...queue.values()];
      queue.clear();
      for (const callback of callbacks) callback(now);
      await settle();
    },
    pending: () => queue.size,
  };
}

class FakeNode {
  constructor(tag, namespace = null) {
    this.tagName = tag.toUpperCase();
    this.namespaceURI = namespace;
    this.attributes = {};
    this.children = [];
    this.parent = null;
    this.style = {};
    this.dataset = {};
    this.textContent = "";
    this.innerHTML = "";
  }

  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }

  getAttribute(name) {
    return name in this.attributes ? this.attributes[name] : null;
  }

  append(...nodes) {
    for (const node of nodes) {
      if (node instanceof FakeNode) node.parent = this;
      this.children.push(node);
    }
  }

  remove() {
    if (!this.parent) return;
    this.parent.children = this.parent.children.filter((child) => child !== this);
    this.parent = null;
  }

  querySelector() {
    return null;
  }
}

/** A document whose elements record their attributes, children and namespace. */
export function installDocument() {
  const document = {
    createElement: (tag) => new FakeNode(tag),
    createElementNS: (namespace, tag) => new FakeNode(tag, namespace),
  };
  setGlobal("document", document);
  return { document, element: (tag) => new FakeNode(tag) };
}

/** ResizeObserver, Worker and matchMedia stubs that count what the kit asked of them. */
export function installPlatform({ reducedMotion = false } = {}) {
  const made = { observers: [], workers: [] };
  setGlobal("ResizeObserver", class {
    constructor(callback) {
      this.callback = callback;
      this.targets = [];
      this.disconnected = false;
      made.observers.push(this);
    }

    observe(target) {
      this.targets.push(target);
    }

    disconnect() {
      this.disconnected = true;
    }
  });
  setGlobal("Worker", class {
    constructor(url, options) {
      this.url = url;
      this.options = options;
      this.terminated = false;
      made.workers.push(this);
    }

    terminate() {
      this.terminated = true;
    }
  });
  setGlobal("matchMedia", (query) => ({
    matches: query.includes("reduced-motion") && reducedMotion,
    addEventListener() {},
  }));
  return made;
}

/**
 * fetch() answering from `files` ({url: body string | {status}}); anything else is a network error.
 * @returns {string[]} the URLs fetched, in order
 */
export function installFetch(files) {
  const requested = [];
  setGlobal("fetch", async (url, options = {}) => {
    requested.push(String(url));
    if (options.signal && options.signal.aborted) throw new DOMException("aborted", "AbortError");
    const entry = files[String(url)];
    if (entry === undefined) throw new TypeError("Failed to fetch");
    if (typeof entry === "object") return new Response("", { status: entry.status });
    return new Response(entry, { status: 200 });
  });
  return requested;
}

/** A stand-in for a figure's <figure> element: its .figure-live and .figure-status. */
export function figureElement() {
  const live = new FakeNode("div");
  const status = new FakeNode("p");
  const el = new FakeNode("figure");
  el.querySelector = (selector) => ({ ".figure-live": live, ".figure-status": status })[selector] || null;
  return { el, live, status };
}

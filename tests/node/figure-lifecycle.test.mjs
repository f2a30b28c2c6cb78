// The figure kit's lifecycle (lib/figure.js: createFigure): what a figure registers
// is undone on destroy, pause and resume reach its hooks, and the helpers h(),
// fetchBytes() and fetchJSON() behave as documented.
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";

import { createFigure, fetchBytes, fetchJSON, h } from "../../assets/js/lib/figure.js";
import {
  figureElement, installDocument, installFetch, installFrames, installPlatform, restore, settle,
} from "./fake-browser.mjs";

afterEach(restore);

test("destroy removes listeners, nodes, observers, workers, timers and the exposed API, in reverse order", async () => {
  installFrames();
  const made = installPlatform();
  const { document } = installDocument();
  const { el, live } = figureElement();
  const fig = createFigure(el, {});

  const target = new EventTarget();
  let clicks = 0;
  fig.on(target, "click", () => {
    clicks += 1;
  });
  const node = fig.add(document.createElement("canvas"));
  fig.observeResize(node, () => {});
  fig.worker("worker.js");
  let fired = false;
  fig.timeout(() => {
    fired = true;
  }, 0);
  const api = fig.expose({ answer: 42 });
  const order = [];
  fig.onDestroy(() => order.push("first"));
  fig.onDestroy(() => order.push("second"));

  target.dispatchEvent(new Event("click"));
  assert.equal(clicks, 1);
  assert.deepEqual(live.children, [node]);
  assert.equal(el.__figure, api);
  assert.equal(made.workers[0].options.type, "module");

  fig.destroy();
  await settle();
  target.dispatchEvent(new Event("click"));
  assert.equal(clicks, 1, "listener removed");
  assert.deepEqual(live.children, [], "node removed");
  assert.equal(made.observers[0].disconnected, true);
  assert.equal(made.workers[0].terminated, true);
  assert.equal(fired, false, "timer cleared");
  assert.equal("__figure" in el, false);
  assert.deepEqual(order, ["second", "first"]);
  assert.equal(fig.signal.aborted, true);
  assert.equal(fig.destroyed, true);
});

test("a failing clean-up step is reported and the others still run; destroy runs once", () => {
  installPlatform();
  const errors = [];
  const original = console.error;
  console.error = (...args) => errors.push(args);
  try {
    const fig = createFigure(figureElement().el);
    let ran = 0;
    fig.onDestroy(() => {
      ran += 1;
    });
    fig.onDestroy(() => {
      throw new Error("broken");
    });
    fig.destroy();
    fig.destroy();
    assert.equal(ran, 1);
    assert.equal(errors.length, 1);
    let late = false;
    fig.onDestroy(() => {
      late = true;
    });
    assert.equal(late, true, "registered after destroy: runs at once");
  } finally {
    console.error = original;
  }
});

test("pause and resume reach the hooks once each, and never after destroy", () => {
  installPlatform();
  const fig = createFigure(figureElement().el);
  const calls = [];
  fig.onPause(() => calls.push("pause"));
  fig.onResume(() => calls.push("resume"));
  fig.resume();
  fig.pause();
  fig.pause();
  assert.equal(fig.paused, true);
  fig.resume();
  fig.resume();
  fig.destroy();
  fig.pause();
  assert.deepEqual(calls, ["pause", "resume"]);
});

test("reducedMotion follows the config or the reader's setting", () => {
  installPlatform({ reducedMotion: false });
  assert.equal(createFigure(figureElement().el, {}).reducedMotion, false);
  assert.equal(createFigure(figureElement().el, { reducedMotion: true }).reducedMotion, true);
  installPlatform({ reducedMotion: true });
  assert.equal(createFigure(figureElement().el, {}).reducedMotion, true);
});

test("h() sets properties, attributes and children, leaving out false, null and undefined", () => {
  installDocument();
  const child = h("span", { text: "x" });
  const node = h("button", {
    class: "a b", type: "button", disabled: true, hidden: false, title: null, tabindex: 0,
    style: { width: "3px" }, dataset: { kind: "demo" }, "aria-label": "Go",
  }, child, "text", null, false, [h("i")]);
  assert.equal(node.tagName, "BUTTON");
  assert.deepEqual(node.attributes, { class: "a b", type: "button", disabled: "", tabindex: "0", "aria-label": "Go" });
  assert.equal(node.style.width, "3px");
  assert.equal(node.dataset.kind, "demo");
  assert.equal(node.children.length, 3);
  assert.equal(node.children[0], child);
  assert.equal(node.children[1], "text");
  assert.equal(child.textContent, "x");
  const circle = h("svg:circle", { r: 2 });
  assert.equal(circle.namespaceURI, "http://www.w3.org/2000/svg");
  assert.equal(circle.tagName, "CIRCLE");
  assert.equal(h("div", { html: "<b>x</b>" }).innerHTML, "<b>x</b>");
});

test("fetchBytes and fetchJSON resolve against base and return the body", async () => {
  const requested = installFetch({
    "http://site/figures/f/codes.bin": "\u0001\u0002\u0003",
    "http://site/figures/f/config.json": '{"a": 1}',
  });
  const bytes = await fetchBytes("codes.bin", { base: "http://site/figures/f/" });
  assert.deepEqual([...new Uint8Array(bytes)], [1, 2, 3]);
  assert.deepEqual(await fetchJSON("http://site/figures/f/config.json"), { a: 1 });
  assert.deepEqual(requested, ["http://site/figures/f/codes.bin", "http://site/figures/f/config.json"]);
});

test("fetch errors name the file and say what went wrong, briefly", async () => {
  installFetch({ "http://site/gone.bin?v=2": { status: 404 }, "http://site/bad.json": "{not json" });
  await assert.rejects(fetchBytes("http://site/gone.bin?v=2"), { message: "gone.bin: HTTP 404" });
  await assert.rejects(fetchBytes("http://site/offline.bin"), { message: "offline.bin could not be fetched" });
  await assert.rejects(fetchJSON("http://site/bad.json"), { message: "bad.json is not valid JSON" });
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(fetchBytes("http://site/gone.bin", { signal: controller.signal }), { name: "AbortError" });
});

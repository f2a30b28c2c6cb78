// Small shared helpers with a little logic: theme colours (lib/theme.js), the
// figure's live region (lib/announce.js) and high-density canvases (lib/hidpi-canvas.js).
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";

import { announcer } from "../../assets/js/lib/announce.js";
import { fitCanvas } from "../../assets/js/lib/hidpi-canvas.js";
import { readTheme } from "../../assets/js/lib/theme.js";
import { figureElement } from "./fake-browser.mjs";

const saved = {};
function stub(name, value) {
  if (!(name in saved)) saved[name] = Object.getOwnPropertyDescriptor(globalThis, name);
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
}
afterEach(() => {
  for (const [name, descriptor] of Object.entries(saved)) {
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else delete globalThis[name];
    delete saved[name];
  }
});

test("readTheme reads the page's colour tokens and falls back for missing ones", () => {
  const tokens = { "--fg": " #eeeeee ", "--accent": "rebeccapurple" };
  stub("getComputedStyle", () => ({ getPropertyValue: (name) => tokens[name] || "" }));
  const theme = readTheme({});
  assert.equal(theme.fg, "#eeeeee");
  assert.equal(theme.accent, "rebeccapurple");
  assert.deepEqual(Object.keys(theme).sort(), ["accent", "bg", "border", "fg", "muted"]);
  for (const name of ["bg", "border", "muted"]) assert.match(theme[name], /^#[0-9a-f]{6}$/);
});

test("announcer writes to the figure's status and does not repeat itself", () => {
  const { el, status } = figureElement();
  let writes = 0;
  let text = "";
  Object.defineProperty(status, "textContent", {
    get: () => text,
    set: (value) => {
      writes += 1;
      text = value;
    },
  });
  const say = announcer(el);
  say("Point 3 of 10");
  say("Point 3 of 10");
  say("Point 4 of 10");
  assert.equal(text, "Point 4 of 10");
  assert.equal(writes, 2);
  const { el: bare } = figureElement();
  bare.querySelector = () => null;
  announcer(bare)("ignored"); // a figure without a live region: a no-op, not an error
});

test("fitCanvas scales the backing store by devicePixelRatio and draws in CSS pixels", () => {
  stub("window", { devicePixelRatio: 2 });
  const calls = [];
  const ctx = { setTransform: (...args) => calls.push(args), imageSmoothingEnabled: true };
  const canvas = { width: 300, height: 150, style: {}, getContext: () => ctx };
  const fitted = fitCanvas(canvas, 200.4, 100);
  assert.equal(fitted.ratio, 2);
  assert.equal(fitted.ctx, ctx);
  assert.equal(canvas.width, 401);
  assert.equal(canvas.height, 200);
  assert.equal(canvas.style.width, "200.4px");
  assert.deepEqual(calls, [[2, 0, 0, 2, 0, 0]]);
  assert.equal(ctx.imageSmoothingEnabled, false);
  stub("window", {});
  fitCanvas(canvas, 0, 0);
  assert.equal(canvas.width, 1, "never a zero-sized backing store");
});

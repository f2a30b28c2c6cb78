// The figure kit's frame timing (lib/figure.js: fig.scheduler and fig.animate),
// with animation frames the test steps by hand.
import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";

import { createFigure } from "../../assets/js/lib/figure.js";
import { figureElement, installFrames, installPlatform, restore, settle } from "./fake-browser.mjs";

let frames;
let fig;

beforeEach(() => {
  frames = installFrames();
  installPlatform();
  fig = createFigure(figureElement().el, {});
});

afterEach(() => {
  fig.destroy();
  restore();
});

function deferred() {
  let resolve;
  const promise = new Promise((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

test("requests within one frame coalesce into one run, on the next frame", async () => {
  let runs = 0;
  const draw = fig.scheduler(() => {
    runs += 1;
  });
  draw.invalidate();
  draw.invalidate();
  draw.invalidate();
  await settle();
  assert.equal(runs, 0, "nothing runs before the frame");
  await frames.frame();
  assert.equal(runs, 1);
  assert.equal(draw.runs, 1);
  await frames.frame();
  assert.equal(runs, 1, "no request, no run");
});

test("a run in flight finishes before the next starts; requests made meanwhile run once after it", async () => {
  const gates = [];
  let active = 0;
  let most = 0;
  const draw = fig.scheduler(async () => {
    active += 1;
    most = Math.max(most, active);
    const gate = deferred();
    gates.push(gate);
    await gate.promise;
    active -= 1;
  });
  draw.invalidate();
  await frames.frame();
  assert.equal(gates.length, 1);
  draw.invalidate();
  draw.invalidate();
  await frames.frame();
  assert.equal(gates.length, 1, "no second run while the first is in flight");
  gates[0].resolve();
  await settle();
  await frames.frame();
  assert.equal(gates.length, 2, "the requests made meanwhile run once, on a later frame");
  gates[1].resolve();
  await settle();
  await frames.frame();
  assert.equal(draw.runs, 2);
  assert.equal(most, 1);
});

test("while paused a request runs once from a timeout, without frames", async () => {
  const draw = fig.scheduler(() => {});
  fig.pause();
  draw.invalidate();
  draw.invalidate();
  assert.equal(frames.pending(), 0, "no animation frame is requested while paused");
  await settle();
  await settle();
  assert.equal(draw.runs, 1);
});

test("pausing with a frame pending re-queues the request as a timeout: nothing requested is lost", async () => {
  const draw = fig.scheduler(() => {});
  draw.invalidate();
  fig.pause();
  assert.equal(frames.pending(), 0);
  await settle();
  await settle();
  assert.equal(draw.runs, 1);
  fig.resume();
  draw.invalidate();
  await frames.frame();
  assert.equal(draw.runs, 2, "after resume, frames drive it again");
});

test("whenIdle resolves once nothing is pending or running", async () => {
  const gate = deferred();
  const draw = fig.scheduler(() => gate.promise);
  draw.invalidate();
  let idle = false;
  draw.whenIdle().then(() => {
    idle = true;
  });
  await frames.frame();
  assert.equal(idle, false, "the run is still in flight");
  gate.resolve();
  await settle();
  await frames.frame();
  assert.equal(idle, true);
});

test("a failing run is reported and the scheduler keeps working", async () => {
  const errors = [];
  const original = console.error;
  console.error = (...args) => errors.push(args);
  try {
    let calls = 0;
    const draw = fig.scheduler(() => {
      calls += 1;
      if (calls === 1) throw new Error("boom");
    });
    draw.invalidate();
    await frames.frame();
    draw.invalidate();
    await frames.frame();
    assert.equal(calls, 2);
    assert.equal(errors.length, 1);
  } finally {
    console.error = original;
  }
});

test("destroy cancels pending work and releases whenIdle waiters", async () => {
  const draw = fig.scheduler(() => {});
  draw.invalidate();
  const idle = draw.whenIdle();
  fig.destroy();
  await idle;
  await frames.frame();
  assert.equal(draw.runs, 0);
  draw.invalidate();
  await frames.frame();
  assert.equal(draw.runs, 0, "a destroyed figure schedules nothing");
});

test("animate steps every frame with the time since the last, and stops when step returns false", async () => {
  const seen = [];
  const loop = fig.animate((now, dt) => {
    seen.push(dt);
    return seen.length < 3;
  });
  assert.equal(loop.running, false);
  loop.start();
  assert.equal(loop.running, true);
  await frames.frame(100);
  await frames.frame(116);
  await frames.frame(140);
  await frames.frame(160);
  assert.deepEqual(seen, [0, 16, 24]);
  assert.equal(loop.running, false);
  assert.equal(frames.pending(), 0);
});

test("animate stops while paused and restarts on resume without a jump in dt", async () => {
  const seen = [];
  const loop = fig.animate((now, dt) => {
    seen.push(dt);
  });
  loop.start();
  await frames.frame(100);
  await frames.frame(110);
  fig.pause();
  assert.equal(frames.pending(), 0);
  fig.resume();
  await frames.frame(5000);
  await frames.frame(5016);
  assert.deepEqual(seen, [0, 10, 0, 16]);
  loop.stop();
  assert.equal(frames.pending(), 0);
  fig.destroy();
  loop.start();
  assert.equal(frames.pending(), 0, "a destroyed figure animates nothing");
});

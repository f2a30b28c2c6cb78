// The numbers behind the zoo-curves chart (figures/zoo-curves/series.js): the loss axis, the
// losses at an epoch, the read-out's sentences and the legend's labels.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  describeEpoch, drawable, epochCount, fmt, legendLabel, logTicks, lossesAt, nearestAt, notesLine, rowsAt, validate,
  yDomain,
} from "../../assets/js/figures/zoo-curves/series.js";

/** A seeded stream of numbers in [0, 1) (Park–Miller), so failures reproduce. */
function random(seed = 1) {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

const ae = { key: "ae", short: "AE", title: "Dense autoencoder", train: [0.3, 0.2, 0.15], val: [0.31, 0.22, 0.18] };
const vae = { key: "vae", short: "VAE", title: "Variational autoencoder", note: "reconstruction term only",
  train: [0.4, 0.3], val: [0.41, 0.33] };

test("fmt shows four decimals, three significant digits below 0.01, a dash when missing", () => {
  assert.equal(fmt(0.12345), "0.1235");
  assert.equal(fmt(0.01), "0.0100");
  assert.equal(fmt(0.001234), "0.00123");
  for (const v of [null, undefined, Number.NaN, Infinity]) assert.equal(fmt(v), "\u2013");
});

test("drawable: only finite positive losses go on a log axis", () => {
  assert.deepEqual([0.1, 0, -1, Number.NaN, Infinity, null].map(drawable), [true, false, false, false, false, false]);
});

test("validate wants one entry per model, each with train and val arrays", () => {
  assert.equal(validate({ series: [ae] })[0], ae);
  assert.throws(() => validate({}), /needs config.series/);
  assert.throws(() => validate({ series: [] }), /needs config.series/);
  assert.throws(() => validate({ series: [ae, { key: "x", train: [] }] }), { message: "zoo-curves series x needs train and val arrays" });
});

test("epochCount is the longest run, at least 1", () => {
  assert.equal(epochCount([ae, vae]), 3);
  assert.equal(epochCount([{ train: [], val: [] }]), 1);
  assert.equal(epochCount([{ train: [1], val: [1, 2, 3, 4] }]), 4);
});

test("yDomain: every shown loss inside, with room; a log axis spans a ratio of at least 1.2", () => {
  const next = random(4);
  for (let trial = 0; trial < 200; trial++) {
    const scale = 10 ** (next() * 4 - 3);
    const make = () => Array.from({ length: 1 + Math.floor(next() * 5) }, () => scale * (0.9 + next() * (trial % 2 ? 0.1 : 5)));
    const shown = [{ train: make(), val: make() }, { train: make(), val: [Number.NaN, 0] }];
    const values = shown.flatMap((s) => [...s.train, ...s.val]).filter(drawable);
    for (const axis of ["log", "linear"]) {
      const [lo, hi] = yDomain(shown, axis);
      assert.ok(values.every((v) => v > lo && v < hi), `${axis} [${lo}, ${hi}]`);
      assert.ok(lo >= 0);
      if (axis === "log") assert.ok(lo > 0 && hi / lo >= 1.2, `log [${lo}, ${hi}]`);
    }
  }
  assert.deepEqual(yDomain([], "log"), [0.1, 1]);
  assert.deepEqual(yDomain([{ train: [0, Number.NaN], val: [] }], "linear"), [0.1, 1], "nothing drawable");
});

test("logTicks are round values (1, 2 or 5 x 10^k over a wide range) inside the domain, never none", () => {
  const next = random(8);
  for (let trial = 0; trial < 300; trial++) {
    const lo = 10 ** (next() * 6 - 4);
    const hi = lo * (1.2 + next() * (trial % 3 ? 5 : 2000));
    const ticks = logTicks([lo, hi]);
    const where = `logTicks([${lo}, ${hi}]) = ${ticks}`;
    assert.ok(ticks.length >= 1, where);
    assert.ok(ticks.every((v, k) => v > 0 && v >= lo && v <= hi && (k === 0 || v > ticks[k - 1])), where);
    if (hi / lo >= 10) {
      for (const v of ticks) {
        const mantissa = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
        assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6), where);
      }
    }
  }
  assert.deepEqual(logTicks([0.05, 3]), [0.05, 0.1, 0.2, 0.5, 1, 2]);
  assert.deepEqual(logTicks([0.0123, 0.0871]), [0.02, 0.04, 0.06, 0.08], "within a decade: linear ticks");
});

test("lossesAt gives a model's losses at an epoch, and past its end its final ones, flagged", () => {
  assert.deepEqual(lossesAt(ae, 2), { s: ae, train: 0.2, val: 0.22, ended: false, last: 3 });
  assert.deepEqual(lossesAt(vae, 3), { s: vae, train: 0.3, val: 0.33, ended: true, last: 2 });
});

test("rowsAt puts the lead model first and keeps the others in order", () => {
  const third = { ...ae, key: "c", short: "C" };
  assert.deepEqual(rowsAt([ae, vae, third], vae, 1).map((r) => r.s), [vae, ae, third]);
  assert.deepEqual(rowsAt([ae, vae, third], null, 1).map((r) => r.s), [ae, vae, third]);
});

test("describeEpoch reads the lead's losses, then the others' validation losses", () => {
  assert.equal(describeEpoch(rowsAt([ae, vae], ae, 3), 3, 3),
    "Epoch 3 of 3. Dense autoencoder: training 0.1500, validation 0.1800. " +
    "Validation of the others: VAE 0.3300 (final, epoch 2).");
  assert.equal(describeEpoch(rowsAt([vae], vae, 1), 1, 3), "Epoch 1 of 3. Variational autoencoder: training 0.4000, validation 0.4100.");
  assert.equal(describeEpoch([], 2, 3), "Epoch 2: no model shown.");
});

test("legendLabel: the short name, marked (MNIST) where needed, with an accessible name that starts with it", () => {
  assert.deepEqual(legendLabel({ short: "AE", title: "AE" }), { text: "AE", label: null });
  assert.deepEqual(legendLabel({ short: "AE", title: "Dense autoencoder", dataset: "mnist" }),
    { text: "AE (MNIST)", label: "AE (MNIST) (Dense autoencoder)" });
  assert.equal(legendLabel({ short: "MNIST AE", title: "x", dataset: "mnist" }).text, "MNIST AE");
  const { text, label } = legendLabel(vae);
  assert.ok(label.startsWith(text));
  assert.equal(label, "VAE (Variational autoencoder, reconstruction term only)");
});

test("notesLine names each note once, with the models it applies to", () => {
  const conv = { ...vae, short: "Conv VAE" };
  const guide = { ...ae, short: "Guide", note: "from the guide" };
  assert.equal(notesLine([ae, vae, conv, guide]), "VAE, Conv VAE: reconstruction term only \u00b7 Guide: from the guide");
  assert.equal(notesLine([ae]), "");
});

test("nearestAt picks the model whose curve passes closest to the pointer at an epoch", () => {
  const y = (v) => 100 - 100 * v; // loss to pixels
  assert.equal(nearestAt([ae, vae], 1, y(0.4), y), vae);
  assert.equal(nearestAt([ae, vae], 1, y(0.3), y), ae);
  assert.equal(nearestAt([ae, vae], 3, y(0.4), y), ae, "past its end a model has no point");
  assert.equal(nearestAt([{ train: [0], val: [Number.NaN] }], 1, 0, y), null);
});

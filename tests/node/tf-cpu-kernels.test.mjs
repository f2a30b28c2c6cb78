// The fast per-channel Add of lib/tf-cpu-kernels.js gives TF.js's own sums bit for bit, takes
// only per-channel vectors (everything else goes to TF.js's kernel), and makes a transposed
// convolution's output identical to the one without it.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as tf from "@tensorflow/tfjs";
import { isChannelVector, useFastChannelAdd } from "../../assets/js/lib/tf-cpu-kernels.js";

console.log = () => {}; // TF.js's "use tfjs-node" hint

/** Seeded float32 values, so failures reproduce. */
function values(n, seed) {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 20 - 10);
}
const tensor = (shape, seed, dtype = "float32") => {
  const n = shape.reduce((a, b) => a * b, 1);
  return dtype === "int32" ? tf.tensor(Int32Array.from(values(n, seed), Math.round), shape, "int32")
    : tf.tensor(values(n, seed), shape);
};

const PAIRS = [
  [[1, 5, 4, 3], [1, 1, 1, 3]], // a Conv2DTranspose bias as TF.js's layers add it
  [[1, 1, 1, 3], [1, 5, 4, 3]], // the other way round
  [[2, 7, 6, 8], [8]],
  [[4, 3], [1, 3]],
  [[1, 218, 178, 1], [1, 1, 1, 1]],
  // from here on, TF.js's own kernel
  [[1, 5, 4, 3], [1, 5, 1, 3]], // not a per-channel vector
  [[5, 1], [1, 4]], // both broadcast: TF.js's kernel
  [[3, 4], [3, 4]], // no broadcast
  [[3], [3]],
];

const FAST_CASES = 5; // the first five pairs take the fast kernel

function layerModel() {
  const model = tf.sequential();
  model.add(tf.layers.conv2dTranspose({ inputShape: [6, 5, 4], filters: 3, kernelSize: 3, strides: 2, activation: "relu" }));
  model.add(tf.layers.conv2dTranspose({ filters: 1, kernelSize: 2, strides: 2, activation: "sigmoid", biasInitializer: "ones" }));
  return model;
}

test("the fast Add gives TF.js's own sums, and a transposed convolution's output, bit for bit", async () => {
  await tf.setBackend("cpu");
  await tf.ready();
  const cases = PAIRS.map(([a, b], i) => [tensor(a, 3 + i), tensor(b, 101 + i)]);
  const ints = [tensor([2, 3, 4], 7, "int32"), tensor([1, 1, 4], 9, "int32")];
  const expected = cases.map(([a, b]) => tf.add(a, b)).map((sum) => ({ shape: sum.shape, values: sum.dataSync() }));
  const expectedInts = tf.add(...ints).dataSync().slice();
  const model = layerModel();
  const input = tensor([1, 6, 5, 4], 42);
  const before = model.predict(input).dataSync().slice();

  // count the calls that reach TF.js's own kernel: the fast one must take every per-channel vector itself
  const own = tf.getKernel("Add", "cpu");
  let reached = 0;
  tf.unregisterKernel("Add", "cpu");
  tf.registerKernel({ ...own, kernelFunc: (args) => ((reached += 1), own.kernelFunc(args)) });
  assert.equal(useFastChannelAdd(tf), true);
  assert.equal(useFastChannelAdd(tf), true, "registering twice is harmless");
  cases.forEach(([a, b], i) => {
    reached = 0;
    const got = tf.add(a, b);
    const label = `case ${PAIRS[i].map(String).join(" + ")}`;
    assert.deepEqual(got.shape, expected[i].shape, label);
    assert.deepEqual(got.dataSync(), expected[i].values, label);
    assert.equal(reached, i < FAST_CASES ? 0 : 1, `${label}: ${i < FAST_CASES ? "the fast kernel" : "TF.js's own"}`);
  });
  assert.deepEqual(tf.add(...ints).dataSync(), expectedInts);
  reached = 0;
  assert.deepEqual(model.predict(input).dataSync(), before);
  assert.equal(reached, 0, "a transposed convolution's bias takes the fast kernel");
});

test("only a float32 vector over the last axis is taken", () => {
  const is = (a, b, dtype = "float32") => isChannelVector({ shape: a, dtype }, { shape: b, dtype });
  assert.equal(is([1, 5, 4, 3], [1, 1, 1, 3]), true);
  assert.equal(is([1, 5, 4, 3], [3]), true);
  assert.equal(is([1, 5, 4, 3], [1, 5, 1, 3]), false);
  assert.equal(is([1, 5, 4, 3], [1, 1, 1, 4]), false);
  assert.equal(is([1, 5, 4, 3], [1, 1, 1, 1, 3]), false);
  assert.equal(is([3], [3]), false, "rank 1 needs no help");
  assert.equal(is([1, 5, 4, 3], [1, 1, 1, 3], "int32"), false);
});

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
  [[1, 5, 4, 3], [1, 5, 1, 3]], // not a per-channel vector: TF.js's kernel
  [[5, 1], [1, 4]], // both broadcast: TF.js's kernel
  [[3, 4], [3, 4]], // no broadcast
  [[3], [3]],
];

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
  const expected = cases.map(([a, b]) => tf.add(a, b).dataSync().slice());
  const expectedInts = tf.add(...ints).dataSync().slice();
  const model = layerModel();
  const input = tensor([1, 6, 5, 4], 42);
  const before = model.predict(input).dataSync().slice();

  assert.equal(useFastChannelAdd(tf), true);
  assert.equal(useFastChannelAdd(tf), true, "registering twice is harmless");
  cases.forEach(([a, b], i) => {
    const got = tf.add(a, b);
    assert.deepEqual(got.shape, tf.broadcastTo(a, got.shape).shape);
    assert.deepEqual(got.dataSync(), expected[i], `case ${PAIRS[i].map(String).join(" + ")}`);
  });
  assert.deepEqual(tf.add(...ints).dataSync(), expectedInts);
  assert.deepEqual(model.predict(input).dataSync(), before);
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

// The toy autoencoder of article 2 in TF.js core ops: encoder 3 -> h1 -> h2 -> 2
// (linear code), decoder 2 -> h2 -> h1 -> 3 (linear output), mean squared error
// over every point and coordinate, full-batch Adam. Weights are seeded
// Glorot-uniform kernels and zero biases, drawn here so every backend starts
// from the same numbers. The inputs are a constant tensor given by the caller:
// only the weights are variables, and only they are handed to the optimiser.

import { seededRandom } from "../../lib/seeded-random.js";

const ACTIVATIONS = {
  tanh: (tf, x) => tf.tanh(x),
  relu: (tf, x) => tf.relu(x),
  sigmoid: (tf, x) => tf.sigmoid(x),
  elu: (tf, x) => tf.elu(x),
};

/** The same activations in float64 plain JavaScript (for the finite-difference check). */
const ACTIVATIONS64 = {
  tanh: Math.tanh,
  relu: (v) => (v > 0 ? v : 0),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
};

export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS);

/**
 * Build the weights for `hidden` widths and `activation`, seeded by `seed`.
 * Returns {encode(x), decode(z), loss(output, x), variables, dispose(), weights64()}.
 * @param {typeof import("@tensorflow/tfjs")} tf
 * @param {{hidden: number[], activation: string, seed: number}} spec
 */
export function buildToyModel(tf, { hidden, activation, seed }) {
  const act = ACTIVATIONS[activation];
  if (!act) throw new Error(`toy-bench: unknown activation ${activation}; use one of ${ACTIVATION_NAMES.join(", ")}`);
  const random = seededRandom(seed * 7919 + 101);
  // Every weight lives in ONE variable, theta, sliced into kernels and biases:
  // Adam then updates one tensor per step instead of twelve, which halves the
  // kernel calls of a step (the per-call overhead dominates at this size).
  const shapes = (sizes) => sizes.slice(1).map((fanOut, i) => ({ fanIn: sizes[i], fanOut }));
  const encoderShapes = shapes([3, ...hidden, 2]);
  const decoderShapes = shapes([2, ...[...hidden].reverse(), 3]);
  let size = 0;
  const place = (list) => list.map(({ fanIn, fanOut }) => {
    const layer = { fanIn, fanOut, kernelAt: size, biasAt: size + fanIn * fanOut };
    size += fanIn * fanOut + fanOut;
    return layer;
  });
  // Encoder
  const encoder = place(encoderShapes);
  // Decoder
  const decoder = place(decoderShapes);
  const initial = new Float32Array(size); // biases stay zero
  for (const { fanIn, fanOut, kernelAt } of [...encoder, ...decoder]) {
    const limit = Math.sqrt(6 / (fanIn + fanOut)); // Glorot uniform
    for (let k = 0; k < fanIn * fanOut; k += 1) initial[kernelAt + k] = (2 * random() - 1) * limit;
  }
  const start = tf.tensor1d(initial);
  const theta = tf.variable(start, true);
  start.dispose(); // tf.variable copies its initial value
  const variables = [theta];

  const run = (stack, input) => stack.reduce((h, layer, i) => {
    const kernel = tf.reshape(tf.slice(theta, layer.kernelAt, layer.fanIn * layer.fanOut), [layer.fanIn, layer.fanOut]);
    const bias = tf.slice(theta, layer.biasAt, layer.fanOut);
    const y = tf.add(tf.matMul(h, kernel), bias);
    return i === stack.length - 1 ? y : act(tf, y);
  }, input);

  return {
    activation,
    variables,
    /** Number of weights. */
    size,
    /** Codes z (N, 2) of inputs x (N, 3). */
    encode: (x) => run(encoder, x),
    /** Reconstructions (N, 3) of codes z (N, 2). */
    decode: (z) => run(decoder, z),
    /** Mean squared error over all points and coordinates. */
    loss: (output, x) => tf.mean(tf.squaredDifference(output, x)),
    /** The decoder's weights as float64 arrays and its activation, for a plain-JS forward pass. */
    decoder64() {
      const values = theta.dataSync();
      return {
        layers: decoder.map((l) => ({
          kernel: Float64Array.from(values.subarray(l.kernelAt, l.kernelAt + l.fanIn * l.fanOut)),
          bias: Float64Array.from(values.subarray(l.biasAt, l.biasAt + l.fanOut)),
          fanIn: l.fanIn, fanOut: l.fanOut,
        })),
        act: ACTIVATIONS64[activation],
      };
    },
    dispose() {
      tf.dispose(variables);
    },
  };
}

/** Reconstruction of one code (z0, z1) by a `decoder64()` network, in float64. */
function decodeRow64(net, z0, z1, out) {
  let h = [z0, z1];
  net.layers.forEach((layer, i) => {
    const next = new Float64Array(layer.fanOut);
    for (let j = 0; j < layer.fanOut; j += 1) {
      let sum = layer.bias[j];
      for (let k = 0; k < layer.fanIn; k += 1) sum += h[k] * layer.kernel[k * layer.fanOut + j];
      next[j] = i === net.layers.length - 1 ? sum : net.act(sum);
    }
    h = next;
  });
  out[0] = h[0];
  out[1] = h[1];
  out[2] = h[2];
}

/** The batch loss L(Z) (mean squared error over every point and coordinate) in float64. */
function batchLoss64(net, codes, inputs, n) {
  const out = new Float64Array(3);
  let sum = 0;
  for (let i = 0; i < n; i += 1) {
    decodeRow64(net, codes[2 * i], codes[2 * i + 1], out);
    for (let c = 0; c < 3; c += 1) sum += (out[c] - inputs[3 * i + c]) ** 2;
  }
  return sum / (3 * n);
}

/**
 * Central finite-difference estimate of -dL/dz for every point: each code
 * coordinate in turn is moved by +-eps and the whole batch loss is recomputed
 * by a float64 decoder with the model's weights (no shortcut through the
 * per-point terms). Returns Float64Array (N * 2).
 * @param {{layers: object[], act: (v: number) => number}} net from model.decoder64()
 * @param {ArrayLike<number>} codes (N * 2) @param {ArrayLike<number>} inputs (N * 3)
 * @param {number} eps
 */
export function finiteDifferenceTrails(net, codes, inputs, eps) {
  const n = inputs.length / 3;
  const z = Float64Array.from(codes);
  const x = Float64Array.from(inputs);
  const trails = new Float64Array(2 * n);
  for (let i = 0; i < 2 * n; i += 1) {
    const keep = z[i];
    z[i] = keep + eps;
    const up = batchLoss64(net, z, x, n);
    z[i] = keep - eps;
    const down = batchLoss64(net, z, x, n);
    z[i] = keep;
    trails[i] = -(up - down) / (2 * eps);
  }
  return trails;
}

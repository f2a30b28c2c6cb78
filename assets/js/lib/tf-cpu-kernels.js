// A faster "Add" for TF.js's cpu backend when one side is a per-channel
// vector: the bias of a convolution. TF.js's layers add a Conv2DTranspose's
// bias (and an unfused Conv2D's) as a [1, 1, 1, C] tensor, which the cpu
// backend broadcasts by computing a multi-index for every element, with
// arrays allocated for each: about 60 ns an element, more than the transposed
// convolution itself on a 218 x 178 face. This kernel adds such a vector in
// one flat loop and hands every other Add to TF.js's own kernel. The sums are
// the same float32 sums in the same order, so results are bit for bit those
// of TF.js (tests/node/tf-cpu-kernels.test.mjs checks it). Gradients are not
// kernels, so training is unchanged.

const FAST = Symbol("explorables fast channel add");

/** True when `small` is a float32 [1, …, 1, C] (or [C]) vector over the last axis of `big`. */
export function isChannelVector(big, small) {
  const b = big.shape;
  const s = small.shape;
  if (big.dtype !== "float32" || small.dtype !== "float32") return false;
  if (b.length < 2 || s.length < 1 || s.length > b.length) return false;
  const channels = s[s.length - 1];
  if (channels !== b[b.length - 1] || channels < 1) return false;
  for (let i = 0; i < s.length - 1; i += 1) if (s[i] !== 1) return false;
  return true; // the result has big's shape
}

/** The flat per-channel add: out[i] = x[i] + v[i mod C] (float addition commutes, so either order of Add). */
export function addChannels(x, v) {
  const out = new Float32Array(x.length);
  const c = v.length;
  for (let i = 0; i < x.length; i += c) {
    for (let j = 0; j < c; j += 1) out[i + j] = x[i + j] + v[j];
  }
  return out;
}

/**
 * Register the fast per-channel Add on the cpu backend, once per TF.js instance.
 * @param {typeof import("@tensorflow/tfjs")} tf
 * @returns {boolean} true when the fast kernel is (now) registered
 */
export function useFastChannelAdd(tf) {
  const original = tf.getKernel("Add", "cpu");
  if (!original) return false;
  if (original[FAST]) return true;
  function kernelFunc(args) {
    const { a, b } = args.inputs;
    const bigFirst = isChannelVector(a, b);
    if (!bigFirst && !isChannelVector(b, a)) return original.kernelFunc(args);
    const [big, small] = bigFirst ? [a, b] : [b, a];
    const { backend } = args;
    const values = addChannels(backend.data.get(big.dataId).values, backend.data.get(small.dataId).values);
    return backend.makeTensorInfo(big.shape.slice(), "float32", values);
  }
  tf.unregisterKernel("Add", "cpu");
  tf.registerKernel({ ...original, kernelFunc, [FAST]: true });
  return true;
}

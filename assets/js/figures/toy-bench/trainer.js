// One training session of the toy autoencoder: the constant input tensor, the
// model, its Adam optimiser, the step counter, and the packed read-back of what
// the views draw (codes, trails, reconstructions, losses) in one transfer.

import { buildToyModel, finiteDifferenceTrails } from "./model.js";

/**
 * @param {typeof import("@tensorflow/tfjs")} tf
 * @param {{hidden: number[], activation: string, learningRate: number, seed: number}} settings
 */
export function createTrainer(tf, settings) {
  let { activation, learningRate } = settings;
  let inputs = null; // Float32Array (N * 3), what x holds
  let x = null; // the inputs: a constant tensor, never a variable
  let model = null;
  let optimizer = null;
  let step = 0;

  function rebuild() {
    if (model) model.dispose();
    if (optimizer) optimizer.dispose();
    model = buildToyModel(tf, { hidden: settings.hidden, activation, seed: settings.seed });
    optimizer = tf.train.adam(learningRate);
    step = 0;
  }

  /** The loss of the current weights on the inputs, as a function the optimiser minimises. */
  const lossOfWeights = () => model.loss(model.decode(model.encode(x)), x);

  return {
    /** Use `values` (N * 3 floats) as the inputs; rebuilds the model and optimiser (step 0). */
    setInputs(values) {
      if (x) x.dispose();
      inputs = Float32Array.from(values);
      x = tf.tensor2d(inputs, [inputs.length / 3, 3]);
      rebuild();
    },
    /** Seeded starting weights and a new Adam optimiser; step 0. */
    reset: rebuild,
    /** A new activation means a new network: seeded weights, new optimiser, step 0. */
    setActivation(name) {
      activation = name;
      rebuild();
    },
    /** Adam continues with its moment estimates and the same weights, at the new rate. */
    setLearningRate(rate) {
      learningRate = rate;
      optimizer.learningRate = rate;
    },
    /** Re-create the tensors on the current backend (after tf.setBackend); step 0. */
    rehome() {
      if (x) x.dispose();
      x = tf.tensor2d(inputs, [inputs.length / 3, 3]);
      rebuild();
    },
    /** One full-batch Adam step; returns the loss before the update as a scalar tensor (caller disposes). */
    trainStep() {
      const cost = optimizer.minimize(lossOfWeights, true, model.variables);
      step += 1;
      return cost;
    },
    /**
     * One tensor holding, in order: codes z (N*2), trails -dL/dz (N*2),
     * reconstructions (N*3), the loss now (1), then `losses` (the per-step losses, disposed here).
     */
    snapshot(losses = []) {
      let outputs = null;
      const packed = tf.tidy(() => {
        const z = model.encode(x);
        // dL/dz by automatic differentiation with respect to the codes, weights fixed
        const lossOfCodes = (codes) => {
          outputs = tf.keep(model.decode(codes)); // the reconstructions, reused below
          return model.loss(outputs, x);
        };
        const { value, grad } = tf.valueAndGrad(lossOfCodes)(z);
        const parts = [z.reshape([-1]), grad.neg().reshape([-1]), outputs.reshape([-1]), value.reshape([1])];
        if (losses.length) parts.push(tf.stack(losses).reshape([-1]));
        return tf.concat(parts);
      });
      tf.dispose([outputs, ...losses]);
      return packed;
    },
    /** Split a read-back `snapshot` into named views. */
    unpack(values) {
      const n = inputs.length / 3;
      return {
        codes: values.subarray(0, 2 * n),
        trails: values.subarray(2 * n, 4 * n),
        outputs: values.subarray(4 * n, 7 * n),
        loss: values[7 * n],
        losses: values.subarray(7 * n + 1),
      };
    },
    /** Values the input tensor holds now (read from the tensor, not from the copy). */
    readInputs: () => x.dataSync(),
    finiteDiff(codes, eps) {
      return finiteDifferenceTrails(model.decoder64(), codes, inputs, eps);
    },
    get step() { return step; },
    get activation() { return activation; },
    get learningRate() { return learningRate; },
    get count() { return inputs ? inputs.length / 3 : 0; },
    get inputs() { return inputs; },
    dispose() {
      if (model) model.dispose();
      if (optimizer) optimizer.dispose();
      if (x) x.dispose();
      model = optimizer = x = null;
    },
  };
}

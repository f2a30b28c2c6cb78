// The dense autoencoder of site.toml's [models.mnist_ae], built in TF.js for
// training in the reader's browser (inside lib/autoencoder-worker.js): ReLU
// hidden layers, a linear code, a sigmoid output, binary cross-entropy and
// Adam. Initial weights are seeded, so Reset always starts from the same point.

/**
 * Build `{model, encoder, decoder, optimizer}` for flat images of `pixels` values.
 * `model` maps (N, pixels) -> (N, pixels); `encoder` maps (N, pixels) -> (N, latent).
 * @param {typeof import("@tensorflow/tfjs")} tf
 * @param {{pixels: number, hidden: number[], latent: number, learningRate: number, seed: number}} spec
 */
export function buildAutoencoder(tf, { pixels, hidden, latent, learningRate, seed }) {
  let layerSeed = seed * 101 + 7;
  // Layer names are left to TF.js, which keeps them unique across Resets.
  const dense = (units, activation, first) => tf.layers.dense({
    units, activation,
    ...(first ? { inputShape: [first] } : {}),
    kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed++ }),
    biasInitializer: "zeros",
  });
  // Encoder
  const encoder = tf.sequential();
  hidden.forEach((units, i) => encoder.add(dense(units, "relu", i === 0 && pixels)));
  encoder.add(dense(latent, "linear"));
  // Decoder
  const decoder = tf.sequential();
  [...hidden].reverse().forEach((units, i) =>
    decoder.add(dense(units, "relu", i === 0 && latent)));
  decoder.add(dense(pixels, "sigmoid"));
  const input = tf.input({ shape: [pixels] });
  const model = tf.model({ inputs: input, outputs: decoder.apply(encoder.apply(input)) });
  const optimizer = tf.train.adam(learningRate);
  model.compile({ optimizer, loss: "binaryCrossentropy" });
  return { model, encoder, decoder, optimizer };
}

/** Free every tensor a `buildAutoencoder` result holds. */
export function disposeAutoencoder(parts) {
  if (!parts) return;
  parts.model.dispose(); // disposes the encoder's and decoder's layers too
  parts.optimizer.dispose();
}

/** Mean binary cross-entropy of reconstructing `x` (N, pixels), as Keras computes it. */
export function reconstructionLoss(tf, model, x) {
  return tf.tidy(() => {
    const y = model.predict(x).clipByValue(1e-7, 1 - 1e-7);
    const perPixel = x.mul(y.log()).add(tf.scalar(1).sub(x).mul(tf.scalar(1).sub(y).log())).neg();
    return perPixel.mean();
  });
}

"""The toy autoencoder of article 2: 3-D points squeezed to a 2-D code and back.

Architecture (identical in Keras at build and in TF.js in the page; see
/tmp/toy_contract.md and site.toml ``[models.toy]``):

- encoder: 3 -> Dense(h1, act) -> Dense(h2, act) -> Dense(2, linear) = the code z;
- decoder: 2 -> Dense(h2, act) -> Dense(h1, act) -> Dense(3, linear);
- loss: mean squared error over all points and the 3 coordinates; Adam; FULL
  batch (one step = one optimiser update on all points); Glorot-uniform kernels
  (seeded per layer), zero biases. The inputs are constants, never variables.

The *trail* of point i is -dL/dz_i, the gradient of the batch loss with respect
to that point's code (the decoder's weights fixed), by automatic
differentiation. :func:`numpy_decoder` and :func:`finite_difference_trails`
recompute it independently in float64 NumPy to check it.

Keras and TensorFlow are imported inside the functions, so importing this
module stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ACTIVATIONS = ("tanh", "relu", "sigmoid", "elu")
LATENT = 2


def check_hyper(hidden: Sequence[int], activation: str) -> tuple[int, ...]:
    units = tuple(int(h) for h in hidden)
    if not units or any(h < 1 for h in units):
        raise ValueError(f"hidden must list positive layer widths, got {hidden!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    return units


def build_toy(hidden: Sequence[int] = (32, 32), activation: str = "tanh", seed: int = 0):
    """Return fresh ``(encoder, decoder)`` Keras models (3 -> 2 -> 3), seeded."""
    import keras
    from keras import layers

    units = check_hyper(hidden, activation)

    def dense(width, act, name, k):
        return layers.Dense(
            width,
            activation=act,
            name=name,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed * 1000 + k),
            bias_initializer="zeros",
        )

    x_in = keras.Input(shape=(3,), name="points")
    x = x_in
    for i, width in enumerate(units, start=1):
        x = dense(width, activation, f"encoder_dense_{i}", i)(x)
    z = dense(LATENT, None, "code", 100)(x)
    encoder = keras.Model(x_in, z, name="toy_encoder")

    z_in = keras.Input(shape=(LATENT,), name="code_in")
    y = z_in
    for i, width in enumerate(reversed(units), start=1):
        y = dense(width, activation, f"decoder_dense_{i}", 200 + i)(y)
    out = dense(3, None, "reconstruction", 300)(y)
    decoder = keras.Model(z_in, out, name="toy_decoder")
    return encoder, decoder


def make_step(encoder, decoder, x, learning_rate: float):
    """A compiled full-batch Adam step on constant ``x``: ``step() -> loss`` (before the update)."""
    import keras
    import tensorflow as tf

    optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
    data = tf.constant(x, dtype=tf.float32)  # a constant: the optimiser can never move the inputs
    variables = encoder.trainable_variables + decoder.trainable_variables
    optimizer.build(variables)

    @tf.function(reduce_retracing=True)
    def step():
        with tf.GradientTape() as tape:
            recon = decoder(encoder(data, training=True), training=True)
            loss = tf.reduce_mean(tf.square(recon - data))
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))
        return loss

    return step


def state(encoder, decoder, x) -> dict:
    """Codes z, reconstruction, trails -dL/dz (autodiff w.r.t. the codes) and loss L, as float32 NumPy."""
    import tensorflow as tf

    data = tf.constant(x, dtype=tf.float32)
    z = tf.convert_to_tensor(encoder(data, training=False))
    with tf.GradientTape() as tape:
        tape.watch(z)
        recon = decoder(z, training=False)
        loss = tf.reduce_mean(tf.square(recon - data))
    grad = tape.gradient(loss, z)
    return {
        "codes": z.numpy().astype(np.float32),
        "recon": recon.numpy().astype(np.float32),
        "trails": (-grad).numpy().astype(np.float32),
        "loss": float(loss.numpy()),
    }


def train_toy(
    encoder, decoder, x: np.ndarray, steps: int, learning_rate: float, snapshots: Sequence[int] = (), progress=None
) -> dict:
    """Full-batch Adam for ``steps`` steps; returns {"loss": [...], "snapshots": {step: state}}.

    ``loss[k]`` is the loss before update k+1 (``loss[0]`` at initialisation);
    a snapshot at step s is the state after s updates (0 = untrained).
    """
    step = make_step(encoder, decoder, x, learning_rate)
    wanted = sorted({int(s) for s in snapshots if 0 <= s <= steps})
    kept, losses = {}, []
    for k in range(steps + 1):
        if k in wanted:
            kept[k] = state(encoder, decoder, x)
        if k == steps:
            break
        losses.append(float(step()))
        if progress is not None and (k % 50 == 0 or k == steps - 1):
            progress(k + 1, steps)
    losses.append(state(encoder, decoder, x)["loss"] if steps not in kept else kept[steps]["loss"])
    return {"loss": losses, "snapshots": kept}


_NP_ACT = {
    "tanh": np.tanh,
    "relu": lambda a: np.maximum(a, 0.0),
    "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)),
    "elu": lambda a: np.where(a > 0, a, np.expm1(np.minimum(a, 0.0))),
    None: lambda a: a,
}


def numpy_decoder(weights: Sequence[np.ndarray], activation: str):
    """The decoder as a float64 NumPy function of z (n, 2) -> (n, 3), from its Keras weights list."""
    mats = [np.asarray(w, np.float64) for w in weights]
    layers = [(mats[i], mats[i + 1]) for i in range(0, len(mats), 2)]

    def decode(z):
        y = np.asarray(z, np.float64)
        for j, (kernel, bias) in enumerate(layers):
            y = y @ kernel + bias
            if j < len(layers) - 1:
                y = _NP_ACT[activation](y)
        return y

    return decode


def finite_difference_trails(
    decode, z: np.ndarray, x: np.ndarray, index: Sequence[int], eps: float = 1e-4
) -> np.ndarray:
    """-dL/dz_i by central differences in float64, for the points ``index`` (L = mean squared error)."""
    z = np.asarray(z, np.float64)
    x = np.asarray(x, np.float64)
    n = len(z)
    out = np.zeros((len(index), LATENT))
    for row, i in enumerate(index):
        for d in range(LATENT):
            # only point i's own error depends on z_i, so difference that term alone (exactly dL/dz_i)
            zp, zm = z[i : i + 1].copy(), z[i : i + 1].copy()
            zp[0, d] += eps
            zm[0, d] -= eps
            lp = np.sum((decode(zp) - x[i : i + 1]) ** 2)
            lm = np.sum((decode(zm) - x[i : i + 1]) ** 2)
            out[row, d] = -(lp - lm) / (2 * eps) / (3 * n)
    return out


def check_trails(trails: np.ndarray, reference: np.ndarray, rtol: float = 1e-3) -> float:
    """The worst relative error of ``trails`` against ``reference`` (rows = points); raises if above rtol.

    Errors are relative to each reference vector's length, with a floor of
    1% of the largest reference length: float32 autodiff has an absolute error
    of about 1e-5 of the largest gradient, so a nearly vanishing gradient
    (a point the decoder already fits) is not held to a precision float32
    cannot give. A wrong sign or a wrong axis is off by 100% or more.
    """
    trails = np.asarray(trails, np.float64)
    reference = np.asarray(reference, np.float64)
    norms = np.linalg.norm(reference, axis=1)
    floor = 1e-2 * max(float(norms.max()), 1e-30)
    errors = np.linalg.norm(trails - reference, axis=1) / np.maximum(norms, floor)
    worst = float(errors.max()) if len(errors) else 0.0
    if worst > rtol:
        raise AssertionError(f"trails differ from finite differences by {worst:.2e} (relative) > {rtol:g}")
    return worst

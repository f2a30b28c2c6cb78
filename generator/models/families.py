"""The families an author's ``[models.<name>]`` trains: dense, conv, vae and conv-vae, any size, gray or RGB.

Images are float32 in [0, 1], shaped (H, W) for gray and (H, W, 3) for RGB (the dataset artifact's
shapes, no channel axis for gray); every decoder outputs exactly that shape, so the exported
decoder's output is the image as the page paints it.

- ``dense``: Reshape(H*W*C) -> Dense ReLU per ``hidden`` -> Dense linear code; mirrored, sigmoid out.
- ``vae``: the same with a [z_mean, z_log_var] code, trained on the negative ELBO (``vae.build_vae_from``).
- ``conv``: Conv2D stride 2 ReLU stages (channels doubling up to ``filters``) -> Dense -> linear code;
  decoder Dense -> start grid -> stride-2 "valid" Conv2DTranspose stages that land exactly on (H, W)
  (``faces.plan_upsampling``) -> Conv2D 3x3 sigmoid with C channels.
- ``conv-vae``: the conv encoder with a [z_mean, z_log_var] code, the conv decoder.

Only exportable layer types are used, so every encoder (for a VAE, its ``mean_encoder``) and decoder
ships to the page. Keras is imported inside the functions so importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from generator.models.dense import check_hidden, check_positive
from generator.models.faces import MIN_FILTERS, plan_upsampling

#: The families the build trains (the one list: [models.<name>] architecture takes these).
ARCHITECTURES = ("dense", "conv", "vae", "conv-vae")
#: The hyper-parameters of a trained family: the keys of [models.<name>] only a trained model takes.
TRAINING_KEYS = ("architecture", "hidden", "filters", "latent_dim", "epochs", "batch_size", "learning_rate")
DENSE_UNITS = 64  # the width next to the code in the conv families


def check_shape(input_shape: Sequence[int]) -> tuple[int, ...]:
    """``input_shape`` as (H, W) or (H, W, 3), or ValueError naming it."""
    shape = tuple(int(n) for n in input_shape)
    if len(shape) not in (2, 3) or min(shape) < 1 or (len(shape) == 3 and shape[2] not in (1, 3)):
        raise ValueError(f"input_shape must be (height, width) or (height, width, 3), got {input_shape!r}")
    return shape


def conv_problem(height: int, width: int) -> str | None:
    """None if the conv families' decoder reaches images of ``height`` x ``width``; else why not, saying how long
    the longer side may be (its stride-2 stages must reach a start grid of at most 8 a side, so long and narrow
    images do not fit)."""
    if _conv_fits(height, width):
        return None
    short, long = sorted((height, width))
    reach = short if _conv_fits(short, short) else 0
    while reach < long and _conv_fits(short, reach + 1):
        reach += 1
    limit = f"with a shorter side of {short} its longer side may be at most {reach}" if reach else "it is too small"
    return f"images of {height} x {width} pixels are too long and narrow for the convolutional decoder ({limit})"


def conv_advice(model: str, architecture: str, dataset: str, own_dataset: bool, problem: str) -> str:
    """The message for a conv family that cannot decode its data set's images (``problem``: :func:`conv_problem`)."""
    other = "vae" if architecture == "conv-vae" else "dense"
    resize = (
        f", or give [datasets.{dataset}] a size = [h, w] nearer a square (its images are fitted into it, keeping "
        "their aspect)"
        if own_dataset
        else ""
    )
    return f'[models.{model}] architecture = "{architecture}": {problem}; use architecture = "{other}"{resize}'


def _conv_fits(height: int, width: int) -> bool:
    try:
        plan_upsampling((height, width))
    except ValueError:
        return False
    return True


def build_family(
    architecture: str,
    input_shape: Sequence[int],
    *,
    hidden: Sequence[int] = (256, 128),
    filters: int = 64,
    latent_dim: int = 2,
    learning_rate: float = 1e-3,
    seed: int | None = None,
) -> dict:
    """Fresh compiled models of ``architecture`` for images of ``input_shape``.

    Returns {"autoencoder", "encoder", "decoder"} (VAEs also "full_encoder", the [z_mean, z_log_var]
    encoder; their "encoder" is the exportable image -> z_mean model).
    """
    from generator.models.vae import build_vae_from, mean_encoder
    from generator.models.zoo import _assemble

    shape = check_shape(input_shape)
    check_positive("latent_dim", latent_dim)
    check_positive("learning_rate", learning_rate, integer=False)
    variational = architecture in ("vae", "conv-vae")
    if architecture in ("dense", "vae"):
        encoder = _dense_encoder(shape, check_hidden(hidden), latent_dim, variational)
        decoder = _dense_decoder(shape, check_hidden(hidden), latent_dim)
    elif architecture in ("conv", "conv-vae"):
        check_positive("filters", filters)
        encoder, decoder = _conv_pair(shape, filters, latent_dim, variational)
    else:
        raise ValueError(f"architecture must be one of {', '.join(ARCHITECTURES)}, got {architecture!r}")
    if variational:
        vae = build_vae_from(encoder, decoder, learning_rate, seed=seed)
        return {"autoencoder": vae, "full_encoder": encoder, "encoder": mean_encoder(encoder), "decoder": decoder}
    return {
        "autoencoder": _assemble(encoder, decoder, "autoencoder", "adam", learning_rate),
        "encoder": encoder,
        "decoder": decoder,
    }


def _code(x, latent_dim: int, variational: bool):
    from keras import layers

    if variational:
        return [layers.Dense(latent_dim, name="z_mean")(x), layers.Dense(latent_dim, name="z_log_var")(x)]
    return layers.Dense(latent_dim, name="z")(x)


def _dense_encoder(shape, hidden, latent_dim, variational):
    import keras
    from keras import layers

    inputs = keras.Input(shape=shape, name="encoder_inputs")
    x = layers.Reshape((math.prod(shape),), name="pixels_flat")(inputs)
    for i, units in enumerate(hidden, start=1):
        x = layers.Dense(units, activation="relu", name=f"encoder_dense_{i}")(x)
    return keras.Model(inputs, _code(x, latent_dim, variational), name="encoder")


def _dense_decoder(shape, hidden, latent_dim):
    import keras
    from keras import layers

    inputs = keras.Input(shape=(latent_dim,), name="latent_inputs")
    x = inputs
    for i, units in enumerate(reversed(hidden), start=1):
        x = layers.Dense(units, activation="relu", name=f"decoder_dense_{i}")(x)
    x = layers.Dense(math.prod(shape), activation="sigmoid", name="pixels")(x)
    return keras.Model(inputs, layers.Reshape(shape, name="image")(x), name="decoder")


def _conv_pair(shape, filters, latent_dim, variational):
    import keras
    from keras import layers

    height, width = shape[:2]
    channels = shape[2] if len(shape) == 3 else 1
    start_grid, kernels = plan_upsampling((height, width))
    stage_filters = [max(filters >> i, MIN_FILTERS) for i in range(1, len(kernels) + 1)]

    inputs = keras.Input(shape=shape, name="encoder_inputs")
    x = layers.Reshape((height, width, channels), name="channels")(inputs) if len(shape) == 2 else inputs
    for i, width_i in enumerate([*stage_filters[-2::-1], filters], start=1):
        x = layers.Conv2D(width_i, 3, strides=2, padding="same", activation="relu", name=f"encoder_conv_{i}")(x)
    x = layers.Reshape((x.shape[1] * x.shape[2] * x.shape[3],), name="features_flat")(x)
    x = layers.Dense(DENSE_UNITS, activation="relu", name="encoder_dense")(x)
    encoder = keras.Model(inputs, _code(x, latent_dim, variational), name="encoder")

    latent = keras.Input(shape=(latent_dim,), name="latent_inputs")
    x = layers.Dense(DENSE_UNITS, activation="relu", name="decoder_dense")(latent)
    x = layers.Dense(start_grid[0] * start_grid[1] * filters, activation="relu", name="grid")(x)
    x = layers.Reshape((*start_grid, filters), name="start_grid")(x)
    for i, (width_i, kernel) in enumerate(zip(stage_filters, kernels), start=1):
        x = layers.Conv2DTranspose(
            width_i, kernel, strides=2, padding="valid", activation="relu", name=f"upsample_{i}"
        )(x)
    x = layers.Conv2D(channels, 3, padding="same", activation="sigmoid", name="pixels")(x)
    decoder = keras.Model(latent, layers.Reshape(shape, name="image")(x), name="decoder")
    return encoder, decoder

"""The autoencoder zoo of article 3: seven Fashion-MNIST autoencoders and one MNIST one.

Architectures follow the well-known Keras guide (and, for ``mnist_rmsprop``, the
784-256-128 RMSProp introduction); only the training budget is configurable
(``[models.<key>]`` in site.toml). Every builder returns ``(autoencoder, encoder,
decoder)`` like the other builders in this package: images (N, 28, 28) float32 in
[0, 1] in, images out; explicit layer names; exportable layer types only in
``encoder`` and ``decoder`` (the VAEs' encoder outputs ``[z_mean, z_log_var]``;
``vae.mean_encoder`` gives the exportable image -> z_mean model).

- ``build_dense``: 784 -> hidden ReLU... -> code -> mirrored -> 784 sigmoid; the code
  is ReLU (as in the guide), with an optional L1 activity penalty (the sparse model)
  and Adam or RMSProp.
- ``build_conv``: Conv2D 16-8-8 3x3 ReLU + MaxPool ("same") to a 4x4x8 code, mirrored
  with UpSampling2D (one "valid" Conv2D takes 16 back to 14), sigmoid output.
- ``build_denoiser``: Conv2D 32-32 + MaxPool to 7x7x32, mirrored with UpSampling2D.
- ``build_conv_vae``: keras-io VAE: Conv 32/64 stride 2 -> Dense 16 -> 2-D latent;
  Dense -> 7x7x64 -> Conv2DTranspose 64/32 stride 2 -> Conv2DTranspose 1 sigmoid.
- ``add_noise``: the denoising objective's seeded corruption, clip(x + f N(0, 1)).
- ``flat_autoencoder``: one functional model image -> image with fresh copies of the
  encoder's then the decoder's layers (weights copied), for the TF.js exporter,
  which does not take nested models.

Keras is imported inside the functions so importing this module stays cheap.
"""

from __future__ import annotations

import math

import numpy as np

from generator.models.dense import check_image_shape, check_positive


def _optimizer(name: str, learning_rate: float):
    import keras

    if name == "adam":
        return keras.optimizers.Adam(learning_rate=learning_rate)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=learning_rate)
    raise ValueError(f"optimizer must be 'adam' or 'rmsprop', got {name!r}")


def _assemble(encoder, decoder, name, optimizer, learning_rate):
    import keras

    inputs = keras.Input(shape=encoder.inputs[0].shape[1:], name="autoencoder_inputs")
    autoencoder = keras.Model(inputs, decoder(encoder(inputs)), name=name)
    autoencoder.compile(optimizer=_optimizer(optimizer, learning_rate), loss="binary_crossentropy")
    return autoencoder


def build_dense(input_shape=(28, 28), hidden=(), code=32, learning_rate=1e-3, optimizer="adam", l1=0.0):
    """Return a compiled dense ``(autoencoder, encoder, decoder)`` with a ReLU ``code``.

    ``hidden`` lists the encoder's ReLU widths before the code (empty for the
    guide's simple 784-32-784 model); the decoder mirrors them. ``l1`` > 0 adds an
    L1 activity penalty ``l1 * sum|code|`` per image (Keras averages it over the batch).
    """
    import keras
    from keras import layers

    image_shape = check_image_shape(input_shape)
    check_positive("code", code)
    check_positive("learning_rate", learning_rate, integer=False)
    hidden = tuple(hidden)
    for n in hidden:
        check_positive("hidden", n)
    pixels = math.prod(image_shape)

    encoder_inputs = keras.Input(shape=image_shape, name="encoder_inputs")
    x = layers.Reshape((pixels,), name="pixels_flat")(encoder_inputs)
    for i, units in enumerate(hidden, start=1):
        x = layers.Dense(units, activation="relu", name=f"encoder_dense_{i}")(x)
    regularizer = keras.regularizers.L1(l1) if l1 else None
    z = layers.Dense(code, activation="relu", activity_regularizer=regularizer, name="code")(x)
    encoder = keras.Model(encoder_inputs, z, name="encoder")

    latent_inputs = keras.Input(shape=(code,), name="latent_inputs")
    x = latent_inputs
    for i, units in enumerate(reversed(hidden), start=1):
        x = layers.Dense(units, activation="relu", name=f"decoder_dense_{i}")(x)
    x = layers.Dense(pixels, activation="sigmoid", name="pixels")(x)
    decoder = keras.Model(latent_inputs, layers.Reshape(image_shape, name="image")(x), name="decoder")
    return _assemble(encoder, decoder, "dense_autoencoder", optimizer, learning_rate), encoder, decoder


def build_conv(input_shape=(28, 28), filters=(16, 8, 8), learning_rate=1e-3):
    """Return the guide's compiled convolutional ``(autoencoder, encoder, decoder)`` (28x28 -> 4x4x8)."""
    import keras
    from keras import layers

    image_shape = check_image_shape(input_shape)
    if image_shape != (28, 28):
        raise ValueError(f"build_conv needs 28x28 images, got {image_shape}")
    f1, f2, f3 = filters

    encoder_inputs = keras.Input(shape=image_shape, name="encoder_inputs")
    x = layers.Reshape((28, 28, 1), name="channels")(encoder_inputs)
    for i, f in enumerate((f1, f2, f3), start=1):
        x = layers.Conv2D(f, 3, activation="relu", padding="same", name=f"encoder_conv_{i}")(x)
        x = layers.MaxPooling2D(2, padding="same", name=f"encoder_pool_{i}")(x)  # 14, 7, 4
    encoder = keras.Model(encoder_inputs, x, name="encoder")

    latent_inputs = keras.Input(shape=(4, 4, f3), name="latent_inputs")
    x = layers.Conv2D(f3, 3, activation="relu", padding="same", name="decoder_conv_1")(latent_inputs)
    x = layers.UpSampling2D(2, name="decoder_up_1")(x)  # 8
    x = layers.Conv2D(f2, 3, activation="relu", padding="same", name="decoder_conv_2")(x)
    x = layers.UpSampling2D(2, name="decoder_up_2")(x)  # 16
    x = layers.Conv2D(f1, 3, activation="relu", padding="valid", name="decoder_conv_3")(x)  # 14
    x = layers.UpSampling2D(2, name="decoder_up_3")(x)  # 28
    x = layers.Conv2D(1, 3, activation="sigmoid", padding="same", name="pixels")(x)
    decoder = keras.Model(latent_inputs, layers.Reshape(image_shape, name="image")(x), name="decoder")
    return _assemble(encoder, decoder, "conv_autoencoder", "adam", learning_rate), encoder, decoder


def build_denoiser(input_shape=(28, 28), filters=(32, 32), learning_rate=1e-3):
    """Return the guide's compiled denoising ``(autoencoder, encoder, decoder)`` (28x28 -> 7x7x32)."""
    import keras
    from keras import layers

    image_shape = check_image_shape(input_shape)
    if image_shape[0] % 4 or image_shape[1] % 4:
        raise ValueError(f"build_denoiser needs sides divisible by 4, got {image_shape}")
    f1, f2 = filters
    h, w = image_shape

    encoder_inputs = keras.Input(shape=image_shape, name="encoder_inputs")
    x = layers.Reshape((h, w, 1), name="channels")(encoder_inputs)
    x = layers.Conv2D(f1, 3, activation="relu", padding="same", name="encoder_conv_1")(x)
    x = layers.MaxPooling2D(2, padding="same", name="encoder_pool_1")(x)
    x = layers.Conv2D(f2, 3, activation="relu", padding="same", name="encoder_conv_2")(x)
    x = layers.MaxPooling2D(2, padding="same", name="encoder_pool_2")(x)
    encoder = keras.Model(encoder_inputs, x, name="encoder")

    latent_inputs = keras.Input(shape=(h // 4, w // 4, f2), name="latent_inputs")
    x = layers.Conv2D(f2, 3, activation="relu", padding="same", name="decoder_conv_1")(latent_inputs)
    x = layers.UpSampling2D(2, name="decoder_up_1")(x)
    x = layers.Conv2D(f1, 3, activation="relu", padding="same", name="decoder_conv_2")(x)
    x = layers.UpSampling2D(2, name="decoder_up_2")(x)
    x = layers.Conv2D(1, 3, activation="sigmoid", padding="same", name="pixels")(x)
    decoder = keras.Model(latent_inputs, layers.Reshape(image_shape, name="image")(x), name="decoder")
    return _assemble(encoder, decoder, "denoising_autoencoder", "adam", learning_rate), encoder, decoder


def build_conv_vae(input_shape=(28, 28), filters=(32, 64), dense=16, latent_dim=2, learning_rate=1e-3, seed=None):
    """Return the keras-io convolutional ``(vae, encoder, decoder)``; encoder outputs [z_mean, z_log_var]."""
    import keras
    from keras import layers

    from generator.models.vae import build_vae_from

    image_shape = check_image_shape(input_shape)
    if image_shape[0] % 4 or image_shape[1] % 4:
        raise ValueError(f"build_conv_vae needs sides divisible by 4, got {image_shape}")
    check_positive("latent_dim", latent_dim)
    f1, f2 = filters
    h, w = image_shape

    encoder_inputs = keras.Input(shape=image_shape, name="encoder_inputs")
    x = layers.Reshape((h, w, 1), name="channels")(encoder_inputs)
    x = layers.Conv2D(f1, 3, activation="relu", strides=2, padding="same", name="encoder_conv_1")(x)
    x = layers.Conv2D(f2, 3, activation="relu", strides=2, padding="same", name="encoder_conv_2")(x)
    x = layers.Flatten(name="features_flat")(x)
    x = layers.Dense(dense, activation="relu", name="encoder_dense")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var], name="encoder")

    latent_inputs = keras.Input(shape=(latent_dim,), name="latent_inputs")
    x = layers.Dense((h // 4) * (w // 4) * f2, activation="relu", name="decoder_dense")(latent_inputs)
    x = layers.Reshape((h // 4, w // 4, f2), name="start_grid")(x)
    x = layers.Conv2DTranspose(f2, 3, activation="relu", strides=2, padding="same", name="upsample_1")(x)
    x = layers.Conv2DTranspose(f1, 3, activation="relu", strides=2, padding="same", name="upsample_2")(x)
    x = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same", name="pixels")(x)
    decoder = keras.Model(latent_inputs, layers.Reshape(image_shape, name="image")(x), name="decoder")
    return build_vae_from(encoder, decoder, learning_rate, seed=seed), encoder, decoder


def add_noise(images: np.ndarray, factor: float, seed: int, salt: int = 0) -> np.ndarray:
    """``clip(images + factor * N(0, 1), 0, 1)`` as float32, drawn from a generator seeded by (seed, salt)."""
    rng = np.random.default_rng([int(seed), int(salt)])
    noise = rng.standard_normal(images.shape, dtype=np.float32)
    return np.clip(images + np.float32(factor) * noise, 0.0, 1.0).astype(np.float32)


def flat_autoencoder(encoder, decoder, name="autoencoder"):
    """One functional image -> image model: fresh copies of the encoder's and decoder's layers, weights copied.

    Both must be chains of single-input layers (all zoo models except the VAEs are).
    """
    import keras

    inputs = keras.Input(shape=encoder.inputs[0].shape[1:], name="image_inputs")
    x = inputs
    copies = []
    for part in (encoder, decoder):
        for layer in part.layers:
            if type(layer).__name__ == "InputLayer":
                continue
            config = layer.get_config()
            config.pop("activity_regularizer", None)  # training-only; the exporter ignores it anyway
            copy = type(layer).from_config(config)
            x = copy(x)
            copies.append((copy, layer))
    model = keras.Model(inputs, x, name=name)
    for copy, layer in copies:
        copy.set_weights(layer.get_weights())
    return model

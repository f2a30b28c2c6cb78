"""Dense autoencoder with a linear low-dimensional code (keras-io autoencoder style).

Encoder: image (H, W) -> Reshape(H*W) -> Dense ReLU per ``hidden`` -> Dense linear
``latent_dim``. Decoder mirrors it: Dense ReLU per reversed ``hidden`` -> Dense
sigmoid H*W -> Reshape(H, W). Trained with binary cross-entropy and Adam on
float32 images in [0, 1].

Keras is imported inside the functions so importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def check_image_shape(input_shape: Sequence[int]) -> tuple[int, int]:
    """Return ``input_shape`` as an (H, W) tuple or raise ValueError naming it."""
    shape = tuple(input_shape)
    if len(shape) != 2 or not all(isinstance(n, int) and n > 0 for n in shape):
        raise ValueError(
            f"input_shape must be (height, width) with two positive ints "
            f"(grayscale, no channel axis), got {input_shape!r}"
        )
    return shape


def check_positive(name: str, value, *, integer: bool = True) -> None:
    """Raise ValueError naming ``name`` unless ``value`` is a positive int (or number)."""
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not value > 0:
        kind = "a positive int" if integer else "a positive number"
        raise ValueError(f"{name} must be {kind}, got {value!r}")


def check_hidden(hidden: Sequence[int]) -> tuple[int, ...]:
    """Return ``hidden`` as a tuple of positive ints or raise ValueError naming it."""
    units = tuple(hidden)
    if not units:
        raise ValueError("hidden must list at least one layer width, got ()")
    for n in units:
        check_positive("hidden", n)
    return units


def build_decoder(input_shape=(28, 28), hidden=(256, 128), latent_dim=2):
    """Return the dense decoder ``latent_dim`` -> reversed ``hidden`` -> image, named "decoder"."""
    import keras
    from keras import layers

    image_shape = check_image_shape(input_shape)
    hidden = check_hidden(hidden)
    check_positive("latent_dim", latent_dim)

    latent_inputs = keras.Input(shape=(latent_dim,), name="latent_inputs")
    x = latent_inputs
    for i, units in enumerate(reversed(hidden), start=1):
        x = layers.Dense(units, activation="relu", name=f"decoder_dense_{i}")(x)
    x = layers.Dense(math.prod(image_shape), activation="sigmoid", name="pixels")(x)
    decoder_outputs = layers.Reshape(image_shape, name="image")(x)
    return keras.Model(latent_inputs, decoder_outputs, name="decoder")


def build_autoencoder(input_shape=(28, 28), hidden=(256, 128), latent_dim=2, learning_rate=1e-3):
    """Return a compiled dense ``(autoencoder, encoder, decoder)`` with a linear code.

    Parameters
    ----------
    input_shape : (int, int), default (28, 28)
        Image height and width; inputs are float32 in [0, 1], no channel axis.
    hidden : sequence of int, default (256, 128)
        Widths of the encoder's ReLU layers; the decoder uses them reversed.
    latent_dim : int, default 2
        Size of the linear code the encoder outputs.
    learning_rate : float, default 1e-3
        Adam learning rate.
    """
    import keras
    from keras import layers

    image_shape = check_image_shape(input_shape)
    hidden = check_hidden(hidden)
    check_positive("latent_dim", latent_dim)
    check_positive("learning_rate", learning_rate, integer=False)

    # Encoder
    encoder_inputs = keras.Input(shape=image_shape, name="encoder_inputs")
    x = layers.Reshape((math.prod(image_shape),), name="pixels_flat")(encoder_inputs)
    for i, units in enumerate(hidden, start=1):
        x = layers.Dense(units, activation="relu", name=f"encoder_dense_{i}")(x)
    z = layers.Dense(latent_dim, name="z")(x)
    encoder = keras.Model(encoder_inputs, z, name="encoder")

    # Decoder
    decoder = build_decoder(image_shape, hidden, latent_dim)

    autoencoder_outputs = decoder(encoder(encoder_inputs))
    autoencoder = keras.Model(encoder_inputs, autoencoder_outputs, name="autoencoder")
    autoencoder.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="binary_crossentropy",
    )
    return autoencoder, encoder, decoder

"""Convolutional autoencoder for grayscale faces with a linear low-dimensional code.

Encoder: image (H, W) -> Reshape(H, W, 1) -> Conv2D stride 2 ReLU per stage ->
Reshape(flat) -> Dense ReLU -> Dense linear ``latent_dim``.

Decoder: Dense ReLU -> Dense ReLU -> Reshape to a small start grid -> one
Conv2DTranspose (stride 2, padding "valid") per stage -> Conv2D 3x3 sigmoid ->
Reshape(H, W). Cropping2D and Resizing are not exportable, so the output size is
hit exactly by the transposed convolutions themselves: a "valid" stride-2
Conv2DTranspose maps n to 2n + k - 2, so a kernel of 4 (even target) or 3 (odd
target) reaches any size. ``plan_upsampling`` walks back from (H, W) to the start
grid, adding stages until both sides are at most ``max_grid``:

- 112 x 92 (ORL):    6 x 4 -> 13 x 10 -> 27 x 22 -> 55 x 45 -> 112 x 92 (4 stages)
- 218 x 178 (CelebA): 5 x 4 -> 12 x 10 -> ... -> 108 x 88 -> 218 x 178 (5 stages)

The start grid has ``filters`` channels, halved at each stage down to
``MIN_FILTERS``. With the defaults the decoder has about 140k parameters for
either size (about 0.3 MB as float16).

Keras is imported inside the functions so importing this module stays cheap.
"""

from __future__ import annotations

from generator.models.dense import check_image_shape, check_positive

MIN_FILTERS = 8
"""Fewest channels an upsampling stage narrows to."""


def plan_upsampling(input_shape=(112, 92), max_grid=8):
    """Return (start_grid, kernels): stride-2 "valid" Conv2DTranspose kernels reaching (H, W)."""
    height, width = check_image_shape(input_shape)
    check_positive("max_grid", max_grid)
    kernels = []
    while max(height, width) > max_grid:
        if min(height, width) < 2:
            raise ValueError(
                f"input_shape {tuple(input_shape)!r} is too elongated to reach a "
                f"start grid of at most max_grid={max_grid} per side"
            )
        kernel = (min(4 - height % 2, height), min(4 - width % 2, width))
        height, width = (height - kernel[0]) // 2 + 1, (width - kernel[1]) // 2 + 1
        kernels.append(kernel)
    return (height, width), kernels[::-1]


def build_face_autoencoder(
    input_shape=(112, 92),
    latent_dim=2,
    filters=64,
    dense_units=64,
    max_grid=8,
    learning_rate=1e-3,
):
    """Return a compiled convolutional ``(autoencoder, encoder, decoder)`` for faces.

    Parameters
    ----------
    input_shape : (int, int), default (112, 92)
        Image height and width (ORL native; CelebA is (218, 178)); inputs are
        float32 in [0, 1], no channel axis. The decoder outputs exactly this.
    latent_dim : int, default 2
        Size of the linear code the encoder outputs.
    filters : int, default 64
        Channels of the decoder's start grid and of the encoder's last
        convolution; halved per stage down to ``MIN_FILTERS``.
    dense_units : int, default 64
        Width of the ReLU Dense layer next to the code in encoder and decoder.
    max_grid : int, default 8
        Longest side of the decoder's start grid; sets the number of stages.
    learning_rate : float, default 1e-3
        Adam learning rate.
    """
    import keras
    from keras import layers

    image_shape = check_image_shape(input_shape)
    check_positive("latent_dim", latent_dim)
    check_positive("filters", filters)
    check_positive("dense_units", dense_units)
    check_positive("learning_rate", learning_rate, integer=False)
    start_grid, kernels = plan_upsampling(image_shape, max_grid)
    stage_filters = [max(filters >> i, MIN_FILTERS) for i in range(1, len(kernels) + 1)]

    # Encoder
    encoder_inputs = keras.Input(shape=image_shape, name="encoder_inputs")
    x = layers.Reshape((*image_shape, 1), name="channels")(encoder_inputs)
    for i, channels in enumerate([*stage_filters[-2::-1], filters], start=1):
        x = layers.Conv2D(channels, 3, strides=2, padding="same", activation="relu", name=f"encoder_conv_{i}")(x)
    x = layers.Reshape((x.shape[1] * x.shape[2] * x.shape[3],), name="features_flat")(x)
    x = layers.Dense(dense_units, activation="relu", name="encoder_dense")(x)
    z = layers.Dense(latent_dim, name="z")(x)
    encoder = keras.Model(encoder_inputs, z, name="encoder")

    # Decoder
    latent_inputs = keras.Input(shape=(latent_dim,), name="latent_inputs")
    x = layers.Dense(dense_units, activation="relu", name="decoder_dense")(latent_inputs)
    x = layers.Dense(start_grid[0] * start_grid[1] * filters, activation="relu", name="grid")(x)
    x = layers.Reshape((*start_grid, filters), name="start_grid")(x)
    for i, (channels, kernel) in enumerate(zip(stage_filters, kernels), start=1):
        x = layers.Conv2DTranspose(
            channels, kernel, strides=2, padding="valid", activation="relu", name=f"upsample_{i}"
        )(x)
    x = layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="pixels")(x)
    decoder_outputs = layers.Reshape(image_shape, name="image")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")

    autoencoder_outputs = decoder(encoder(encoder_inputs))
    autoencoder = keras.Model(encoder_inputs, autoencoder_outputs, name="face_autoencoder")
    autoencoder.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="binary_crossentropy",
    )
    return autoencoder, encoder, decoder

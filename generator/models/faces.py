"""Convolutional autoencoder for grayscale faces with a linear low-dimensional code.

Encoder: image (H, W) -> Reshape(H, W, 1) -> Conv2D stride 2 ReLU per stage ->
Reshape(flat) -> Dense ReLU -> Dense linear ``latent_dim``.

Decoder: Dense ReLU -> Dense ReLU -> Reshape to a small start grid -> one
Conv2DTranspose (stride 2, padding "valid") per stage, the last one drawing the
single-channel image through a sigmoid -> Reshape(H, W). Cropping2D and Resizing
are not exportable, so the output size is hit exactly by the transposed
convolutions themselves: a "valid" stride-2 Conv2DTranspose maps n to 2n + k - 2.
The last stage, at full size, uses a kernel of 2 (even side) or 3 (odd side), so
each pixel there is drawn from one or two positions of the stage before, and the
stages before it use 4 or 3 (more context where the grid is small).
``plan_upsampling`` walks back from (H, W) to the start grid, adding stages until
both sides are at most ``max_grid``:

- 112 x 92 (ORL):    6 x 4 -> 13 x 10 -> 27 x 22 -> 56 x 46 -> 112 x 92 (4 stages)
- 218 x 178 (CelebA): 5 x 4 -> 12 x 10 -> 26 x 21 -> 54 x 44 -> 109 x 89 -> 218 x 178 (5 stages)

The start grid has ``filters`` channels, halved at each stage down to
``MIN_FILTERS``; the stage that draws the half-size image narrows to
``HALF_SIZE_FILTERS``. The page runs this decoder on TF.js's cpu backend when the
GPU is software-rendered, where the work at full size is what costs: so there is
no extra convolution at full size, and the stage before it is narrow. A 218 x 178
face is about 3.4 M multiply-adds (the first design, with 8 channels and a 3 x 3
convolution at full size, was 17 M) and about 125k parameters (about 0.25 MB as
float16); ``python bench/face_decoder.py`` measures one decode in Chromium.

Keras is imported inside the functions so importing this module stays cheap.
"""

from __future__ import annotations

from generator.models.dense import check_image_shape, check_positive

MIN_FILTERS = 8
"""Fewest channels an upsampling stage narrows to."""
HALF_SIZE_FILTERS = 4
"""Channels of the stage that draws the half-size image (the full-size stage reads them for every pixel)."""


def plan_upsampling(input_shape=(112, 92), max_grid=8, fine_last=False):
    """Return (start_grid, kernels): stride-2 "valid" Conv2DTranspose kernels reaching (H, W).

    Every stage's kernel is 4 (even side) or 3 (odd side); with ``fine_last`` the full-size stage's is 2 or 3
    (the face decoder's: each pixel drawn from one or two positions of the stage before), and where that plan
    cannot reach a start grid (a long, narrow image) the plain one is returned.
    """
    height, width = check_image_shape(input_shape)
    check_positive("max_grid", max_grid)
    if fine_last:
        try:
            return _plan(height, width, max_grid, (2, 2))
        except ValueError:
            pass
    return _plan(height, width, max_grid, (4, 4))


def _plan(height: int, width: int, max_grid: int, last: tuple[int, int]):
    """plan_upsampling with ``last`` the full-size stage's kernel for even sides (an odd side's is always 3)."""
    shape = (height, width)
    kernels = []
    while max(height, width) > max_grid:
        if min(height, width) < 2:
            raise ValueError(
                f"input_shape {shape!r} is too elongated to reach a start grid of at most max_grid={max_grid} per side"
            )
        even = last if not kernels else (4, 4)  # kernels[0] is the full-size stage's
        kernel = (_kernel(height, even[0]), _kernel(width, even[1]))
        height, width = (height - kernel[0]) // 2 + 1, (width - kernel[1]) // 2 + 1
        kernels.append(kernel)
    return (height, width), kernels[::-1]


def _kernel(side: int, even: int) -> int:
    """The kernel reaching ``side``: ``even`` for an even side, 3 for an odd one, never wider than the side."""
    return min(even if side % 2 == 0 else 3, side)


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
        convolution; halved per stage down to ``MIN_FILTERS`` (the decoder's
        last two stages: ``HALF_SIZE_FILTERS``, then the image's one).
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
    start_grid, kernels = plan_upsampling(image_shape, max_grid, fine_last=True)
    if not kernels:
        raise ValueError(f"input_shape {image_shape!r} is no larger than max_grid={max_grid}: nothing to upsample")
    halved = [max(filters >> i, MIN_FILTERS) for i in range(1, len(kernels) + 1)]
    # the decoder's stages: halving, the half-size image narrow, the full-size one a single channel
    stage_filters = [*halved[:-2], min(HALF_SIZE_FILTERS, halved[-2]), 1] if len(kernels) > 1 else [1]

    # Encoder (its stages mirror the halving ones)
    encoder_inputs = keras.Input(shape=image_shape, name="encoder_inputs")
    x = layers.Reshape((*image_shape, 1), name="channels")(encoder_inputs)
    for i, channels in enumerate([*halved[-2::-1], filters], start=1):
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
        last = i == len(kernels)
        x = layers.Conv2DTranspose(
            channels,
            kernel,
            strides=2,
            padding="valid",
            activation="sigmoid" if last else "relu",
            name="pixels" if last else f"upsample_{i}",
        )(x)
    decoder_outputs = layers.Reshape(image_shape, name="image")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")

    autoencoder_outputs = decoder(encoder(encoder_inputs))
    autoencoder = keras.Model(encoder_inputs, autoencoder_outputs, name="face_autoencoder")
    autoencoder.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="binary_crossentropy",
    )
    return autoencoder, encoder, decoder

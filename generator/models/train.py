"""Seeded, deterministic training of the autoencoders on in-memory image arrays.

``train`` expects float32 images in [0, 1] of shape (N, H, W) matching the
model's input (scale uint8 pixels by 1/255 before calling). Targets default to
the inputs (an autoencoder); pass ``y_train``/``y_val`` for, say, denoising.

Determinism: ``seed_everything(seed)`` seeds Python, NumPy and TensorFlow and
enables TensorFlow op determinism (for the rest of the process). Call it before
building a model so the initial weights are fixed; ``train`` calls it again and
shuffles with a seeded ``tf.data`` pipeline, so the same seed, model and data
give bit-identical weights on the same machine and library versions.

Keras and TensorFlow are imported inside the functions.
"""

from __future__ import annotations

import time

import numpy as np

from generator.models.dense import check_positive


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy, TensorFlow and Keras, and make TensorFlow ops deterministic."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def _check_images(name: str, images, input_shape) -> None:
    """Raise ValueError unless ``images`` is a float32 (N, *input_shape) array in [0, 1]."""
    if not isinstance(images, np.ndarray) or images.dtype != np.float32:
        kind = getattr(images, "dtype", type(images).__name__)
        raise TypeError(
            f"{name} must be a float32 NumPy array in [0, 1], got {kind}; "
            f"scale uint8 images with images.astype('float32') / 255"
        )
    if images.ndim != 1 + len(input_shape) or images.shape[1:] != tuple(input_shape):
        raise ValueError(
            f"{name} must have shape (N, {', '.join(map(str, input_shape))}) to match "
            f"the model input, got {images.shape}"
        )
    if len(images) == 0:
        raise ValueError(f"{name} must hold at least one image, got 0")
    low, high = float(images.min()), float(images.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(f"{name} values must lie in [0, 1], got [{low:g}, {high:g}]")


def _input_shape(model) -> tuple[int, ...]:
    """Return the image shape a functional model, or a VAE's encoder, takes."""
    inputs = getattr(model, "encoder", model).inputs
    return tuple(inputs[0].shape[1:])


def train(
    model,
    x_train,
    x_val,
    *,
    epochs,
    batch_size,
    seed,
    progress=None,
    y_train=None,
    y_val=None,
):
    """Fit ``model`` reproducibly; return per-epoch losses and the wall time.

    Parameters
    ----------
    model : keras.Model
        A compiled model from one of the builders.
    x_train, x_val : float32 ndarray of shape (N, H, W), values in [0, 1]
        Training and validation inputs.
    epochs, batch_size : int
        Passes over ``x_train`` and images per gradient step.
    seed : int
        Seeds TensorFlow/Keras/NumPy and the per-epoch shuffle.
    progress : callable (done_epochs, total_epochs, logs) -> None, optional
        Called after each epoch with that epoch's logs as a dict of floats.
    y_train, y_val : float32 ndarray, optional
        Targets; default to ``x_train`` and ``x_val``.

    Returns
    -------
    dict
        ``{"loss": [...], "val_loss": [...], "seconds": float}`` plus any other
        per-epoch metric the model logs (the VAE adds "reconstruction_loss",
        "kl_loss" and their "val_" forms). "seconds" is the wall time of fit.
    """
    import keras
    import tensorflow as tf

    check_positive("epochs", epochs)
    check_positive("batch_size", batch_size)
    input_shape = _input_shape(model)
    y_train = x_train if y_train is None else y_train
    y_val = x_val if y_val is None else y_val
    arrays = {"x_train": x_train, "x_val": x_val, "y_train": y_train, "y_val": y_val}
    for name, images in arrays.items():
        _check_images(name, images, input_shape)
    if len(y_train) != len(x_train) or len(y_val) != len(x_val):
        raise ValueError(
            f"y_train/y_val must have as many images as x_train/x_val, got "
            f"{len(y_train)}/{len(y_val)} for {len(x_train)}/{len(x_val)}"
        )

    seed_everything(seed)
    # Under a tf.distribute strategy (generator/distribute.py) Keras splits each global batch over the
    # replicas; across workers the batches are sharded by data (every worker holds all the images).
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    train_data = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train))
        .shuffle(len(x_train), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
        .with_options(options)
    )
    val_data = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(batch_size).with_options(options)

    callbacks = []
    if progress is not None:
        callbacks.append(
            keras.callbacks.LambdaCallback(
                on_epoch_end=lambda epoch, logs: progress(
                    epoch + 1, epochs, {k: float(v) for k, v in (logs or {}).items()}
                )
            )
        )

    from generator import distribute

    start = time.perf_counter()
    strategy = distribute.loop_strategy()
    if strategy is not None:  # several workers: Keras 3's fit cannot, TensorFlow's own loop can
        from generator.models.loop import fit_distributed

        logged = fit_distributed(
            model,
            strategy,
            train_data,
            val_data,
            epochs=epochs,
            batch_size=batch_size,
            callback=(lambda epoch, logs: progress(epoch + 1, epochs, logs)) if progress else None,
        )
    else:
        logged = model.fit(
            train_data,
            validation_data=val_data,
            epochs=epochs,
            shuffle=False,  # the dataset reshuffles itself, seeded
            callbacks=callbacks,
            verbose=0,
        ).history
    seconds = time.perf_counter() - start

    result = {key: [float(v) for v in values] for key, values in logged.items()}
    result["seconds"] = seconds
    return result

"""Variational autoencoder with a dense encoder and decoder (keras-io vae.py style).

The encoder maps an image to ``[z_mean, z_log_var]``; the ``VAE`` model draws
``z = z_mean + exp(z_log_var / 2) * epsilon`` with a seeded ``Sampling`` layer in
``train_step``/``test_step`` and reports "loss", "reconstruction_loss" and
"kl_loss". Losses are per image: binary cross-entropy *summed* over pixels plus
the KL divergence summed over latent dimensions, averaged over the batch (so
they are ~784x the per-pixel loss of ``dense.build_autoencoder``).

``build_vae_from(encoder, decoder)`` wraps any encoder/decoder pair (the
zoo's convolutional VAE uses it).

For export, ``mean_encoder(encoder)`` gives the deterministic image -> z_mean
model; it and the decoder use only exportable layer types (Sampling lives in
the VAE, never in an exported model). Calling ``vae(x)`` decodes ``z_mean``.

Keras is imported on first use, so importing this module stays cheap; the
Keras classes ``Sampling`` and ``VAE`` are attributes resolved lazily.
"""

from __future__ import annotations

import functools
import math

from generator.models.dense import build_decoder, check_hidden, check_image_shape, check_positive


@functools.cache
def _keras_classes():
    """Define the Keras classes on first use; return {"Sampling": ..., "VAE": ...}."""
    import keras
    import tensorflow as tf
    from keras import layers, ops

    @keras.saving.register_keras_serializable(package="generator")
    class Sampling(layers.Layer):
        """Uses (z_mean, z_log_var) to sample z, the point encoding an image."""

        def __init__(self, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.seed = seed
            self.seed_generator = keras.random.SeedGenerator(seed)
            self.built = True  # no weights to create

        def call(self, inputs):
            z_mean, z_log_var = inputs
            epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon

        def get_config(self):
            return {**super().get_config(), "seed": self.seed}

    class VAE(keras.Model):
        """Encoder + sampling + decoder, trained on the negative ELBO."""

        def __init__(self, encoder, decoder, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.encoder = encoder
            self.decoder = decoder
            self.sampling = Sampling(seed=seed, name="sampling")
            self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
            self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

        @property
        def metrics(self):
            return [self.reconstruction_loss_tracker, self.kl_loss_tracker]

        def call(self, inputs):
            z_mean, _ = self.encoder(inputs)
            return self.decoder(z_mean)

        def _elbo_terms(self, data):
            """Return (total, reconstruction, kl) losses for one batch of (x, y) or x."""
            x, y = data if isinstance(data, tuple) else (data, data)
            z_mean, z_log_var = self.encoder(x)
            z = self.sampling([z_mean, z_log_var])
            reconstruction = self.decoder(z)
            pixel_bce = keras.losses.binary_crossentropy(y[..., None], reconstruction[..., None])
            # summed over every pixel (and channel: RGB images are (H, W, 3)), averaged over the batch
            reconstruction_loss = ops.mean(ops.sum(pixel_bce, axis=tuple(range(1, len(pixel_bce.shape)))))
            kl_loss = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
            kl_loss = ops.mean(ops.sum(kl_loss, axis=1))
            return reconstruction_loss + kl_loss, reconstruction_loss, kl_loss

        def _track_losses(self, total_loss, reconstruction_loss, kl_loss):
            """Update the loss trackers and return their current means; "loss" is the sum of the two terms' means
            (the mean of the batch totals, which it equals, came out different in its last bits from one process
            to the next although the weights did not, so the same inputs did not give the same site)."""
            del total_loss  # the gradient's; its mean is the sum of the terms' means
            self.reconstruction_loss_tracker.update_state(reconstruction_loss)
            self.kl_loss_tracker.update_state(kl_loss)
            reconstruction, kl = self.reconstruction_loss_tracker.result(), self.kl_loss_tracker.result()
            return {"loss": reconstruction + kl, "reconstruction_loss": reconstruction, "kl_loss": kl}

        def train_step(self, data):
            # Under a tf.distribute strategy (MirroredStrategy's fit) each replica runs this step on its share of
            # the global batch and the optimizer sums the replicas' gradients: each replica's mean is scaled by
            # 1/replicas so the sum is the gradient of the global mean (as Keras's own train_step does).
            replicas = tf.distribute.get_strategy().num_replicas_in_sync
            with tf.GradientTape() as tape:
                total_loss, reconstruction_loss, kl_loss = self._elbo_terms(data)
                scaled = total_loss if replicas == 1 else total_loss / replicas
            grads = tape.gradient(scaled, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            return self._track_losses(total_loss, reconstruction_loss, kl_loss)

        def test_step(self, data):
            return self._track_losses(*self._elbo_terms(data))

    return {"Sampling": Sampling, "VAE": VAE}


def __getattr__(name):
    """Resolve ``Sampling`` and ``VAE`` lazily (PEP 562), importing Keras then."""
    if name in ("Sampling", "VAE"):
        return _keras_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def mean_encoder(encoder):
    """Return the exportable image -> z_mean model ("encoder"), sharing ``encoder``'s layers."""
    import keras

    z_mean = encoder.get_layer("z_mean").output
    return keras.Model(encoder.inputs, z_mean, name="encoder")


def build_vae(input_shape=(28, 28), hidden=(256, 128), latent_dim=2, learning_rate=1e-3, seed=None):
    """Return a compiled ``(vae, encoder, decoder)``; encoder outputs [z_mean, z_log_var].

    Parameters
    ----------
    input_shape : (int, int), default (28, 28)
        Image height and width; inputs are float32 in [0, 1], no channel axis.
    hidden : sequence of int, default (256, 128)
        Widths of the encoder's ReLU layers; the decoder uses them reversed.
    latent_dim : int, default 2
        Size of the latent space.
    learning_rate : float, default 1e-3
        Adam learning rate.
    seed : int or None, default None
        Seed of the sampling noise; None draws one from the global seed that
        ``seed_everything`` sets.

    Use ``mean_encoder(encoder)`` to get the single-output encoder for export.
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
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var], name="encoder")

    # Decoder
    decoder = build_decoder(image_shape, hidden, latent_dim)

    return build_vae_from(encoder, decoder, learning_rate, seed=seed), encoder, decoder


def build_vae_from(encoder, decoder, learning_rate=1e-3, seed=None):
    """Return the compiled VAE around any ``encoder`` (image -> [z_mean, z_log_var]) and ``decoder``.

    The encoder's z_mean output layer must be named "z_mean" (for ``mean_encoder``);
    the decoder must output images shaped like the encoder's input. Used by
    ``build_vae`` (dense) and ``zoo.build_conv_vae`` (convolutional).
    """
    import keras

    check_positive("learning_rate", learning_rate, integer=False)
    vae = _keras_classes()["VAE"](encoder, decoder, seed=seed, name="vae")
    vae.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate))
    return vae

"""Keras model builders and the seeded trainer behind the explorable figures.

This package deliberately imports nothing: TensorFlow and Keras are imported
inside the builder functions, so ``import generator.models`` stays cheap on a
no-op rebuild. Import the submodule you need:

- :mod:`generator.models.dense`: ``build_autoencoder`` (dense autoencoder with a
  linear 2-D code, for MNIST-sized images) and ``build_decoder`` (its decoder,
  shared with the VAE).
- :mod:`generator.models.vae`: ``build_vae`` (variational autoencoder, keras-io
  style ``train_step``), ``mean_encoder`` (the exportable image -> ``z_mean``
  model) and the ``Sampling`` layer.
- :mod:`generator.models.faces`: ``build_face_autoencoder`` (convolutional
  autoencoder for grayscale faces of any size, decoder output exactly (H, W)).
- :mod:`generator.models.train`: ``seed_everything`` and ``train``.

Conventions shared by every builder:

- Images are float32 arrays in [0, 1] of shape (N, H, W); no channel axis.
- Builders return ``(model, encoder, decoder)``; the sub-models are named
  ``"encoder"`` and ``"decoder"`` and every layer has an explicit name, so
  exported weight names do not depend on how many models a process built.
- Models meant for export (``encoder``, ``decoder`` and the VAE's
  ``mean_encoder``) use only ``generator.tfjs.layers.SUPPORTED_LAYERS``, the layer types the
  hand-written TF.js exporter supports.
- Builders take no seed (except the VAE's sampling seed): call
  ``seed_everything(seed)`` *before* building so initial weights are fixed.
- Hyper-parameters are arguments with documented defaults; callers pass the
  values from ``site.toml``.
"""

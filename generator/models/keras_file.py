"""An author's model trained elsewhere: a Keras 3 ``.keras`` file, read in the ``train`` stage, never retrained.

Two forms (``[models.<name>]`` in site.toml):

- ``file``: one model holding sub-models named "encoder" and "decoder" (an autoencoder built as
  ``keras.Model(x, decoder(encoder(x)))``);
- ``encoder`` and ``decoder``: two files, one model each.

:func:`load` reads the weights and checks the shapes against the data set's images. Before any stage,
:func:`generator.models.checks.inspect` has read the archives' ``config.json`` (the file, its sub-models, its
layers, the shapes it can tell): that module imports the exporter's layer table, this one must not (the
``train`` stage's key covers the modules it imports). A VAE's encoder may output [z_mean, z_log_var]; its
first output places the points.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import ModelError

SAVE_HINT = "save it from Keras 3 with model.save('name.keras')"
GRAY_HINT = (
    " (gray images have no channel axis: start the encoder with keras.Input((H, W)) and "
    "keras.layers.Reshape((H, W, 1)), end the decoder with keras.layers.Reshape((H, W)))"
)


def load(spec: dict, image_shape: tuple[int, ...], where: str, shown: dict | None = None) -> dict:
    """{"encoder", "decoder"} Keras models of the author's file(s), checked against the data set's images.

    ``image_shape`` is the data set's (H, W) or (H, W, 3). The encoder must take that shape and output a flat
    code (the first of its outputs: a VAE's z_mean); the decoder must turn such a code back into that shape.
    ``shown`` names the files in messages ({key of spec: path}; default: spec's paths), so that reading the
    copies kept in a train artifact still names the author's files.
    """
    import keras

    shown = {key: str((shown or {}).get(key) or path) for key, path in spec.items() if path}

    def read(key: str):
        try:
            return keras.saving.load_model(Path(spec[key]), compile=False, safe_mode=True)
        except Exception as exc:  # Keras raises TypeError/ValueError for unknown classes, bad archives, ...
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(
                f"{shown[key]} cannot be loaded by Keras ({first[:300]}); custom layers and models are not "
                "supported: save the encoder and decoder as plain functional models with built-in layers",
                where=where,
            ) from None

    if spec.get("file"):
        whole = read("file")
        encoder, decoder = whole.get_layer("encoder"), whole.get_layer("decoder")
        names = {"encoder": shown["file"], "decoder": shown["file"]}
    else:
        encoder, decoder = read("encoder"), read("decoder")
        names = {"encoder": shown["encoder"], "decoder": shown["decoder"]}
    if len(encoder.outputs) > 1:  # a VAE's [z_mean, z_log_var]: the mean places the points
        encoder = keras.Model(encoder.inputs, encoder.outputs[0], name="encoder")
    shapes = {
        "encoder": tuple(encoder.inputs[0].shape[1:]),
        "code": tuple(encoder.outputs[0].shape[1:]),
        "decoder": tuple(decoder.inputs[0].shape[1:]),
        "image": tuple(decoder.outputs[0].shape[1:]),
    }
    problem = fit_problem(names, shapes, [tuple(image_shape)])
    if problem:
        raise ModelError(problem, where=where)
    return {"encoder": encoder, "decoder": decoder}


def fit_problem(names: dict[str, str], shapes: dict[str, tuple | None], images: list[tuple]) -> str | None:
    """How a model's shapes do not fit its data set's images (the first problem), or None if they fit.

    ``names``: the file of the encoder and of the decoder, for the message; ``shapes``: the encoder's input,
    its output ("code"), the decoder's input and output ("image"), without the batch axis (None where not
    known: a file's config does not always tell); ``images``: the shapes the
    data set's images may have ((H, W), (H, W, 3), or both while its colour is not known).
    """
    wanted = " if gray or ".join(show_shape(shape) for shape in images) + (" if in colour" if len(images) > 1 else "")
    hint = GRAY_HINT if any(len(shape) == 2 for shape in images) else ""
    got = shapes.get("encoder")
    if got is not None and not any(_fits(got, shape) for shape in images):
        return (
            f"{names['encoder']}: the encoder takes inputs of shape {show_shape(got)}, but the data set's images are "
            f"{wanted}{hint}; train it on images of that size (or set the data set's size = [h, w])"
        )
    code, decoder_in = shapes.get("code"), shapes.get("decoder")
    if code is not None and len(code) != 1:
        return f"{names['encoder']}: the encoder outputs {show_shape(code)}; allowed: a flat code (latent_dim,)"
    if code is not None and decoder_in is not None and not _fits(decoder_in, code):
        return (
            f"{names['decoder']}: the decoder takes inputs of shape {show_shape(decoder_in)}, but the encoder outputs "
            f"codes of shape {show_shape(code)}; allowed: a decoder whose input is the encoder's code (the same latent "
            "size)"
        )
    out = shapes.get("image")
    if out is not None and not any(_fits(out, shape) for shape in images):
        return (
            f"{names['decoder']}: the decoder outputs {show_shape(out)}, but the data set's images are {wanted}{hint}"
        )
    return None


def _fits(shape: tuple, wanted: tuple) -> bool:
    return tuple(shape) == tuple(wanted)


def show_shape(shape: tuple) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ")"

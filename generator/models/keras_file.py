"""An author's model trained elsewhere: a Keras 3 ``.keras`` file, read and checked, never retrained.

Two forms (``[models.<name>]`` in site.toml):

- ``file``: one model holding sub-models named "encoder" and "decoder" (an autoencoder built as
  ``keras.Model(x, decoder(encoder(x)))``);
- ``encoder`` and ``decoder``: two files, one model each.

:func:`inspect` reads only the archive's ``config.json`` (no TensorFlow): it is run on every build before
any stage, so a wrong file, a missing sub-model or a layer the page cannot run is one message naming the
file and the layer, listing what is allowed. :func:`load` reads the weights (in the ``train`` stage) and
checks the shapes against the data set. A VAE's encoder may output [z_mean, z_log_var]; its first output
places the points.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from generator.errors import ModelError

SAVE_HINT = "save it from Keras 3 with model.save('name.keras')"
#: The keys of a [models.<name>] table that name .keras files.
FILE_KEYS = ("file", "encoder", "decoder")
#: Model classes that nest layers; every other class is a layer the exporter must support.
NESTED = ("Functional", "Sequential", "Model")
_GRAY_HINT = (
    " (gray images have no channel axis: start the encoder with keras.Input((H, W)) and "
    "keras.layers.Reshape((H, W, 1)), end the decoder with keras.layers.Reshape((H, W)))"
)


def _config(path: Path, where: str) -> dict:
    try:
        head = path.read_bytes()[:8]
    except FileNotFoundError:
        raise ModelError(
            f"{path} does not exist; give the path of a .keras file (relative to the settings file)", where=where
        ) from None
    except IsADirectoryError:
        raise ModelError(f"{path} is a folder; allowed: a .keras file ({SAVE_HINT})", where=where) from None
    except OSError as exc:
        raise ModelError(f"{path} cannot be read: {exc.strerror or exc}", where=where) from None
    if head.startswith(b"\x89HDF"):
        raise ModelError(
            f"{path} is an HDF5 (.h5) file from Keras 2; load it with Keras 3 and save it again as .keras", where=where
        )
    try:
        with zipfile.ZipFile(path) as archive:
            data = json.loads(archive.read("config.json"))
            if "model.weights.h5" not in archive.namelist():
                raise ModelError(f"{path} holds no weights (model.weights.h5); {SAVE_HINT}", where=where)
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError, OSError):
        raise ModelError(
            f"{path} is not a Keras 3 .keras file (a zip holding config.json); {SAVE_HINT}", where=where
        ) from None
    if not isinstance(data, dict) or "config" not in data:
        raise ModelError(
            f"{path} is not a Keras 3 .keras file (its config.json holds no model); {SAVE_HINT}", where=where
        )
    return data


def _name(entry: dict) -> str:
    config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
    return str(entry.get("name") or config.get("name") or "?")


def _layers(entry: dict) -> list[dict]:
    config = entry.get("config")
    if isinstance(config, dict) and isinstance(config.get("layers"), list):
        return [layer for layer in config["layers"] if isinstance(layer, dict)]
    return []


def _leaves(entry: dict) -> list[tuple[str, str]]:
    """(layer name, class name) of every layer of a model, nested models flattened."""
    out = []
    for layer in _layers(entry):
        if layer.get("class_name") in NESTED or _layers(layer):
            out.extend(_leaves(layer))
        else:
            out.append((_name(layer), str(layer.get("registered_name") or layer.get("class_name"))))
    return out


def _check_layers(entry: dict, part: str, path: Path, where: str) -> None:
    from generator.tfjs.layers import SUPPORTED_LAYERS

    for name, cls in _leaves(entry):
        if cls not in SUPPORTED_LAYERS:
            supported = ", ".join(sorted(SUPPORTED_LAYERS))
            raise ModelError(
                f"{path}: layer {name!r} ({cls}) of the {part} cannot run in the page; supported layers: {supported}",
                where=where,
            )


def inspect(spec: dict, where: str) -> dict[str, Any]:
    """Check the model file(s) of an author's ``spec`` without TensorFlow; return {part: input shape}.

    ModelError (naming ``where``, the settings line) for a missing or unreadable file, a file that is not a
    Keras 3 archive, a missing "encoder"/"decoder" sub-model or an unsupported layer.
    """
    parts: dict[str, dict] = {}
    if spec.get("file"):
        path = Path(spec["file"])
        top = _config(path, where)
        nested = {_name(layer): layer for layer in _layers(top) if layer.get("class_name") in NESTED}
        for part in ("encoder", "decoder"):
            if part not in nested:
                held = ", ".join(repr(n) for n in nested) or "no sub-models"
                raise ModelError(
                    f"{path} has no sub-model named {part!r} (it holds {held}); build the autoencoder as "
                    "keras.Model(x, decoder(encoder(x))) with keras.Model(..., name='encoder') and name='decoder', "
                    'or give encoder = "..." and decoder = "..." as two files',
                    where=where,
                )
            parts[part] = nested[part]
        files = {"encoder": path, "decoder": path}
    else:
        files = {part: Path(spec[part]) for part in ("encoder", "decoder")}
        parts = {part: _config(files[part], where) for part in files}
    shapes = {}
    for part, entry in parts.items():
        _check_layers(entry, part, files[part], where)
        shapes[part] = _input_shape(entry)
    return shapes


def _input_shape(entry: dict) -> list | None:
    for layer in _layers(entry):
        if layer.get("class_name") == "InputLayer":
            config = layer.get("config") or {}
            shape = config.get("batch_shape") or config.get("batch_input_shape")
            return list(shape[1:]) if isinstance(shape, list) else None
    return None


def load(spec: dict, image_shape: tuple[int, ...], where: str, shown: dict | None = None) -> dict:
    """{"encoder", "decoder"} Keras models of the author's file(s), checked against the data set's images.

    ``image_shape`` is the data set's (H, W) or (H, W, 3). The encoder must take that shape and output a flat
    code (the first of its outputs: a VAE's z_mean); the decoder must turn such a code back into that shape.
    ``shown`` names the files in messages ({key of spec: path}; default: spec's paths), so that reading the
    copies kept in a train artifact still names the author's files.
    """
    import keras

    shown = {key: str((shown or {}).get(key) or spec[key]) for key in FILE_KEYS if spec.get(key)}

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
    wanted = tuple(image_shape)
    got = tuple(encoder.inputs[0].shape[1:])
    if got != wanted:
        raise ModelError(
            f"{names['encoder']}: the encoder takes inputs of shape {_shape(got)}, but the data set's images are "
            f"{_shape(wanted)}{_GRAY_HINT if len(wanted) == 2 else ''}; train it on images of that size (or set the "
            "data set's size = [h, w])",
            where=where,
        )
    code = tuple(encoder.outputs[0].shape[1:])
    if len(code) != 1:
        raise ModelError(
            f"{names['encoder']}: the encoder outputs {_shape(code)}; allowed: a flat code (latent_dim,)", where=where
        )
    decoder_in = tuple(decoder.inputs[0].shape[1:])
    if decoder_in != code:
        raise ModelError(
            f"{names['decoder']}: the decoder takes inputs of shape {_shape(decoder_in)}, but the encoder outputs codes "
            f"of shape {_shape(code)}; allowed: a decoder whose input is the encoder's code (the same latent size)",
            where=where,
        )
    out = tuple(decoder.outputs[0].shape[1:])
    if out != wanted:
        raise ModelError(
            f"{names['decoder']}: the decoder outputs {_shape(out)}, but the data set's images are "
            f"{_shape(wanted)}{_GRAY_HINT if len(wanted) == 2 else ''}",
            where=where,
        )
    return {"encoder": encoder, "decoder": decoder}


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ")"

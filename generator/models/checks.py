"""The author's ``[models.<name>]`` checked before any stage runs: cheap, no TensorFlow.

- :func:`inspect` reads a ``.keras`` archive's ``config.json`` only: a wrong file, a missing "encoder" or
  "decoder" sub-model or a layer the page cannot run (the exporter's table, generator/tfjs/layers.py) is one
  message naming the file and the layer, listing what is allowed; it returns the shapes the config tells.
- :func:`check_models` (run by :func:`generator.stages.check_inputs`) compares every model with its data set's
  images: a file's encoder input, code and decoder output, a conv family's image size. One ModelError naming
  the settings line.
- :func:`image_shapes`: the shapes the dataset stage will give a data set's images, from its settings and a
  few decoded images or an array header.

Stages never import this module (their keys cover the modules they import, and the exporter's table shapes
no trained model): the ``train`` stage reads the files with :mod:`generator.models.keras_file`.
"""

from __future__ import annotations

import json
import math
import zipfile
import zlib
from pathlib import Path
from typing import Any

from generator.errors import ModelError
from generator.models.families import conv_advice, conv_problem
from generator.models.keras_file import SAVE_HINT, fit_problem

#: Model classes that nest layers; every other class is a layer the exporter must support.
NESTED = ("Functional", "Sequential", "Model")
#: Images of a data set decoded to learn its size and colour (the first of each class in turn).
PEEK = 8
_inspected: dict[tuple, dict[str, Any]] = {}


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


def file_names(spec: dict) -> dict[str, str]:
    """The file holding the encoder and the one holding the decoder of a file model, for messages."""
    return {part: spec["file"] or spec[part] for part in ("encoder", "decoder")}


def inspect(spec: dict, where: str) -> dict[str, tuple | None]:
    """Check the model file(s) of an author's ``spec`` without TensorFlow; return the shapes the configs tell.

    {"encoder": its input, "code": its (first) output, "decoder": its input, "image": its output}, without the
    batch axis; None where the config does not tell. ModelError (naming ``where``, the settings line) for a
    missing or unreadable file, a file that is not a Keras 3 archive, a missing "encoder"/"decoder" sub-model
    or an unsupported layer. Kept for the process while the files' sizes and times stay the same.
    """
    paths = [Path(p) for p in dict.fromkeys(file_names(spec).values())]
    memo = (where, *(_stat(path) for path in paths))
    if memo not in _inspected:
        _inspected[memo] = _inspect(spec, where)
    return _inspected[memo]


def _stat(path: Path) -> tuple:
    try:
        stat = path.stat()
        return str(path), stat.st_size, stat.st_mtime_ns
    except OSError:
        return str(path), -1, 0


def _inspect(spec: dict, where: str) -> dict[str, tuple | None]:
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
    for part, entry in parts.items():
        _check_layers(entry, part, files[part], where)
    return {
        "encoder": _input_shape(parts["encoder"]),
        "code": _output_shape(parts["encoder"]),
        "decoder": _input_shape(parts["decoder"]),
        "image": _output_shape(parts["decoder"]),
    }


def _input_shape(entry: dict) -> tuple | None:
    for layer in _layers(entry):
        if layer.get("class_name") == "InputLayer":
            config = layer.get("config") or {}
            shape = config.get("batch_shape") or config.get("batch_input_shape")
            return tuple(shape[1:]) if isinstance(shape, list) else None
    return None


def _output_shape(entry: dict) -> tuple | None:
    """The shape of a model's (first) output from its config, where its layers tell; else None."""
    try:
        layers = _layers(entry)
        outputs = (entry.get("config") or {}).get("output_layers")
        if not outputs:  # a Sequential model: its layers in turn, from its input's shape
            shape = _input_shape(entry)
            for layer in layers:
                if layer.get("class_name") != "InputLayer":
                    shape = None if shape is None or _layers(layer) else _layer_output(layer, shape)
            return shape
        first = outputs[0] if isinstance(outputs[0], list) else outputs  # [name, node, tensor], or a list of them
        layer = next(layer for layer in layers if _name(layer) == first[0])
        if layer.get("class_name") in NESTED or _layers(layer):
            return _output_shape(layer)
        return _layer_output(layer, _layer_input(layer))
    except (StopIteration, IndexError, KeyError, TypeError, ValueError, AttributeError):
        return None


def _layer_input(layer: dict) -> tuple | None:
    """The shape of a functional model's layer's input: its inbound tensor's, or the one it was built with."""
    nodes = layer.get("inbound_nodes") or []
    args = nodes[0].get("args") if nodes and isinstance(nodes[0], dict) else None
    tensor = args[0] if args else None
    if isinstance(tensor, dict) and tensor.get("class_name") == "__keras_tensor__":
        shape = tensor["config"]["shape"]
    else:
        shape = (layer.get("build_config") or {}).get("input_shape")
    return tuple(shape[1:]) if isinstance(shape, list) else None


def _layer_output(layer: dict, shape: tuple | None) -> tuple | None:
    """The output shape of a (supported) layer given its input's, without the batch axis; None if unknown."""
    cls, config = layer.get("class_name"), layer.get("config") or {}
    target = tuple(config["target_shape"]) if cls == "Reshape" else ()
    if target and -1 not in target:
        return target
    if shape is None or None in shape:
        return None
    if target:  # one side -1: what the others leave of the input
        rest = math.prod(shape) // -math.prod(target)
        return tuple(rest if side == -1 else side for side in target)
    if cls in ("Activation", "BatchNormalization", "Dropout"):
        return shape
    if cls == "Dense":
        return (*shape[:-1], int(config["units"]))
    if cls == "Flatten":
        return (math.prod(shape),)
    if len(shape) != 3 or config.get("data_format", "channels_last") != "channels_last":
        return None
    if cls == "UpSampling2D":
        size = config["size"]
        return shape[0] * size[0], shape[1] * size[1], shape[2]
    if cls not in ("Conv2D", "Conv2DTranspose", "MaxPooling2D"):
        return None
    if any(d != 1 for d in config.get("dilation_rate") or (1, 1)) or config.get("output_padding"):
        return None
    kernel = config.get("kernel_size") or config["pool_size"]
    strides = config.get("strides") or kernel
    same = config.get("padding") == "same"
    sides = []
    for n, k, s in zip(shape[:2], kernel, strides):
        if cls == "Conv2DTranspose":
            sides.append(n * s if same else n * s + max(k - s, 0))
        else:
            sides.append(-(-n // s) if same else (n - k) // s + 1)
    return (*sides, shape[2] if cls == "MaxPooling2D" else int(config["filters"]))


def image_shapes(cfg, dataset: str) -> list[tuple[int, ...]] | None:
    """The shapes the dataset stage will give ``dataset``'s images: [(H, W)] gray, [(H, W, 3)] RGB, or both while
    its colour is not known without reading every image; None where its size is not known cheaply (the faces,
    an IDX folder without ``size``, images that cannot be read: the ``train`` stage checks then)."""
    from generator.datasets.registry import is_user_dataset, user_datasets

    if dataset in ("mnist", "fashion-mnist"):
        return [(28, 28)]
    if not is_user_dataset(cfg, dataset):
        return None
    spec = user_datasets(cfg)[dataset]
    size = tuple(spec["size"]) if spec.get("size") else None
    color = spec.get("color") or ""
    seen = None if size and color else _peek(Path(spec["path"]), size)
    if seen is None and not (size and color):
        return None
    side, rgb = (size, None) if seen is None else (size or seen[0], seen[1])
    height, width = side
    if color:
        rgb = color == "rgb"
    return [(height, width)] if rgb is False else [(height, width, 3)] if rgb else [(height, width), (height, width, 3)]


# What a quick look at a data set may raise (NotImplementedError, RuntimeError: a .zip member compressed by an
# unknown method, or encrypted), beside the data sets' own DataError.
_PEEK_ERRORS = (
    OSError,
    ValueError,
    KeyError,
    IndexError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    zipfile.BadZipFile,
    zlib.error,
)


def _peek(path: Path, size: tuple | None) -> tuple[tuple[int, int], bool | None] | None:
    """((H, W), RGB?) of a data set's path from a few images or its arrays' headers; RGB? is None when only every
    image could tell. None when the size cannot be known cheaply."""
    from generator.datasets import images
    from generator.datasets.arrays import npz_names
    from generator.datasets.user import path_form
    from generator.errors import DataError

    try:
        form = path_form(path)
        if form == "npz":
            with zipfile.ZipFile(path) as archive:
                members = {i.filename[:-4]: i.filename for i in archive.infolist() if i.filename.endswith(".npy")}
                roles = npz_names(sorted(members), path)
                shapes = [_npy_shape(archive, members[roles[role]]) for role in ("x", "x_test") if role in roles]
            shapes = [s[:3] if len(s) == 4 and s[3] == 1 else s for s in shapes]  # (N, H, W, 1) is gray
            return (size or shapes[0][1:3]), (False if all(len(s) == 3 for s in shapes) else None)
        if form != "images":
            return None
        listing = images.list_images(path)
        if listing.labels is None:
            sample = list(range(min(len(listing.names), PEEK)))
        else:
            firsts = [(listing.labels == c).nonzero()[0][:1] for c in range(len(listing.classes))]
            sample = sorted(int(i) for first in firsts for i in first)[:PEEK]
        decoded = []
        with listing.reader() as read:
            for i in sample:
                a, _ = images.decode(read(i))
                if a is not None:
                    decoded.append(a)
        if not decoded:
            return None
        return (size or decoded[0].shape[:2]), (True if not all(images.is_grey(a) for a in decoded) else None)
    except (DataError, *_PEEK_ERRORS):
        return None  # the data set's own check has spoken; the train stage checks the rest


def _npy_shape(archive: zipfile.ZipFile, member: str) -> tuple[int, ...]:
    import numpy as np

    with archive.open(member) as handle:
        version = np.lib.format.read_magic(handle)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        return tuple(read(handle)[0])


def check_models(cfg) -> None:
    """Every author's model against its data set, before any stage: ModelError naming the settings line.

    A file model's configs are read (:func:`inspect`) and their shapes compared with the data set's images; a
    conv or conv-vae model must be able to decode its data set's image size (:func:`conv_problem`).
    """
    from generator.datasets.registry import is_user_dataset
    from generator.models.registry import reads_file, user_models

    shapes: dict[str, list | None] = {}
    for name, spec in user_models(cfg).items():
        where = cfg.model_origins[name]
        found = inspect(spec, where) if reads_file(spec) else None
        if found is None and spec["architecture"] not in ("conv", "conv-vae"):
            continue
        dataset = spec["dataset"]
        if dataset not in shapes:
            shapes[dataset] = image_shapes(cfg, dataset)
        if shapes[dataset] is None:
            continue
        if found is not None:
            problem = fit_problem(file_names(spec), found, shapes[dataset])
        else:
            height, width = shapes[dataset][0][:2]
            problem = conv_problem(height, width)
            if problem:
                problem = conv_advice(name, spec["architecture"], dataset, is_user_dataset(cfg, dataset), problem)
        if problem:
            raise ModelError(problem, where=where)


def check_face_size(size) -> None:
    """The face decoder reaches ``[data] celeba_size`` from a small grid by halving: a long, narrow size cannot."""
    from generator.errors import ConfigError
    from generator.models.faces import plan_upsampling

    try:
        plan_upsampling(tuple(size), fine_last=True)
    except ValueError:
        raise ConfigError(
            f"{list(size)} is too long and narrow for the face decoder, which halves both sides down to a grid of "
            "at most 8 x 8; allowed: a height and width within about 4 times of each other, e.g. [218, 178]",
            where="[data] celeba_size",
        ) from None

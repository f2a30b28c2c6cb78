"""Export a Keras 3 model as a TensorFlow.js layers model (``model.json`` + one shard).

The ``tensorflowjs`` pip package is not used (it pulls in ~1.4 GB, downgrades
numpy/protobuf, and its Keras 3 topology does not load in @tensorflow/tfjs
4.22). Instead this module writes the TF.js layers format itself:

- ``model.json``: ``{"format": "layers-model", "generatedBy", "convertedBy":
  "explorables exporter", "modelTopology": {"class_name": "Model", "config",
  "keras_version", "backend"}, "weightsManifest": [{"paths", "weights"}]}``;
- ``group1-shard1of1.bin``: the weights, little-endian, concatenated in
  manifest order.

Each layer's TF.js config is rebuilt from the layer object for a fixed list of
layer types (:data:`SUPPORTED_LAYERS`), not copied from ``get_config()``: that
is what makes the topology load in TF.js 4.22 (``batch_input_shape`` for
InputLayer, old nested-list ``inbound_nodes``, nested-list ``input_layers`` /
``output_layers``, plain ``"float32"`` dtypes, no ``module`` /
``registered_name`` / Keras-3-only keys), and it lets the exporter refuse any
option whose TF.js semantics differ from Keras (``channels_first``, bilinear
up-sampling, dilated transposed convolutions, ``output_padding``, activations
TF.js lacks or computes differently, ...). Anything else raises
:class:`~generator.errors.ExportError`; a wrong model is never written silently.

Weights may be stored as float32, float16, uint16 or uint8 using the TF.js
manifest ``quantization`` field (affine ``min``/``scale`` per tensor for the
integer types, like the TF.js converter). :func:`export_best` picks the
smallest encoding whose predictions, computed in Keras from exactly the values
TF.js will decode, stay within ``max_error`` of the float32 model.

Keras, TensorFlow and numpy are imported inside the functions, so importing this
module is cheap (the build imports it on no-op rebuilds).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any

from generator.errors import ExportError

__all__ = [
    "SUPPORTED_LAYERS",
    "DTYPES",
    "MODEL_FILE",
    "SHARD_FILE",
    "CONVERTED_BY",
    "export_model",
    "export_best",
]

#: Keras layer classes the exporter can translate (exact classes from ``keras.layers``).
SUPPORTED_LAYERS: tuple[str, ...] = (
    "InputLayer",
    "Dense",
    "Reshape",
    "Flatten",
    "Conv2D",
    "Conv2DTranspose",
    "UpSampling2D",
    "MaxPooling2D",
    "BatchNormalization",
    "Activation",
    "Dropout",
)

#: Weight encodings, largest first. ``uint16`` is available but not a default candidate.
DTYPES: tuple[str, ...] = ("float32", "float16", "uint16", "uint8")

MODEL_FILE = "model.json"
SHARD_FILE = "group1-shard1of1.bin"
CONVERTED_BY = "explorables exporter"

# Keras activation name -> TF.js activation name, only where both compute the same
# function. (Keras 3 "hard_sigmoid" is relu6(x + 3) / 6 but TF.js uses 0.2 x + 0.5;
# "leaky_relu", "log_softmax", "hard_silu", ... have no TF.js string activation.)
_ACTIVATIONS = {
    "linear": "linear",
    "relu": "relu",
    "relu6": "relu6",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "softmax": "softmax",
    "elu": "elu",
    "selu": "selu",
    "softplus": "softplus",
    "softsign": "softsign",
    "silu": "swish",
    "swish": "swish",
    "gelu": "gelu",  # Keras default approximate=False; TF.js "gelu" uses erf too
    "mish": "mish",
}

# Keras initializer class -> (TF.js class, config keys kept). Initializers do not
# affect inference (the weights are loaded), but TF.js deserializes them.
_INITIALIZERS = {
    "Zeros": ("Zeros", ()),
    "Ones": ("Ones", ()),
    "Constant": ("Constant", ("value",)),
    "RandomNormal": ("RandomNormal", ("mean", "stddev", "seed")),
    "RandomUniform": ("RandomUniform", ("minval", "maxval", "seed")),
    "TruncatedNormal": ("TruncatedNormal", ("mean", "stddev", "seed")),
    "GlorotUniform": ("GlorotUniform", ("seed",)),
    "GlorotNormal": ("GlorotNormal", ("seed",)),
    "HeUniform": ("HeUniform", ("seed",)),
    "HeNormal": ("HeNormal", ("seed",)),
    "LecunUniform": ("LeCunUniform", ("seed",)),
    "LecunNormal": ("LeCunNormal", ("seed",)),
    "Orthogonal": ("Orthogonal", ("gain", "seed")),
}

_CONSTRAINTS = {
    "NonNeg": ("NonNeg", ()),
    "UnitNorm": ("UnitNorm", ("axis",)),
    "MaxNorm": ("MaxNorm", ("max_value", "axis")),
    "MinMaxNorm": ("MinMaxNorm", ("min_value", "max_value", "rate", "axis")),
}

# TF.js tensor / variable names must match this (tfjs-layers common.ts).
_TFJS_NAME = re.compile(r"^[A-Za-z0-9][-A-Za-z0-9._/]*$")

_QUANT_MAX = {"uint8": 255, "uint16": 65535}


# --------------------------------------------------------------------------------------
# Planning: Keras model -> TF.js topology + ordered weights
# --------------------------------------------------------------------------------------


@dataclass
class _Weight:
    name: str  # TF.js manifest name, "layer/kernel"
    layer: str  # Keras layer name
    key: str  # Keras variable name within the layer ("kernel", "moving_mean", ...)
    value: Any  # np.ndarray float32


@dataclass
class _Plan:
    topology: dict
    weights: list[_Weight] = field(default_factory=list)
    keras_version: str = ""

    @property
    def params(self) -> int:
        return int(sum(w.value.size for w in self.weights))


def _to_numpy(x):
    """Tensor or variable -> numpy array (``.numpy()`` avoids a numpy 2 warning in Keras)."""
    numpy_method = getattr(x, "numpy", None)
    if callable(numpy_method):
        return numpy_method()
    import keras

    return keras.ops.convert_to_numpy(x)


def _where(model, layer=None) -> str:
    name = getattr(model, "name", "?")
    if layer is None:
        return f"model '{name}'"
    return f"model '{name}', layer '{layer.name}'"


def _supported_list() -> str:
    return ", ".join(SUPPORTED_LAYERS)


def _fail(model, layer, message: str):
    raise ExportError(message, where=_where(model, layer))


def _activation_name(model, layer, fn) -> str:
    import keras

    for name, tfjs_name in _ACTIVATIONS.items():
        try:
            if keras.activations.get(name) is fn:
                return tfjs_name
        except Exception:  # pragma: no cover - name missing in this Keras version
            continue
    name = getattr(fn, "__name__", None)
    shown = name if isinstance(name, str) else repr(fn)
    _fail(
        model,
        layer,
        f"layer '{layer.name}' ({type(layer).__name__}) uses activation {shown!r}, which "
        f"the TF.js exporter cannot translate exactly; supported activations: "
        f"{', '.join(sorted(_ACTIVATIONS))}",
    )


def _initializer(obj, default: str) -> dict:
    import keras

    try:
        ser = keras.initializers.serialize(obj) if obj is not None else None
    except Exception:
        ser = None
    if isinstance(ser, dict) and ser.get("class_name") in _INITIALIZERS:
        cls, keys = _INITIALIZERS[ser["class_name"]]
        cfg = ser.get("config") or {}
        out = {k: cfg[k] for k in keys if k in cfg and _jsonable(cfg[k])}
        return {"class_name": cls, "config": out}
    # Unknown / custom initializer: irrelevant for inference, use TF.js' default.
    return {"class_name": default, "config": {}}


def _regularizer(obj):
    import keras

    if obj is None:
        return None
    try:
        ser = keras.regularizers.serialize(obj)
    except Exception:
        return None
    if not isinstance(ser, dict):
        return None
    cfg = ser.get("config") or {}
    cls = ser.get("class_name")
    if cls in ("L1", "L2", "L1L2"):
        l1 = float(cfg.get("l1", 0.0) or 0.0)
        l2 = float(cfg.get("l2", 0.0) or 0.0)
        return {"class_name": "L1L2", "config": {"l1": l1, "l2": l2}}
    return None  # regularizers only matter for training


def _constraint(obj):
    import keras

    if obj is None:
        return None
    try:
        ser = keras.constraints.serialize(obj)
    except Exception:
        return None
    if isinstance(ser, dict) and ser.get("class_name") in _CONSTRAINTS:
        cls, keys = _CONSTRAINTS[ser["class_name"]]
        cfg = ser.get("config") or {}
        return {"class_name": cls, "config": {k: cfg[k] for k in keys if k in cfg}}
    return None  # constraints only matter for training


def _jsonable(value) -> bool:
    try:
        json.dumps(value, allow_nan=False)
        return True
    except (TypeError, ValueError):
        return False


def _int_list(values) -> list[int]:
    return [int(v) for v in values]


def _shape_list(shape) -> list:
    return [None if d is None else int(d) for d in shape]


def _common(layer) -> dict:
    return {"name": layer.name, "trainable": bool(layer.trainable), "dtype": "float32"}


def _check_channels_last(model, layer):
    fmt = getattr(layer, "data_format", "channels_last")
    if fmt != "channels_last":
        _fail(
            model,
            layer,
            f"layer '{layer.name}' ({type(layer).__name__}) uses data_format={fmt!r}; "
            "the TF.js exporter supports only 'channels_last'",
        )


def _check_weights(model, layer, expected: list[str]):
    names = [w.name for w in layer.weights]
    if sorted(names) != sorted(expected):
        _fail(
            model,
            layer,
            f"layer '{layer.name}' ({type(layer).__name__}) has weights {names}, expected "
            f"{expected} (LoRA, quantized or otherwise modified layers cannot be exported)",
        )
    by_name = {w.name: w for w in layer.weights}
    for key in expected:
        dt = str(getattr(by_name[key], "dtype", "float32"))
        if dt != "float32":
            _fail(
                model,
                layer,
                f"weight '{layer.name}/{key}' has dtype {dt}; the TF.js exporter needs float32 "
                "weights",
            )
    return [by_name[k] for k in expected]


def _conv_common(model, layer) -> dict:
    _check_channels_last(model, layer)
    padding = str(layer.padding).lower()
    if padding not in ("valid", "same"):
        _fail(model, layer, f"layer '{layer.name}' uses padding={padding!r}; supported: 'valid', 'same'")
    return {
        "filters": int(layer.filters),
        "kernel_size": _int_list(layer.kernel_size),
        "strides": _int_list(layer.strides),
        "padding": padding,
        "data_format": "channels_last",
        "dilation_rate": _int_list(layer.dilation_rate),
        "activation": _activation_name(model, layer, layer.activation),
        "use_bias": bool(layer.use_bias),
        "kernel_initializer": _initializer(layer.kernel_initializer, "GlorotUniform"),
        "bias_initializer": _initializer(layer.bias_initializer, "Zeros"),
        "kernel_regularizer": _regularizer(layer.kernel_regularizer),
        "bias_regularizer": _regularizer(layer.bias_regularizer),
        "activity_regularizer": None,
        "kernel_constraint": _constraint(layer.kernel_constraint),
        "bias_constraint": _constraint(layer.bias_constraint),
    }


def _layer_config(model, layer) -> tuple[str, dict, list[str]]:
    """Return (TF.js class name, TF.js python-style config, ordered weight keys)."""
    import keras

    cls = type(layer).__name__
    if cls not in SUPPORTED_LAYERS or type(layer) is not getattr(keras.layers, cls, None):
        kind = cls if type(layer).__module__.startswith("keras.") else f"{cls} (from {type(layer).__module__})"
        _fail(
            model,
            layer,
            f"layer '{layer.name}' has type {kind}, which the TF.js exporter does not support; "
            f"supported layer types: {_supported_list()}",
        )
    if not _TFJS_NAME.match(layer.name):
        _fail(
            model,
            layer,
            f"layer name {layer.name!r} is not a valid TF.js name (letters, digits, '-', '_', "
            "'.', '/', starting with a letter or digit)",
        )
    policy = getattr(layer, "dtype_policy", None)
    policy_name = getattr(policy, "name", "float32")
    if cls != "InputLayer" and policy_name != "float32":
        _fail(
            model,
            layer,
            f"layer '{layer.name}' uses dtype policy {policy_name!r}; the TF.js exporter "
            "supports only 'float32'",
        )

    if cls == "InputLayer":
        cfg = layer.get_config()
        if cfg.get("sparse") or cfg.get("ragged"):
            _fail(model, layer, f"input '{layer.name}' is sparse or ragged; TF.js needs a dense input")
        dtype = str(cfg.get("dtype") or "float32")
        if isinstance(cfg.get("dtype"), dict):  # very old/new style policy dict
            dtype = str(cfg["dtype"].get("config", {}).get("name", "float32"))
        if dtype not in ("float32", "int32"):
            _fail(model, layer, f"input '{layer.name}' has dtype {dtype!r}; supported: float32, int32")
        shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
        if shape is None:
            _fail(model, layer, f"input '{layer.name}' has no batch shape")
        return (
            "InputLayer",
            {"batch_input_shape": _shape_list(shape), "dtype": dtype, "sparse": False, "name": layer.name},
            [],
        )

    conf = _common(layer)
    if cls == "Dense":
        conf.update(
            units=int(layer.units),
            activation=_activation_name(model, layer, layer.activation),
            use_bias=bool(layer.use_bias),
            kernel_initializer=_initializer(layer.kernel_initializer, "GlorotUniform"),
            bias_initializer=_initializer(layer.bias_initializer, "Zeros"),
            kernel_regularizer=_regularizer(layer.kernel_regularizer),
            bias_regularizer=_regularizer(layer.bias_regularizer),
            activity_regularizer=None,
            kernel_constraint=_constraint(layer.kernel_constraint),
            bias_constraint=_constraint(layer.bias_constraint),
        )
        return "Dense", conf, ["kernel", "bias"] if layer.use_bias else ["kernel"]

    if cls == "Conv2D":
        if int(getattr(layer, "groups", 1)) != 1:
            _fail(model, layer, f"layer '{layer.name}' uses groups={layer.groups}; TF.js supports only groups=1")
        conf.update(_conv_common(model, layer))
        return "Conv2D", conf, ["kernel", "bias"] if layer.use_bias else ["kernel"]

    if cls == "Conv2DTranspose":
        if tuple(_int_list(layer.dilation_rate)) != (1, 1):
            _fail(
                model,
                layer,
                f"layer '{layer.name}' uses dilation_rate={tuple(layer.dilation_rate)}; TF.js "
                "Conv2DTranspose supports only (1, 1)",
            )
        if getattr(layer, "output_padding", None) is not None:
            _fail(
                model,
                layer,
                f"layer '{layer.name}' sets output_padding={layer.output_padding}; TF.js "
                "Conv2DTranspose does not support output_padding",
            )
        conf.update(_conv_common(model, layer))
        return "Conv2DTranspose", conf, ["kernel", "bias"] if layer.use_bias else ["kernel"]

    if cls == "BatchNormalization":
        if getattr(layer, "renorm", False):
            _fail(model, layer, f"layer '{layer.name}' uses renorm=True; TF.js does not support it")
        axis = layer.axis
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                _fail(model, layer, f"layer '{layer.name}' normalises over several axes {axis}; unsupported")
            axis = axis[0]
        conf.update(
            axis=int(axis),
            momentum=float(layer.momentum),
            epsilon=float(layer.epsilon),
            center=bool(layer.center),
            scale=bool(layer.scale),
            beta_initializer=_initializer(getattr(layer, "beta_initializer", None), "Zeros"),
            gamma_initializer=_initializer(getattr(layer, "gamma_initializer", None), "Ones"),
            moving_mean_initializer=_initializer(getattr(layer, "moving_mean_initializer", None), "Zeros"),
            moving_variance_initializer=_initializer(
                getattr(layer, "moving_variance_initializer", None), "Ones"
            ),
            beta_regularizer=_regularizer(getattr(layer, "beta_regularizer", None)),
            gamma_regularizer=_regularizer(getattr(layer, "gamma_regularizer", None)),
            beta_constraint=_constraint(getattr(layer, "beta_constraint", None)),
            gamma_constraint=_constraint(getattr(layer, "gamma_constraint", None)),
        )
        keys = (["gamma"] if layer.scale else []) + (["beta"] if layer.center else [])
        return "BatchNormalization", conf, keys + ["moving_mean", "moving_variance"]

    if cls == "Reshape":
        conf["target_shape"] = _int_list(layer.target_shape)
        return "Reshape", conf, []

    if cls == "Flatten":
        _check_channels_last(model, layer)
        conf["data_format"] = "channels_last"
        return "Flatten", conf, []

    if cls == "UpSampling2D":
        _check_channels_last(model, layer)
        interpolation = str(getattr(layer, "interpolation", "nearest"))
        if interpolation != "nearest":
            _fail(
                model,
                layer,
                f"layer '{layer.name}' uses interpolation={interpolation!r}; only 'nearest' is "
                "supported (TF.js bilinear resizing uses different pixel centres than Keras)",
            )
        conf.update(size=_int_list(layer.size), data_format="channels_last", interpolation="nearest")
        return "UpSampling2D", conf, []

    if cls == "MaxPooling2D":
        _check_channels_last(model, layer)
        padding = str(layer.padding).lower()
        if padding not in ("valid", "same"):
            _fail(model, layer, f"layer '{layer.name}' uses padding={padding!r}; supported: 'valid', 'same'")
        conf.update(pool_size=_int_list(layer.pool_size), strides=_int_list(layer.strides), padding=padding,
                    data_format="channels_last")
        return "MaxPooling2D", conf, []

    if cls == "Activation":
        conf["activation"] = _activation_name(model, layer, layer.activation)
        return "Activation", conf, []

    if cls == "Dropout":
        noise_shape = getattr(layer, "noise_shape", None)
        conf.update(
            rate=float(layer.rate),
            noise_shape=None if noise_shape is None else _shape_list(noise_shape),
            seed=None,
        )
        return "Dropout", conf, []

    raise AssertionError(cls)  # pragma: no cover


def _keras_tensors(obj) -> list:
    """Flatten the ``__keras_tensor__`` entries of a Keras 3 node's args."""
    out = []
    if isinstance(obj, dict):
        if obj.get("class_name") == "__keras_tensor__":
            out.append(obj["config"]["keras_history"])
        else:
            for v in obj.values():
                out.extend(_keras_tensors(v))
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            out.extend(_keras_tensors(v))
    return out


def _inbound_nodes(model, layer, nodes) -> list:
    """Keras 3 ``inbound_nodes`` dicts -> TF.js ``[[[name, node, tensor, {}]]]`` lists."""
    converted = []
    for node in nodes or []:
        if isinstance(node, dict):
            history = _keras_tensors(node.get("args", []))
            kwargs = node.get("kwargs") or {}
            extra_tensors = _keras_tensors(kwargs)
            if extra_tensors:
                _fail(model, layer, f"layer '{layer.name}' receives tensors as keyword arguments; unsupported")
            for key, value in kwargs.items():
                if key == "mask" and value is None:
                    continue
                if key == "training" and value in (None, False):
                    continue
                _fail(
                    model,
                    layer,
                    f"layer '{layer.name}' is called with {key}={value!r}; the TF.js export "
                    "would ignore it",
                )
        else:  # already the old nested-list form
            history = [entry[:3] for entry in node]
        if len(history) != 1:
            _fail(
                model,
                layer,
                f"layer '{layer.name}' has {len(history)} inputs in one call; the supported "
                "layer types take exactly one",
            )
        converted.append([[str(h[0]), int(h[1]), int(h[2]), {}] for h in history])
    return converted


def _io_list(spec) -> list:
    """``["z", 0, 0]`` or ``[["z", 0, 0], ...]`` -> ``[["z", 0, 0], ...]``."""
    if isinstance(spec, dict):
        raise ExportError("models with dict inputs/outputs cannot be exported to TF.js")
    if spec and isinstance(spec[0], str):
        spec = [spec]
    return [[str(s[0]), int(s[1]), int(s[2])] for s in spec]


def _plan(model) -> _Plan:
    import keras
    import numpy as np

    if not isinstance(model, keras.Model):
        raise ExportError(
            f"expected a keras.Model, got {type(model).__name__}", where="TF.js export"
        )
    if not model.built:
        raise ExportError("the model is not built (call it once or give it an Input)", where=_where(model))

    layers_json: list[dict] = []
    weights: list[_Weight] = []

    def add_layer(layer, inbound):
        class_name, conf, keys = _layer_config(model, layer)
        layers_json.append(
            {"class_name": class_name, "config": conf, "name": layer.name, "inbound_nodes": inbound}
        )
        for var in _check_weights(model, layer, keys):
            value = np.array(_to_numpy(var), dtype=np.float32)
            if not np.all(np.isfinite(value)):
                _fail(model, layer, f"weight '{layer.name}/{var.name}' contains NaN or infinite values")
            weights.append(_Weight(f"{layer.name}/{var.name}", layer.name, var.name, value))

    # Validate every layer first, so an unsupported one is reported by name even
    # when it would also make get_config() fail or warn (e.g. a Lambda).
    for layer in getattr(model, "_layers", None) or model.layers:
        _layer_config(model, layer)

    if isinstance(model, keras.Sequential):
        # Sequential: a chain; synthesise the functional wiring.
        all_layers = list(getattr(model, "_layers", model.layers))
        inputs = [l for l in all_layers if type(l).__name__ == "InputLayer"]
        body = [l for l in all_layers if type(l).__name__ != "InputLayer"]
        if inputs:
            input_layer = inputs[0]
        else:  # pragma: no cover - Keras 3 always adds one when built
            raise ExportError("Sequential model has no InputLayer", where=_where(model))
        add_layer(input_layer, [])
        prev = input_layer.name
        for layer in body:
            add_layer(layer, [[[prev, 0, 0, {}]]])
            prev = layer.name
        input_layers = [[input_layer.name, 0, 0]]
        output_layers = [[prev, 0, 0]]
    else:
        try:
            config = model.get_config()
        except Exception as exc:
            raise ExportError(
                f"model cannot be serialised ({exc}); only functional and Sequential models "
                "can be exported",
                where=_where(model),
            ) from exc
        if not isinstance(config, dict) or "layers" not in config or "input_layers" not in config:
            raise ExportError(
                f"{type(model).__name__} is not a functional model; only functional and "
                "Sequential models can be exported",
                where=_where(model),
            )
        by_name = {layer.name: layer for layer in model.layers}
        for entry in config["layers"]:
            name = entry.get("name") or entry["config"]["name"]
            layer = by_name.get(name)
            if layer is None:  # pragma: no cover - defensive
                raise ExportError(f"layer '{name}' from the config is missing", where=_where(model))
            add_layer(layer, _inbound_nodes(model, layer, entry.get("inbound_nodes")))
        input_layers = _io_list(config["input_layers"])
        output_layers = _io_list(config["output_layers"])

    if not _TFJS_NAME.match(model.name):
        raise ExportError(f"model name {model.name!r} is not a valid TF.js name", where=_where(model))
    seen = set()
    for w in weights:
        if w.name in seen:  # pragma: no cover - Keras enforces unique layer names
            raise ExportError(f"duplicate weight name {w.name}", where=_where(model))
        seen.add(w.name)

    topology = {
        "class_name": "Model",
        "config": {
            "name": model.name,
            "layers": layers_json,
            "input_layers": input_layers,
            "output_layers": output_layers,
        },
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
    }
    return _Plan(topology=topology, weights=weights, keras_version=keras.__version__)


# --------------------------------------------------------------------------------------
# Encoding (quantisation) exactly as TF.js decodes it
# --------------------------------------------------------------------------------------


@dataclass
class _Encoded:
    dtype: str
    data: bytes
    specs: list[dict]
    decoded: dict  # manifest name -> float32 array TF.js will reconstruct


def _encode_one(w: _Weight, dtype: str):
    """Return (bytes, manifest entry, decoded float32 array) for one weight."""
    import numpy as np

    value = w.value
    spec: dict = {"name": w.name, "shape": [int(d) for d in value.shape], "dtype": "float32"}
    if dtype == "float32":
        data = value.astype("<f4").tobytes()
        return data, spec, value
    if dtype == "float16":
        with np.errstate(over="ignore"):
            half = value.astype("<f2")
        if not np.all(np.isfinite(half)):
            raise ExportError(
                f"weight {w.name} has values beyond the float16 range (|x| > 65504); "
                "use float32 or uint8/uint16",
                where="TF.js export",
            )
        spec["quantization"] = {"dtype": "float16"}
        return half.tobytes(), spec, half.astype(np.float32)
    if dtype in _QUANT_MAX:
        qmax = _QUANT_MAX[dtype]
        np_q = np.uint8 if dtype == "uint8" else np.dtype("<u2")
        lo = float(value.min()) if value.size else 0.0
        hi = float(value.max()) if value.size else 0.0
        if hi == lo:
            vmin, scale = lo, 1.0
            q = np.zeros(value.shape, dtype=np_q)
        else:
            scale = (hi - lo) / qmax
            vmin = lo
            if lo < 0.0 < hi:
                # Nudge so that 0 is represented exactly (as the TF.js converter does).
                zero_point = round(-lo / scale)
                vmin = -zero_point * scale
            q = np.clip(np.round((value.astype(np.float64) - vmin) / scale), 0, qmax).astype(np_q)
        # TF.js: values[i] = v * scale + min, computed in double, stored in a Float32Array.
        decoded = (q.astype(np.float64) * scale + vmin).astype(np.float32)
        spec["quantization"] = {"dtype": dtype, "min": float(vmin), "scale": float(scale)}
        return q.tobytes(), spec, decoded
    raise ExportError(
        f"unknown weight dtype {dtype!r}; choose one of {', '.join(DTYPES)}", where="TF.js export"
    )


def _encode(plan: _Plan, dtype: str) -> _Encoded:
    chunks, specs, decoded = [], [], {}
    for w in plan.weights:
        data, spec, dec = _encode_one(w, dtype)
        chunks.append(data)
        specs.append(spec)
        decoded[w.name] = dec
    return _Encoded(dtype=dtype, data=b"".join(chunks), specs=specs, decoded=decoded)


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _atomic_write(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _model_json(plan: _Plan, enc: _Encoded) -> bytes:
    doc = {
        "format": "layers-model",
        "generatedBy": f"keras v{plan.keras_version}",
        "convertedBy": CONVERTED_BY,
        "modelTopology": plan.topology,
        "weightsManifest": [{"paths": [SHARD_FILE], "weights": enc.specs}],
    }
    return json.dumps(doc, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _write(plan: _Plan, enc: _Encoded, out_dir: str) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    model_bytes = _model_json(plan, enc)
    # Shard first, model.json last: a model.json on disk always has its weights.
    _atomic_write(os.path.join(out_dir, SHARD_FILE), enc.data)
    _atomic_write(os.path.join(out_dir, MODEL_FILE), model_bytes)
    return {
        "dtype": enc.dtype,
        "bytes": len(model_bytes) + len(enc.data),
        "weight_bytes": len(enc.data),
        "params": plan.params,
    }


def _check_dtype(dtype: str) -> None:
    if dtype not in DTYPES:
        raise ExportError(
            f"unknown weight dtype {dtype!r}; choose one of {', '.join(DTYPES)}", where="TF.js export"
        )


def export_model(model, out_dir, dtype: str = "float32") -> dict:
    """Write ``model`` as a TF.js layers model into ``out_dir``.

    Creates ``out_dir`` if missing and writes ``model.json`` and
    ``group1-shard1of1.bin`` (each via a temporary file and ``os.replace``).

    Parameters
    ----------
    model : keras.Model
        A built functional or Sequential Keras 3 model made only of
        :data:`SUPPORTED_LAYERS`.
    out_dir : str or path-like
        Target directory.
    dtype : {"float32", "float16", "uint16", "uint8"}
        Weight encoding (float16/uint16/uint8 use TF.js manifest quantization).

    Returns
    -------
    dict
        ``{"dtype", "bytes" (model.json + shard), "weight_bytes" (shard), "params"}``.

    Raises
    ------
    ExportError
        For an unsupported layer (naming it, its class and the supported types),
        an option TF.js would compute differently, or an unknown dtype.
    """
    _check_dtype(dtype)
    plan = _plan(model)
    return _write(plan, _encode(plan, dtype), os.fspath(out_dir))


def _predict(model, probe):
    import numpy as np

    out = model(probe, training=False)
    if isinstance(out, dict):
        out = [out[k] for k in sorted(out)]
    if not isinstance(out, (list, tuple)):
        out = [out]
    return [np.array(_to_numpy(o), dtype=np.float64) for o in out]


def _max_diff(a: list, b: list) -> float:
    import numpy as np

    err = 0.0
    for x, y in zip(a, b):
        d = np.abs(x - y)
        if d.size:
            m = float(np.max(d))
            if not np.isfinite(m) or np.isnan(d).any():
                return float("inf")
            err = max(err, m)
    return err


def _dequantised_model(model, plan: _Plan, enc: _Encoded):
    """A clone of ``model`` holding exactly the weights TF.js will decode."""
    import keras

    clone = keras.models.clone_model(model)
    by_key = {(w.layer, w.key): enc.decoded[w.name] for w in plan.weights}
    for layer in clone.layers:
        if layer.weights:
            layer.set_weights([by_key[(layer.name, v.name)] for v in layer.weights])
    return clone


def export_best(
    model,
    out_dir,
    probe,
    *,
    max_error: float = 2 / 255,
    candidates=("uint8", "float16", "float32"),
) -> dict:
    """Export ``model`` with the smallest weight encoding that keeps predictions close.

    Every candidate is exported into a temporary directory next to ``out_dir``;
    its error is the max |difference| between the float32 Keras model's
    predictions on ``probe`` and those of a clone holding the *dequantised*
    weights (exactly what TF.js decodes). The smallest candidate with error
    ``<= max_error`` is moved into ``out_dir``.

    Returns the :func:`export_model` info plus ``"max_error"`` (the chosen
    encoding's error) and ``"tried"`` (``{dtype: error}`` for every candidate).
    Raises :class:`ExportError` if no candidate is within ``max_error``.
    """
    import numpy as np

    candidates = tuple(candidates)
    if not candidates:
        raise ExportError("export_best needs at least one candidate dtype", where="TF.js export")
    for dtype in candidates:
        _check_dtype(dtype)
    out_dir = os.fspath(out_dir)
    plan = _plan(model)
    probe = np.asarray(probe, dtype=np.float32)
    try:
        reference = _predict(model, probe)
    except Exception as exc:
        raise ExportError(
            f"the probe (shape {probe.shape}) cannot be fed to the model (input shape "
            f"{getattr(model, 'input_shape', '?')}): {exc}",
            where=_where(model),
        ) from exc

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    temp_dirs: dict[str, str] = {}
    infos: dict[str, dict] = {}
    tried: dict[str, float] = {}
    try:
        for dtype in dict.fromkeys(candidates):
            enc = _encode(plan, dtype)
            tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(out_dir) or 'model'}.{dtype}.", dir=parent)
            temp_dirs[dtype] = tmp
            infos[dtype] = _write(plan, enc, tmp)
            clone = _dequantised_model(model, plan, enc)
            tried[dtype] = _max_diff(reference, _predict(clone, probe))
        ok = [d for d in tried if tried[d] <= max_error]
        if not ok:
            shown = ", ".join(f"{d}: {e:.3g}" for d, e in tried.items())
            raise ExportError(
                f"no weight encoding keeps the predictions within max_error={max_error:.3g} "
                f"({shown}); add 'float32' to the candidates or relax max_error",
                where=_where(model),
            )
        best = min(ok, key=lambda d: (infos[d]["bytes"], DTYPES.index(d)))
        os.makedirs(out_dir, exist_ok=True)
        for fname in (SHARD_FILE, MODEL_FILE):  # model.json last
            os.replace(os.path.join(temp_dirs[best], fname), os.path.join(out_dir, fname))
    finally:
        for tmp in temp_dirs.values():
            shutil.rmtree(tmp, ignore_errors=True)
    info = dict(infos[best])
    info["max_error"] = float(tried[best])
    info["tried"] = dict(tried)
    return info

"""Keras layer options -> TF.js layer config values, refusing what TF.js computes differently.

The helpers every layer converter (:mod:`generator.tfjs.layers`) shares: the
activation, initializer, regularizer and constraint tables, the ``conv`` options
common to Conv2D and Conv2DTranspose, and :func:`fail`, which raises the one
:class:`~generator.errors.ExportError` form (``model 'm', layer 'l': …``).
Keras is imported inside the functions.
"""

from __future__ import annotations

import json
import re

from generator.errors import ExportError

# Keras activation name -> TF.js activation name, only where both compute the same
# function. (Keras 3 "hard_sigmoid" is relu6(x + 3) / 6 but TF.js uses 0.2 x + 0.5;
# "leaky_relu", "log_softmax", "hard_silu", ... have no TF.js string activation.)
ACTIVATIONS = {
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
INITIALIZERS = {
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

CONSTRAINTS = {
    "NonNeg": ("NonNeg", ()),
    "UnitNorm": ("UnitNorm", ("axis",)),
    "MaxNorm": ("MaxNorm", ("max_value", "axis")),
    "MinMaxNorm": ("MinMaxNorm", ("min_value", "max_value", "rate", "axis")),
}

#: TF.js tensor / variable names must match this (tfjs-layers common.ts).
TFJS_NAME = re.compile(r"^[A-Za-z0-9][-A-Za-z0-9._/]*$")


def where(model, layer=None) -> str:
    """``model 'm'`` or ``model 'm', layer 'l'``: the ``where`` of an :class:`ExportError`."""
    name = getattr(model, "name", "?")
    if layer is None:
        return f"model '{name}'"
    return f"model '{name}', layer '{layer.name}'"


def fail(model, layer, message: str):
    """Raise :class:`ExportError` ``message`` at ``model``/``layer``."""
    raise ExportError(message, where=where(model, layer))


def activation_name(model, layer, fn) -> str:
    """The TF.js name of the activation function ``fn`` (an error if TF.js has no exact match)."""
    import keras

    for name, tfjs_name in ACTIVATIONS.items():
        try:
            if keras.activations.get(name) is fn:
                return tfjs_name
        except Exception:  # pragma: no cover - name missing in this Keras version
            continue
    name = getattr(fn, "__name__", None)
    shown = name if isinstance(name, str) else repr(fn)
    fail(
        model,
        layer,
        f"layer '{layer.name}' ({type(layer).__name__}) uses activation {shown!r}, which "
        f"the TF.js exporter cannot translate exactly; supported activations: "
        f"{', '.join(sorted(ACTIVATIONS))}",
    )


def initializer(obj, default: str) -> dict:
    """TF.js ``{"class_name", "config"}`` for a Keras initializer (TF.js' ``default`` if unknown)."""
    import keras

    try:
        ser = keras.initializers.serialize(obj) if obj is not None else None
    except Exception:
        ser = None
    if isinstance(ser, dict) and ser.get("class_name") in INITIALIZERS:
        cls, keys = INITIALIZERS[ser["class_name"]]
        cfg = ser.get("config") or {}
        out = {k: cfg[k] for k in keys if k in cfg and jsonable(cfg[k])}
        return {"class_name": cls, "config": out}
    # Unknown / custom initializer: irrelevant for inference, use TF.js' default.
    return {"class_name": default, "config": {}}


def regularizer(obj):
    """TF.js ``L1L2`` config for a Keras L1/L2/L1L2 regularizer, else None (training only)."""
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


def constraint(obj):
    """TF.js config for a known Keras constraint, else None (training only)."""
    import keras

    if obj is None:
        return None
    try:
        ser = keras.constraints.serialize(obj)
    except Exception:
        return None
    if isinstance(ser, dict) and ser.get("class_name") in CONSTRAINTS:
        cls, keys = CONSTRAINTS[ser["class_name"]]
        cfg = ser.get("config") or {}
        return {"class_name": cls, "config": {k: cfg[k] for k in keys if k in cfg}}
    return None  # constraints only matter for training


def jsonable(value) -> bool:
    """Whether ``value`` is plain JSON (no NaN)."""
    try:
        json.dumps(value, allow_nan=False)
        return True
    except (TypeError, ValueError):
        return False


def int_list(values) -> list[int]:
    """``(3, 3)`` -> ``[3, 3]``."""
    return [int(v) for v in values]


def shape_list(shape) -> list:
    """A shape as a JSON list (``None`` for unknown dimensions)."""
    return [None if d is None else int(d) for d in shape]


def common(layer) -> dict:
    """The config keys every non-input layer starts with (in this order)."""
    return {"name": layer.name, "trainable": bool(layer.trainable), "dtype": "float32"}


def check_channels_last(model, layer) -> None:
    """Refuse ``data_format='channels_first'``."""
    fmt = getattr(layer, "data_format", "channels_last")
    if fmt != "channels_last":
        fail(
            model,
            layer,
            f"layer '{layer.name}' ({type(layer).__name__}) uses data_format={fmt!r}; "
            "the TF.js exporter supports only 'channels_last'",
        )


def padding(model, layer) -> str:
    """The layer's padding, ``'valid'`` or ``'same'`` (anything else is refused)."""
    value = str(layer.padding).lower()
    if value not in ("valid", "same"):
        fail(model, layer, f"layer '{layer.name}' uses padding={value!r}; supported: 'valid', 'same'")
    return value


def kernel_keys(layer) -> list[str]:
    """Weight keys of a layer with a kernel and an optional bias."""
    return ["kernel", "bias"] if layer.use_bias else ["kernel"]


def kernel_options(model, layer) -> dict:
    """Activation, bias and the kernel/bias initializers, regularizers and constraints (Dense and convolutions)."""
    return {
        "activation": activation_name(model, layer, layer.activation),
        "use_bias": bool(layer.use_bias),
        "kernel_initializer": initializer(layer.kernel_initializer, "GlorotUniform"),
        "bias_initializer": initializer(layer.bias_initializer, "Zeros"),
        "kernel_regularizer": regularizer(layer.kernel_regularizer),
        "bias_regularizer": regularizer(layer.bias_regularizer),
        "activity_regularizer": None,
        "kernel_constraint": constraint(layer.kernel_constraint),
        "bias_constraint": constraint(layer.bias_constraint),
    }


def conv_options(model, layer) -> dict:
    """The config shared by Conv2D and Conv2DTranspose."""
    check_channels_last(model, layer)
    pad = padding(model, layer)
    return {
        "filters": int(layer.filters),
        "kernel_size": int_list(layer.kernel_size),
        "strides": int_list(layer.strides),
        "padding": pad,
        "data_format": "channels_last",
        "dilation_rate": int_list(layer.dilation_rate),
        **kernel_options(model, layer),
    }

"""The table of layer converters: one function per Keras layer class the exporter writes.

A converter takes ``(model, layer)`` and returns ``(config, weight_keys)``: the
layer's TF.js config (python-style keys, in the order TF.js 4.22 expects them)
and the names of its weights in manifest order. It refuses, through
:func:`~generator.tfjs.options.fail`, any option TF.js would compute
differently. :data:`CONVERTERS` maps the exact ``keras.layers`` class name to its
converter; :func:`layer_config` checks what every layer needs (a supported
class, a valid TF.js name, a float32 dtype policy) and dispatches.

To support another layer, write its converter here and add it to the table;
its TF.js class name must be the Keras one.
"""

from __future__ import annotations

from .options import (
    TFJS_NAME,
    activation_name,
    check_channels_last,
    common,
    constraint,
    conv_options,
    fail,
    initializer,
    int_list,
    kernel_keys,
    kernel_options,
    padding,
    regularizer,
    shape_list,
)


def input_layer(model, layer) -> tuple[dict, list[str]]:
    """InputLayer: ``batch_input_shape`` and a float32 or int32 dense input."""
    cfg = layer.get_config()
    if cfg.get("sparse") or cfg.get("ragged"):
        fail(model, layer, f"input '{layer.name}' is sparse or ragged; TF.js needs a dense input")
    dtype = str(cfg.get("dtype") or "float32")
    if isinstance(cfg.get("dtype"), dict):  # very old/new style policy dict
        dtype = str(cfg["dtype"].get("config", {}).get("name", "float32"))
    if dtype not in ("float32", "int32"):
        fail(model, layer, f"input '{layer.name}' has dtype {dtype!r}; supported: float32, int32")
    shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
    if shape is None:
        fail(model, layer, f"input '{layer.name}' has no batch shape")
    return {"batch_input_shape": shape_list(shape), "dtype": dtype, "sparse": False, "name": layer.name}, []


def dense(model, layer) -> tuple[dict, list[str]]:
    """Dense: ``units`` and the kernel options."""
    return {**common(layer), "units": int(layer.units), **kernel_options(model, layer)}, kernel_keys(layer)


def conv2d(model, layer) -> tuple[dict, list[str]]:
    """Conv2D (``groups=1`` only)."""
    if int(getattr(layer, "groups", 1)) != 1:
        fail(model, layer, f"layer '{layer.name}' uses groups={layer.groups}; TF.js supports only groups=1")
    return {**common(layer), **conv_options(model, layer)}, kernel_keys(layer)


def conv2d_transpose(model, layer) -> tuple[dict, list[str]]:
    """Conv2DTranspose (no dilation, no ``output_padding``: TF.js lacks both)."""
    if tuple(int_list(layer.dilation_rate)) != (1, 1):
        fail(
            model,
            layer,
            f"layer '{layer.name}' uses dilation_rate={tuple(layer.dilation_rate)}; TF.js "
            "Conv2DTranspose supports only (1, 1)",
        )
    if getattr(layer, "output_padding", None) is not None:
        fail(
            model,
            layer,
            f"layer '{layer.name}' sets output_padding={layer.output_padding}; TF.js "
            "Conv2DTranspose does not support output_padding",
        )
    return {**common(layer), **conv_options(model, layer)}, kernel_keys(layer)


def batch_normalization(model, layer) -> tuple[dict, list[str]]:
    """BatchNormalization over one axis, without renorm."""
    if getattr(layer, "renorm", False):
        fail(model, layer, f"layer '{layer.name}' uses renorm=True; TF.js does not support it")
    axis = layer.axis
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            fail(model, layer, f"layer '{layer.name}' normalises over several axes {axis}; unsupported")
        axis = axis[0]
    option = lambda name: getattr(layer, name, None)  # noqa: E731
    conf = common(layer)
    conf.update(
        axis=int(axis),
        momentum=float(layer.momentum),
        epsilon=float(layer.epsilon),
        center=bool(layer.center),
        scale=bool(layer.scale),
        beta_initializer=initializer(option("beta_initializer"), "Zeros"),
        gamma_initializer=initializer(option("gamma_initializer"), "Ones"),
        moving_mean_initializer=initializer(option("moving_mean_initializer"), "Zeros"),
        moving_variance_initializer=initializer(option("moving_variance_initializer"), "Ones"),
        beta_regularizer=regularizer(option("beta_regularizer")),
        gamma_regularizer=regularizer(option("gamma_regularizer")),
        beta_constraint=constraint(option("beta_constraint")),
        gamma_constraint=constraint(option("gamma_constraint")),
    )
    keys = (["gamma"] if layer.scale else []) + (["beta"] if layer.center else [])
    return conf, keys + ["moving_mean", "moving_variance"]


def reshape(model, layer) -> tuple[dict, list[str]]:
    """Reshape to ``target_shape``."""
    return {**common(layer), "target_shape": int_list(layer.target_shape)}, []


def flatten(model, layer) -> tuple[dict, list[str]]:
    """Flatten (channels_last)."""
    check_channels_last(model, layer)
    return {**common(layer), "data_format": "channels_last"}, []


def up_sampling2d(model, layer) -> tuple[dict, list[str]]:
    """UpSampling2D, nearest neighbour only."""
    check_channels_last(model, layer)
    interpolation = str(getattr(layer, "interpolation", "nearest"))
    if interpolation != "nearest":
        fail(
            model,
            layer,
            f"layer '{layer.name}' uses interpolation={interpolation!r}; only 'nearest' is "
            "supported (TF.js bilinear resizing uses different pixel centres than Keras)",
        )
    conf = {**common(layer), "size": int_list(layer.size), "data_format": "channels_last"}
    return {**conf, "interpolation": "nearest"}, []


def max_pooling2d(model, layer) -> tuple[dict, list[str]]:
    """MaxPooling2D with 'valid' or 'same' padding."""
    check_channels_last(model, layer)
    pad = padding(model, layer)
    conf = {**common(layer), "pool_size": int_list(layer.pool_size), "strides": int_list(layer.strides)}
    return {**conf, "padding": pad, "data_format": "channels_last"}, []


def activation(model, layer) -> tuple[dict, list[str]]:
    """Activation, where TF.js computes the same function."""
    return {**common(layer), "activation": activation_name(model, layer, layer.activation)}, []


def dropout(model, layer) -> tuple[dict, list[str]]:
    """Dropout (an identity at inference; kept so the topology matches)."""
    noise_shape = getattr(layer, "noise_shape", None)
    conf = {**common(layer), "rate": float(layer.rate)}
    return {**conf, "noise_shape": None if noise_shape is None else shape_list(noise_shape), "seed": None}, []


#: Keras layer class name -> converter; the TF.js class name is the same.
CONVERTERS = {
    "InputLayer": input_layer,
    "Dense": dense,
    "Reshape": reshape,
    "Flatten": flatten,
    "Conv2D": conv2d,
    "Conv2DTranspose": conv2d_transpose,
    "UpSampling2D": up_sampling2d,
    "MaxPooling2D": max_pooling2d,
    "BatchNormalization": batch_normalization,
    "Activation": activation,
    "Dropout": dropout,
}

#: Keras layer classes the exporter can translate (exact classes from ``keras.layers``).
SUPPORTED_LAYERS: tuple[str, ...] = tuple(CONVERTERS)


def layer_config(model, layer) -> tuple[str, dict, list[str]]:
    """Return (TF.js class name, TF.js python-style config, ordered weight keys) for one layer.

    An unsupported layer is one :class:`~generator.errors.ExportError` naming the
    layer, its class and every supported class.
    """
    import keras

    cls = type(layer).__name__
    convert = CONVERTERS.get(cls)
    if convert is None or type(layer) is not getattr(keras.layers, cls, None):
        kind = cls if type(layer).__module__.startswith("keras.") else f"{cls} (from {type(layer).__module__})"
        fail(
            model,
            layer,
            f"layer '{layer.name}' has type {kind}, which the TF.js exporter does not support; "
            f"supported layer types: {', '.join(SUPPORTED_LAYERS)}",
        )
    if not TFJS_NAME.match(layer.name):
        fail(
            model,
            layer,
            f"layer name {layer.name!r} is not a valid TF.js name (letters, digits, '-', '_', "
            "'.', '/', starting with a letter or digit)",
        )
    policy_name = getattr(getattr(layer, "dtype_policy", None), "name", "float32")
    if cls != "InputLayer" and policy_name != "float32":
        fail(
            model,
            layer,
            f"layer '{layer.name}' uses dtype policy {policy_name!r}; the TF.js exporter supports only 'float32'",
        )
    conf, keys = convert(model, layer)
    return cls, conf, keys

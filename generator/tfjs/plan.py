"""The planner: a Keras model -> its TF.js topology and its weights, in manifest order.

:func:`plan` validates every layer first (so an unsupported one is named even
when ``get_config()`` would fail), converts each with
:mod:`generator.tfjs.layers`, rewrites Keras 3 ``inbound_nodes`` into the old
nested-list form TF.js 4.22 reads (synthesising the wiring for a Sequential
model), and collects each layer's float32 weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.errors import ExportError

from .layers import layer_config
from .options import TFJS_NAME, fail, where


@dataclass
class Weight:
    """One weight tensor of the plan."""

    name: str  # TF.js manifest name, "layer/kernel"
    layer: str  # Keras layer name
    key: str  # Keras variable name within the layer ("kernel", "moving_mean", ...)
    value: Any  # np.ndarray float32


@dataclass
class Plan:
    """What gets written: the ``modelTopology`` and the ordered weights."""

    topology: dict
    weights: list[Weight] = field(default_factory=list)
    keras_version: str = ""

    @property
    def params(self) -> int:
        return int(sum(w.value.size for w in self.weights))


def to_numpy(x):
    """Tensor or variable -> numpy array (``.numpy()`` avoids a numpy 2 warning in Keras)."""
    numpy_method = getattr(x, "numpy", None)
    if callable(numpy_method):
        return numpy_method()
    import keras

    return keras.ops.convert_to_numpy(x)


def check_weights(model, layer, expected: list[str]):
    """The layer's variables in the order of ``expected`` (exactly those names, all float32)."""
    names = [w.name for w in layer.weights]
    if sorted(names) != sorted(expected):
        fail(
            model,
            layer,
            f"layer '{layer.name}' ({type(layer).__name__}) has weights {names}, expected "
            f"{expected} (LoRA, quantized or otherwise modified layers cannot be exported)",
        )
    by_name = {w.name: w for w in layer.weights}
    for key in expected:
        dt = str(getattr(by_name[key], "dtype", "float32"))
        if dt != "float32":
            fail(
                model,
                layer,
                f"weight '{layer.name}/{key}' has dtype {dt}; the TF.js exporter needs float32 weights",
            )
    return [by_name[k] for k in expected]


def keras_tensors(obj) -> list:
    """Flatten the ``__keras_tensor__`` entries of a Keras 3 node's args."""
    out = []
    if isinstance(obj, dict):
        if obj.get("class_name") == "__keras_tensor__":
            out.append(obj["config"]["keras_history"])
        else:
            for v in obj.values():
                out.extend(keras_tensors(v))
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            out.extend(keras_tensors(v))
    return out


def inbound_nodes(model, layer, nodes) -> list:
    """Keras 3 ``inbound_nodes`` dicts -> TF.js ``[[[name, node, tensor, {}]]]`` lists."""
    converted = []
    for node in nodes or []:
        if isinstance(node, dict):
            history = keras_tensors(node.get("args", []))
            kwargs = node.get("kwargs") or {}
            extra_tensors = keras_tensors(kwargs)
            if extra_tensors:
                fail(model, layer, f"layer '{layer.name}' receives tensors as keyword arguments; unsupported")
            for key, value in kwargs.items():
                if key == "mask" and value is None:
                    continue
                if key == "training" and value in (None, False):
                    continue
                fail(
                    model,
                    layer,
                    f"layer '{layer.name}' is called with {key}={value!r}; the TF.js export would ignore it",
                )
        else:  # already the old nested-list form
            history = [entry[:3] for entry in node]
        if len(history) != 1:
            fail(
                model,
                layer,
                f"layer '{layer.name}' has {len(history)} inputs in one call; the supported "
                "layer types take exactly one",
            )
        converted.append([[str(h[0]), int(h[1]), int(h[2]), {}] for h in history])
    return converted


def io_list(spec) -> list:
    """``["z", 0, 0]`` or ``[["z", 0, 0], ...]`` -> ``[["z", 0, 0], ...]``."""
    if isinstance(spec, dict):
        raise ExportError("models with dict inputs/outputs cannot be exported to TF.js")
    if spec and isinstance(spec[0], str):
        spec = [spec]
    return [[str(s[0]), int(s[1]), int(s[2])] for s in spec]


def _sequential_wiring(model, add_layer) -> tuple[list, list]:
    """Add a Sequential model's layers as a chain; return (input_layers, output_layers)."""
    all_layers = list(getattr(model, "_layers", model.layers))
    inputs = [each for each in all_layers if type(each).__name__ == "InputLayer"]
    body = [each for each in all_layers if type(each).__name__ != "InputLayer"]
    if inputs:
        input_layer = inputs[0]
    else:  # pragma: no cover - Keras 3 always adds one when built
        raise ExportError("Sequential model has no InputLayer", where=where(model))
    add_layer(input_layer, [])
    prev = input_layer.name
    for layer in body:
        add_layer(layer, [[[prev, 0, 0, {}]]])
        prev = layer.name
    return [[input_layer.name, 0, 0]], [[prev, 0, 0]]


def _functional_wiring(model, add_layer) -> tuple[list, list]:
    """Add a functional model's layers in config order; return (input_layers, output_layers)."""
    try:
        config = model.get_config()
    except Exception as exc:
        raise ExportError(
            f"model cannot be serialised ({exc}); only functional and Sequential models can be exported",
            where=where(model),
        ) from exc
    if not isinstance(config, dict) or "layers" not in config or "input_layers" not in config:
        raise ExportError(
            f"{type(model).__name__} is not a functional model; only functional and Sequential models can be exported",
            where=where(model),
        )
    by_name = {layer.name: layer for layer in model.layers}
    for entry in config["layers"]:
        name = entry.get("name") or entry["config"]["name"]
        layer = by_name.get(name)
        if layer is None:  # pragma: no cover - defensive
            raise ExportError(f"layer '{name}' from the config is missing", where=where(model))
        add_layer(layer, inbound_nodes(model, layer, entry.get("inbound_nodes")))
    return io_list(config["input_layers"]), io_list(config["output_layers"])


def plan(model) -> Plan:
    """The TF.js topology and ordered float32 weights of a built functional or Sequential model."""
    import keras
    import numpy as np

    if not isinstance(model, keras.Model):
        raise ExportError(f"expected a keras.Model, got {type(model).__name__}", where="TF.js export")
    if not model.built:
        raise ExportError("the model is not built (call it once or give it an Input)", where=where(model))

    layers_json: list[dict] = []
    weights: list[Weight] = []

    def add_layer(layer, inbound):
        class_name, conf, keys = layer_config(model, layer)
        layers_json.append({"class_name": class_name, "config": conf, "name": layer.name, "inbound_nodes": inbound})
        for var in check_weights(model, layer, keys):
            value = np.array(to_numpy(var), dtype=np.float32)
            if not np.all(np.isfinite(value)):
                fail(model, layer, f"weight '{layer.name}/{var.name}' contains NaN or infinite values")
            weights.append(Weight(f"{layer.name}/{var.name}", layer.name, var.name, value))

    # Validate every layer first, so an unsupported one is reported by name even
    # when it would also make get_config() fail or warn (e.g. a Lambda).
    for layer in getattr(model, "_layers", None) or model.layers:
        layer_config(model, layer)

    wiring = _sequential_wiring if isinstance(model, keras.Sequential) else _functional_wiring
    input_layers, output_layers = wiring(model, add_layer)

    if not TFJS_NAME.match(model.name):
        raise ExportError(f"model name {model.name!r} is not a valid TF.js name", where=where(model))
    seen = set()
    for w in weights:
        if w.name in seen:  # pragma: no cover - Keras enforces unique layer names
            raise ExportError(f"duplicate weight name {w.name}", where=where(model))
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
    return Plan(topology=topology, weights=weights, keras_version=keras.__version__)

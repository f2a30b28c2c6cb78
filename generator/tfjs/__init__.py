"""Export a Keras 3 model as a TensorFlow.js layers model (``model.json`` + one shard).

The ``tensorflowjs`` pip package is not used (it pulls in ~1.4 GB, downgrades
numpy/protobuf, and its Keras 3 topology does not load in @tensorflow/tfjs
4.22). Instead this package writes the TF.js layers format itself:

- ``model.json``: ``{"format": "layers-model", "generatedBy", "convertedBy":
  "explorables exporter", "modelTopology": {"class_name": "Model", "config",
  "keras_version", "backend"}, "weightsManifest": [{"paths", "weights"}]}``;
- ``group1-shard1of1.bin``: the weights, little-endian, concatenated in
  manifest order.

Each layer's TF.js config is rebuilt from the layer object by one converter per
layer type (the table in :mod:`generator.tfjs.layers`; :data:`SUPPORTED_LAYERS`
lists them), not copied from ``get_config()``: that is what makes the topology
load in TF.js 4.22 (``batch_input_shape`` for InputLayer, old nested-list
``inbound_nodes``, nested-list ``input_layers`` / ``output_layers``, plain
``"float32"`` dtypes, no ``module`` / ``registered_name`` / Keras-3-only keys),
and it lets the exporter refuse any option whose TF.js semantics differ from
Keras (``channels_first``, bilinear up-sampling, dilated transposed
convolutions, ``output_padding``, activations TF.js lacks or computes
differently, ...; :mod:`generator.tfjs.options`). Anything else raises
:class:`~generator.errors.ExportError`; a wrong model is never written silently.

Weights may be stored as float32, float16, uint16 or uint8 using the TF.js
manifest ``quantization`` field (affine ``min``/``scale`` per tensor for the
integer types, like the TF.js converter; :mod:`generator.tfjs.quantise`).
:func:`export_best` (:mod:`generator.tfjs.best`) picks the smallest encoding
whose predictions, computed in Keras from exactly the values TF.js will decode,
stay within ``max_error`` of the float32 model.

The parts: :mod:`~generator.tfjs.layers` (converters), :mod:`~generator.tfjs.options`
(what they share), :mod:`~generator.tfjs.plan` (model -> topology + weights),
:mod:`~generator.tfjs.quantise`, :mod:`~generator.tfjs.write` (files,
:func:`export_model`) and :mod:`~generator.tfjs.best`.

Keras, TensorFlow and numpy are imported inside the functions, so importing this
package is cheap (the build imports it on no-op rebuilds).
"""

from __future__ import annotations

from .best import export_best
from .layers import SUPPORTED_LAYERS
from .quantise import DTYPES
from .write import CONVERTED_BY, MODEL_FILE, SHARD_FILE, export_model

__all__ = [
    "CONVERTED_BY",
    "DTYPES",
    "MODEL_FILE",
    "SHARD_FILE",
    "SUPPORTED_LAYERS",
    "export_best",
    "export_model",
]

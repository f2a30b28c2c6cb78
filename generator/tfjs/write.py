"""Writing a TF.js layers model: ``model.json`` and one weight shard, and :func:`export_model`."""

from __future__ import annotations

import json
import os

from .plan import Plan, plan
from .quantise import Encoded, check_dtype, encode

MODEL_FILE = "model.json"
SHARD_FILE = "group1-shard1of1.bin"
CONVERTED_BY = "explorables exporter"


def atomic_write(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, and rename it into place."""
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def model_json(plan: Plan, enc: Encoded) -> bytes:
    """The bytes of ``model.json`` (compact JSON, keys in TF.js' order)."""
    doc = {
        "format": "layers-model",
        "generatedBy": f"keras v{plan.keras_version}",
        "convertedBy": CONVERTED_BY,
        "modelTopology": plan.topology,
        "weightsManifest": [{"paths": [SHARD_FILE], "weights": enc.specs}],
    }
    return json.dumps(doc, separators=(",", ":"), allow_nan=False).encode("utf-8")


def write(plan: Plan, enc: Encoded, out_dir: str) -> dict:
    """Write the shard, then ``model.json``, into ``out_dir``; return the export info."""
    os.makedirs(out_dir, exist_ok=True)
    model_bytes = model_json(plan, enc)
    # Shard first, model.json last: a model.json on disk always has its weights.
    atomic_write(os.path.join(out_dir, SHARD_FILE), enc.data)
    atomic_write(os.path.join(out_dir, MODEL_FILE), model_bytes)
    return {
        "dtype": enc.dtype,
        "bytes": len(model_bytes) + len(enc.data),
        "weight_bytes": len(enc.data),
        "params": plan.params,
    }


def export_model(model, out_dir, dtype: str = "float32") -> dict:
    """Write ``model`` as a TF.js layers model into ``out_dir``.

    Creates ``out_dir`` if missing and writes ``model.json`` and
    ``group1-shard1of1.bin`` (each via a temporary file and ``os.replace``).

    Parameters
    ----------
    model : keras.Model
        A built functional or Sequential Keras 3 model made only of
        :data:`~generator.tfjs.SUPPORTED_LAYERS`.
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
    check_dtype(dtype)
    planned = plan(model)
    return write(planned, encode(planned, dtype), os.fspath(out_dir))

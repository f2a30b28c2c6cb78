"""The quantiser: weights -> shard bytes and manifest entries, exactly as TF.js decodes them.

float32 is written as is; float16 uses the manifest's ``{"dtype": "float16"}``;
uint8 and uint16 store ``round((x - min) / scale)`` with an affine ``min`` /
``scale`` per tensor, nudged so that 0 is exact (as the TF.js converter does).
Each encoding also returns the float32 values TF.js will reconstruct, so
:func:`generator.tfjs.best.export_best` can measure the error in Keras.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import ExportError

from .plan import Plan, Weight

#: Weight encodings, largest first. ``uint16`` is available but not a default candidate.
DTYPES: tuple[str, ...] = ("float32", "float16", "uint16", "uint8")

QUANT_MAX = {"uint8": 255, "uint16": 65535}


@dataclass
class Encoded:
    """One plan's weights in one encoding."""

    dtype: str
    data: bytes
    specs: list[dict]
    decoded: dict  # manifest name -> float32 array TF.js will reconstruct


def check_dtype(dtype: str) -> None:
    """Refuse a dtype not in :data:`DTYPES`."""
    if dtype not in DTYPES:
        raise ExportError(f"unknown weight dtype {dtype!r}; choose one of {', '.join(DTYPES)}", where="TF.js export")


def encode_one(w: Weight, dtype: str):
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
                f"weight {w.name} has values beyond the float16 range (|x| > 65504); use float32 or uint8/uint16",
                where="TF.js export",
            )
        spec["quantization"] = {"dtype": "float16"}
        return half.tobytes(), spec, half.astype(np.float32)
    if dtype in QUANT_MAX:
        qmax = QUANT_MAX[dtype]
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
    check_dtype(dtype)
    raise AssertionError(dtype)  # pragma: no cover - every dtype in DTYPES is handled above


def encode(plan: Plan, dtype: str) -> Encoded:
    """Every weight of ``plan`` in ``dtype``, concatenated in manifest order."""
    chunks, specs, decoded = [], [], {}
    for w in plan.weights:
        data, spec, dec = encode_one(w, dtype)
        chunks.append(data)
        specs.append(spec)
        decoded[w.name] = dec
    return Encoded(dtype=dtype, data=b"".join(chunks), specs=specs, decoded=decoded)

"""``export_best``: the smallest weight encoding whose predictions stay close to Keras'.

Each candidate's error is measured in Keras on a clone holding exactly the
values TF.js will decode (:mod:`generator.tfjs.quantise`), so the number in the
build report is the error a reader's browser sees.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from generator.errors import ExportError

from .options import where
from .plan import Plan, plan, to_numpy
from .quantise import DTYPES, Encoded, check_dtype, encode
from .write import MODEL_FILE, SHARD_FILE, write


def _predict(model, probe):
    import numpy as np

    out = model(probe, training=False)
    if isinstance(out, dict):
        out = [out[k] for k in sorted(out)]
    if not isinstance(out, (list, tuple)):
        out = [out]
    return [np.array(to_numpy(o), dtype=np.float64) for o in out]


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


def _dequantised_model(model, plan: Plan, enc: Encoded):
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
        check_dtype(dtype)
    out_dir = os.fspath(out_dir)
    planned = plan(model)
    probe = np.asarray(probe, dtype=np.float32)
    try:
        reference = _predict(model, probe)
    except Exception as exc:
        raise ExportError(
            f"the probe (shape {probe.shape}) cannot be fed to the model (input shape "
            f"{getattr(model, 'input_shape', '?')}): {exc}",
            where=where(model),
        ) from exc

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    temp_dirs: dict[str, str] = {}
    infos: dict[str, dict] = {}
    tried: dict[str, float] = {}
    try:
        for dtype in dict.fromkeys(candidates):
            enc = encode(planned, dtype)
            tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(out_dir) or 'model'}.{dtype}.", dir=parent)
            temp_dirs[dtype] = tmp
            infos[dtype] = write(planned, enc, tmp)
            clone = _dequantised_model(model, planned, enc)
            tried[dtype] = _max_diff(reference, _predict(clone, probe))
        ok = [d for d in tried if tried[d] <= max_error]
        if not ok:
            shown = ", ".join(f"{d}: {e:.3g}" for d, e in tried.items())
            raise ExportError(
                f"no weight encoding keeps the predictions within max_error={max_error:.3g} "
                f"({shown}); add 'float32' to the candidates or relax max_error",
                where=where(model),
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

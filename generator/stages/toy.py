"""Stage ``toy-train``: the build-time Keras toy autoencoder of article 2 on one 3-D shape.

It makes the shape (``generator.toy.make_shape``), trains the model of
``generator.models.toy`` full-batch with Adam for ``steps`` steps, and keeps
snapshots at a few steps spread log-wise. At each snapshot: the codes z
(n, 2), the reconstruction (n, 3), the trails -dL/dz (n, 2) by automatic
differentiation with respect to the codes, and the loss. The trails are
checked against float64 central finite differences on a few points; the stage
fails loudly if they disagree.

Files (all float32 little-endian, row-major):

- ``points.f32`` (n, 3) the input shape; ``colour.f32`` (n,) its ramp values in [0, 1];
- ``snapshots.f32``: for each snapshot in order, codes (n, 2), trails (n, 2), recon (n, 3);
- ``loss.f32`` (steps + 1,) the loss before every update and after the last;
- ``encoder/*.npy``, ``decoder/*.npy`` the final Keras weights;
- ``toy.json`` the index: shape, n, steps, snapshot steps and losses, the layout of
  ``snapshots.f32``, seconds, the finite-difference error.
"""

from __future__ import annotations

import json
import time

import numpy as np

from ..config import Config
from ..pipeline import Context, Request, stage

FIELDS = (("codes", 2), ("trails", 2), ("recon", 3))  # per snapshot, in this order
FRACTIONS = (0.0, 1 / 150, 1 / 30, 2 / 15, 0.4, 1.0)  # 0, 10, 50, 200, 600, 1500 at 1,500 steps


def toy_steps(cfg: Config) -> int:
    """Steps at the configured scale: steps x epoch_scale, at least 100 (or all of them if fewer)."""
    steps = int(cfg.section("models.toy")["steps"])
    return max(min(100, steps), round(steps * cfg.preset["epoch_scale"]))


def toy_request(cfg: Config, shape: str) -> Request:
    """The trained toy model on ``shape`` (a key of generator.toy.SHAPES)."""
    from ..toy import SHAPES

    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")
    hyper = cfg.section("models.toy")
    return Request(
        "toy-train",
        {
            "shape": shape,
            "points": int(hyper["points"]),
            "seed": int(cfg["build.seed"]),
            "hidden": [int(h) for h in hyper["hidden"]],
            "activation": hyper["activation"],
            "learning_rate": float(hyper["learning_rate"]),
            "steps": toy_steps(cfg),
        },
    )


def snapshot_steps(steps: int) -> list[int]:
    """About six steps spread log-wise from 0 to ``steps`` (increasing, no repeats)."""
    out: list[int] = []
    for f in FRACTIONS:
        s = max(1, round(f * steps)) if f > 0 else 0
        if not out or s > out[-1]:
            out.append(s)
    return out


def load(artifact) -> dict:
    """The artifact's arrays: points, colour, loss, and snapshots [{step, loss, codes, trails, recon}]."""
    index = json.loads(artifact.file("toy.json").read_text())
    n = index["n"]
    read = lambda name: np.fromfile(artifact.file(name), dtype="<f4")  # noqa: E731
    flat = read("snapshots.f32").reshape(len(index["snapshots"]), -1)
    snaps = []
    for row, info in zip(flat, index["snapshots"]):
        snap, at = dict(info), 0
        for name, width in FIELDS:
            snap[name] = row[at : at + n * width].reshape(n, width)
            at += n * width
        snaps.append(snap)
    return {
        "index": index,
        "points": read("points.f32").reshape(n, 3),
        "colour": read("colour.f32"),
        "loss": read("loss.f32"),
        "snapshots": snaps,
    }


@stage(
    "toy-train",
    libs=("tensorflow-cpu", "keras", "numpy"),
    label=lambda p: f"train toy model ({p['shape']}, {p['steps']} steps)",
)
def train_toy_stage(ctx: Context) -> dict:
    from ..models import toy as model
    from ..models.train import seed_everything
    from ..toy import make_shape

    p = ctx.params
    x, colour = make_shape(p["shape"], p["points"], p["seed"])
    x_before = x.copy()
    seed_everything(p["seed"])
    encoder, decoder = model.build_toy(p["hidden"], p["activation"], seed=p["seed"])
    wanted = snapshot_steps(p["steps"])
    bar = ctx.progress(p["steps"], f"train toy {p['shape']}")
    start = time.perf_counter()
    result = model.train_toy(encoder, decoder, x, p["steps"], p["learning_rate"], snapshots=wanted, progress=bar)
    seconds = time.perf_counter() - start
    if not np.array_equal(x, x_before):
        raise AssertionError("training changed the input points; they must be constants")

    # the trails must be the gradient w.r.t. the codes: compare with float64 finite differences
    decode_final = model.numpy_decoder(decoder.get_weights(), p["activation"])
    final = result["snapshots"][p["steps"]]
    norms = np.linalg.norm(final["trails"], axis=1)
    check = sorted({0, len(x) // 2, len(x) - 1, int(norms.argmax()), int(norms.argmin())})
    fd = model.finite_difference_trails(decode_final, final["codes"], x, check)
    fd_error = model.check_trails(final["trails"][check], fd)

    x.astype("<f4").tofile(ctx.out / "points.f32")
    colour.astype("<f4").tofile(ctx.out / "colour.f32")
    np.asarray(result["loss"], "<f4").tofile(ctx.out / "loss.f32")
    with open(ctx.out / "snapshots.f32", "wb") as handle:
        for s in wanted:
            for name, _ in FIELDS:
                handle.write(np.ascontiguousarray(result["snapshots"][s][name], "<f4").tobytes())
    for part, net in (("encoder", encoder), ("decoder", decoder)):
        (ctx.out / part).mkdir()
        for i, w in enumerate(net.get_weights()):
            np.save(ctx.out / part / f"{i:03d}.npy", w, allow_pickle=False)
    snaps = [{"step": s, "loss": result["snapshots"][s]["loss"]} for s in wanted]
    ctx.write_json(
        "toy.json",
        {
            "shape": p["shape"],
            "n": len(x),
            "steps": p["steps"],
            "seed": p["seed"],
            "hidden": p["hidden"],
            "activation": p["activation"],
            "learning_rate": p["learning_rate"],
            "snapshots": snaps,
            "fields": [list(f) for f in FIELDS],
            "fd_error": fd_error,
            "fd_points": check,
        },
    )
    return {
        "shape": p["shape"],
        "steps": p["steps"],
        "loss": snaps[-1]["loss"],
        "first_loss": snaps[0]["loss"],
        "seconds_training": round(seconds, 2),
        "fd_error": fd_error,
        "params": {"encoder": int(encoder.count_params()), "decoder": int(decoder.count_params())},
    }

"""Trained autoencoders in figure payloads: their code planes, decoders and reconstructions.

Shared by the figures that put a model's 2-D codes on a plane and decode places
on it (decoder-sampler, draw-digit, zoo-latent, zoo-manifold) or show what a
model makes of images (zoo-reconstructions, zoo-anomaly).

The code-plane figures take any model of :func:`generator.models.registry.plane_models` (a built-in or an
author's ``[models.<name>]``): :func:`plane_model` checks a figure's ``model:`` option, :func:`plane_layout`
names the layout that holds its codes. Decoded images are gray (H, W) or RGB (H, W, 3), any size.
"""

from __future__ import annotations

import numpy as np

from .errors import ContentError
from .pipeline import Request
from .stages.export import export_request
from .stages.layout import layout_request
from .stages.train import train_request

#: the 2-D MNIST autoencoders -> the layout method that holds their codes
MNIST_MODELS = {"mnist_ae": "encoder", "mnist_vae": "vae"}
#: the zoo's 2-D latent models whose decoder exports (fashion_cvae only if its decoder exports cleanly)
VAE_MODELS = ("fashion_vae", "fashion_cvae", "mnist_vae")
#: why a code-plane figure needs a model of plane_models (the end of check_model's message)
PLANE_NEED = "the figure draws the model's 2-D code plane and runs its decoder in the page: a model with latent_dim = 2"
#: the plane's axes reach this fraction of the codes' range beyond their extent on each side
DOMAIN_PAD = 0.04
U16 = 65535


def plane_model(cfg, model) -> dict:
    """:func:`generator.models.registry.model_info` of a code-plane figure's ``model:`` option.

    The model must be one of ``plane_models(cfg)``; an author's model read from a .keras file must have a
    decoder that takes a 2-D code (read from the file's config.json). Anything else is one ContentError
    saying what is allowed (the build's plan step adds the article's file and line).
    """
    from .models.registry import check_model, model_info, model_names, plane_models

    if isinstance(model, str) and model in model_names(cfg):
        info = model_info(cfg, model)
        if info["source"] == "file" and not info["plane"]:  # its code: its decoder's input, read from the file
            raise ContentError(not_plane(model, info["code"]))
    check_model(cfg, model, plane_models(cfg), PLANE_NEED)
    return model_info(cfg, model)


def not_plane(model: str, code=None) -> str:
    """The message for an author's model whose code turns out not to be 2-D (``code``: its shape, if known)."""
    shape = f"of shape {tuple(code)}, not (2,)" if code is not None else "that is not 2-D"
    return (
        f"model {model!r} has a code {shape}; {PLANE_NEED}: "
        "give its encoder 2 outputs (a VAE: a z_mean of 2) or pick another model"
    )


def plane_layout(cfg, model: str, dataset: str) -> Request:
    """The layout whose positions are ``model``'s codes of ``dataset`` (MNIST's two built-ins: encoder, vae)."""
    return layout_request(cfg, MNIST_MODELS.get(model, model), dataset)


def image_noun(dataset: str) -> str:
    """What the figures' texts call the images of ``dataset``: MNIST's are digits, any other's images."""
    return "digits" if dataset == "mnist" else "images"


def family(info: dict) -> str:
    """A model's family in words, from its :func:`plane_model` info."""
    return "variational autoencoder" if info["vae"] else "autoencoder"


def decoder_request(kind: str, options: dict, cfg, part: str = "decoder") -> Request:
    """The payload request of a figure over one trained model (``options["model"]``) and one exported part."""
    model = options["model"]
    return Request(
        f"figure:{kind}",
        {**options, "decoder": export_request(cfg, model, part).params, "train": train_request(cfg, model).params},
    )


def decoder_inputs(p: dict) -> dict:
    """The inputs of :func:`decoder_request`'s stage: the ``decoder`` export, the ``train`` artifact, its ``data``."""
    return {
        "decoder": Request("export", p["decoder"]),
        "train": Request("train", p["train"]),
        "data": Request("dataset", p["train"]["data"]),
    }


def code_transform(codes: np.ndarray, positions: bytes, quant: dict) -> dict:
    """The per-axis affine map from the layout's uint16 positions back to code units.

    The layout stage normalised the codes (centre the box, divide by half the
    longer side) and quantised each axis; ``code = q * scale + offset`` undoes
    both. The map is checked against the real codes, so a change upstream
    fails the build instead of misplacing every dot.
    """
    codes = np.asarray(codes, np.float64)
    lo, hi = codes.min(axis=0), codes.max(axis=0)
    centre, half = (lo + hi) / 2, (hi - lo).max() / 2
    scale = np.asarray(quant["scale"]) * half
    offset = np.asarray(quant["offset"]) * half + centre
    q = np.frombuffer(positions, "<u2").reshape(-1, 2).astype(np.float64)
    if q.shape != codes.shape:
        raise ValueError(f"layout has {len(q)} positions for {len(codes)} codes")
    error = np.abs(q * scale + offset - codes).max(axis=0)
    if (error > 1e-3 * np.maximum(hi - lo, 1e-9)).any():
        raise ValueError(f"layout positions do not match the model's codes (error {error.tolist()})")
    return {"scale": scale.tolist(), "offset": offset.tolist(), "max_error": error.max().item()}


def plane_domain(extent: dict, pad: float = DOMAIN_PAD) -> dict:
    """Axis ranges of the plane: the codes' real extent plus a thin margin."""
    lo, hi = np.asarray(extent["min"], float), np.asarray(extent["max"], float)
    margin = (hi - lo) * pad
    return {"x": [lo[0] - margin[0], hi[0] + margin[0]], "y": [lo[1] - margin[1], hi[1] + margin[1]], "pad": pad}


def quantise(codes: np.ndarray, domain: dict) -> tuple[bytes, dict]:
    """Codes as little-endian uint16 pairs over ``domain``, and the map back (code = q * scale + offset)."""
    lo = np.array([domain["x"][0], domain["y"][0]], np.float64)
    hi = np.array([domain["x"][1], domain["y"][1]], np.float64)
    scale = (hi - lo) / U16
    q = np.rint((np.asarray(codes, np.float64) - lo) / scale).clip(0, U16).astype("<u2")
    error = np.abs(q * scale + lo - codes).max(axis=0) if len(codes) else np.zeros(2)
    return q.tobytes(), {"scale": scale.tolist(), "offset": lo.tolist(), "max_error": float(error.max())}


def probe_codes(codes: np.ndarray, centre) -> np.ndarray:
    """Four codes for a parity fixture: ``centre`` and three of the data's codes, float32 to 4 decimals."""
    picks = [len(codes) // 7, len(codes) // 3, (2 * len(codes)) // 3]
    return np.vstack([centre, codes[picks]]).astype(np.float32).round(4)


def decoded_plane(
    codes: np.ndarray,
    labels: np.ndarray,
    domain: dict,
    decoder,
    extent: dict,
    *,
    size: int,
    grid: int = 5,
    width: int = 560,
    height: int = 430,
):
    """The codes as class-tinted dots (:func:`generator.draw.scatter`) with the decoder's images on top.

    The images are decoded at a ``grid`` x ``grid`` lattice inside the codes'
    extent, each ``size`` px square on a 1 px white frame, centred on its code.
    Returns ``(image, to_pixel)``.
    """
    from .draw import scatter

    if labels is None:  # unlabelled data: every dot the first class colour
        labels = np.zeros(len(codes), np.uint8)
    plane, to_pixel = scatter(codes, labels, domain, width, height)
    xs = np.linspace(extent["min"][0], extent["max"][0], grid + 2)[1:-1]
    ys = np.linspace(extent["min"][1], extent["max"][1], grid + 2)[1:-1]
    points = np.array([[x, y] for y in ys for x in xs], np.float32)
    decoded = np.asarray(decoder.predict(points, verbose=0))
    for (x, y), image in zip(points, decoded):
        picture = image_tile(image, size)
        px, py = to_pixel(x, y)
        box = (round(px - picture.width / 2), round(py - picture.height / 2))
        plane.paste((255, 255, 255), (box[0] - 1, box[1] - 1, box[0] + picture.width + 1, box[1] + picture.height + 1))
        plane.paste(picture.convert("RGB"), box)
    return plane, to_pixel


def to_pixels(values) -> np.ndarray:
    """Decoded images (floats in [0, 1]) as uint8, rounded in the model's own precision like the page does."""
    return np.rint(np.clip(values, 0, 1) * 255).astype(np.uint8)


def image_tile(values, size: int):
    """A decoded image (floats in [0, 1], (H, W) gray or (H, W, 3) RGB) as a tile ``size`` px on its longer
    side, keeping its aspect (nearest-neighbour: crisp pixels). A square gray image is
    :func:`generator.draw.tile` (white on black like MNIST)."""
    from PIL import Image

    from .atlas import fitted_size

    pixels = to_pixels(values)
    height, width = fitted_size(*pixels.shape[:2], size)
    return Image.fromarray(pixels, "RGB" if pixels.ndim == 3 else "L").resize((width, height), Image.NEAREST)


def reconstruct(models: dict, images: np.ndarray) -> np.ndarray:
    """The autoencoder's output for ``images`` (N, H, W) in [0, 1], as (N, H, W) floats."""
    out = models["autoencoder"].predict(images.astype("float32"), batch_size=256, verbose=0)
    if isinstance(out, (list, tuple)):
        out = out[0]
    return np.asarray(out, dtype=np.float64).reshape(images.shape)

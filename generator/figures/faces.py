"""Figure kind ``faces``: the face autoencoder's latent plane and a face explorer.

(a) The training faces' 2-D codes as a scatter beside a grid of faces the
decoder drew at build time, evenly spaced over the codes' extent; (b) a 2-D pad
whose position is decoded into a face in the page by the exported TF.js
decoder (copied into the payload). The payload is:

- ``decoder/``: the exported TF.js decoder (model.json + one weight shard);
- ``codes.f32``: little-endian float32 (x, y) codes of the training faces;
- ``grid.png``: a grayscale sprite of ``grid`` x ``grid`` decoded faces, top
  row at the largest second code (the plane's "up");
- ``parity.u16``: Keras decoder outputs for two probe codes (every
  ``stride``-th row and column, value * 65535, little-endian), which the
  browser test compares with the in-page decoder;
- ``config.json`` and ``fallback.png`` (the scatter and the grid).
"""

from __future__ import annotations

import json
import math
import shutil

import numpy as np

from ..draw import INK, MUTED, font, sprite
from ..errors import BuildError
from ..payload import Payload, source_of
from ..pipeline import Context, Request, stage
from ..schema import Field
from ..stages.export import export_request
from ..stages.train import train_request

KIND = "faces"
OPTIONS = {
    "grid": Field("int", 6, "Faces per side of the grid decoded at build.", 3, 10),
}
MODEL = "faces_ae"
MAX_DECODER_BYTES = 1_500_000
MAX_GRID_CELL = 100  # widest grid cell shipped, in pixels (larger faces are shrunk)
PARITY_PIXELS = 6000  # at most this many pixels per parity face (rows and columns are strided)


def request(options: dict, cfg) -> Request:
    return Request(
        f"figure:{KIND}",
        {
            **options,
            "max_decoder_bytes": MAX_DECODER_BYTES,
            "model": train_request(cfg, MODEL).params,
            "decoder": export_request(cfg, MODEL, "decoder").params,
        },
    )


def _inputs(p: dict) -> dict:
    return {
        "model": Request("train", p["model"]),
        "decoder": Request("export", p["decoder"]),
        "data": Request("dataset", p["model"]["data"]),
    }


def grid_codes(extent: dict, n: int) -> np.ndarray:
    """Row-major (n*n, 2) codes over the extent; row 0 at the largest second code."""
    xs = np.linspace(extent["min"][0], extent["max"][0], n)
    ys = np.linspace(extent["max"][1], extent["min"][1], n)
    return np.array([[x, y] for y in ys for x in xs], dtype="float32")


def scatter_image(codes: np.ndarray, extent: dict, size: tuple[int, int], pad: int = 28):
    """The codes as dots on a plane with the extent's corners labelled."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    lo, hi = np.array(extent["min"]), np.array(extent["max"])
    span = np.where(hi > lo, hi - lo, 1.0)
    inset = 6  # keep the extreme dots inside the frame
    inner = np.array([width - 2 * (pad + inset), height - 2 * (pad + inset)])
    xy = pad + inset + (codes - lo) / span * inner
    xy[:, 1] = height - xy[:, 1]
    draw.rectangle([pad, pad, width - pad, height - pad], outline=(208, 215, 222))
    for x, y in xy:
        draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=(10, 88, 202))
    small = font(11)
    draw.text((pad, height - pad + 4), f"{lo[0]:.2g}", fill=MUTED, font=small)
    draw.text((width - pad, height - pad + 4), f"{hi[0]:.2g}", fill=MUTED, font=small, anchor="ra")
    draw.text((pad - 4, height - pad), f"{lo[1]:.2g}", fill=MUTED, font=small, anchor="rs")
    draw.text((pad - 4, pad), f"{hi[1]:.2g}", fill=MUTED, font=small, anchor="ra")
    draw.text((width / 2, height - pad + 4), "code 1", fill=MUTED, font=small, anchor="ma")
    draw.text((4, height / 2), "code 2", fill=MUTED, font=small, anchor="lm")
    return image


def fallback_image(codes: np.ndarray, extent: dict, sheet: np.ndarray):
    """Scatter (left) and the decoded grid (right), titled, on one white sheet."""
    from PIL import Image, ImageDraw

    grid_h = 360
    grid_w = round(sheet.shape[1] * grid_h / sheet.shape[0])
    grid = Image.fromarray(sheet, "L").resize((grid_w, grid_h), Image.LANCZOS).convert("RGB")
    scatter = scatter_image(codes, extent, (grid_h, grid_h))
    gap, top = 24, 26
    out = Image.new("RGB", (scatter.width + gap + grid_w + 16, grid_h + top + 8), (255, 255, 255))
    out.paste(scatter, (8, top))
    out.paste(grid, (8 + scatter.width + gap, top))
    draw = ImageDraw.Draw(out)
    draw.text((8 + scatter.width / 2, 6), f"Codes of {len(codes)} training faces", fill=INK, font=font(13), anchor="ma")
    draw.text(
        (8 + scatter.width + gap + grid_w / 2, 6),
        "Faces decoded across the same plane",
        fill=INK,
        font=font(13),
        anchor="ma",
    )
    return out


@stage(
    f"figure:{KIND}",
    inputs=_inputs,
    libs=("numpy", "pillow", "tensorflow-cpu", "keras"),
    label=lambda p: f"figure faces ({p['grid']}x{p['grid']} grid)",
)
def payload(ctx: Context) -> dict:
    from PIL import Image

    from ..stages.data import load_arrays
    from ..stages.export import probe_set
    from ..stages.train import rebuild

    p = ctx.params
    decoder_meta = ctx.inputs["decoder"].meta
    if decoder_meta["bytes"] > p["max_decoder_bytes"]:
        raise BuildError(
            f"the exported face decoder is {decoder_meta['bytes']:,} bytes ({decoder_meta['dtype']}); "
            f"the faces figure allows {p['max_decoder_bytes']:,}: lower [export] max_error's "
            "precision demands or shrink the face model",
            where="figure faces",
        )
    arrays = load_arrays(ctx.inputs["data"])
    n_train = len(arrays["x_train"])
    height, width = (int(s) for s in arrays["x_train"].shape[1:])
    codes = np.load(ctx.inputs["model"].file("codes.npy"))
    train_codes = np.ascontiguousarray(codes[:n_train], dtype="<f4")
    (ctx.out / "codes.f32").write_bytes(train_codes.tobytes())
    extent = json.loads(ctx.inputs["decoder"].file("extent.json").read_text())

    decoder = rebuild(ctx.inputs["model"])["decoder"]
    n = p["grid"]
    faces = decoder.predict(grid_codes(extent, n), verbose=0)
    faces = np.clip(np.rint(np.asarray(faces) * 255), 0, 255).astype(np.uint8)
    sheet = sprite(faces, n)
    cell = (height, width)
    if width > MAX_GRID_CELL:  # CelebA-sized faces: the page shows grid cells at ~50 CSS px
        cell = (round(height * MAX_GRID_CELL / width), MAX_GRID_CELL)
        small = [Image.fromarray(f, "L").resize(cell[::-1], Image.LANCZOS) for f in faces]
        Image.fromarray(sprite(np.stack([np.asarray(f) for f in small]), n), "L").save(
            ctx.out / "grid.png", optimize=True
        )
    else:
        Image.fromarray(sheet, "L").save(ctx.out / "grid.png", optimize=True)

    # Parity fixture: two of the export's own probe codes (one grid point, one training
    # code), so the quantised decoder is known to stay within [export] max_error there.
    probe = probe_set("decoder", codes, arrays["x_test"])
    picks = [27 if len(probe) > 27 else 0, 64 if len(probe) > 64 else len(probe) - 1]
    parity_codes = probe[picks]
    expected = np.asarray(decoder.predict(parity_codes, verbose=0), dtype=np.float64)
    stride = max(1, math.ceil(math.sqrt(height * width / PARITY_PIXELS)))
    strided = expected[:, ::stride, ::stride]
    (ctx.out / "parity.u16").write_bytes(np.rint(np.clip(strided, 0, 1) * 65535).astype("<u2").tobytes())

    fallback = fallback_image(train_codes, extent, sheet)

    # The decoder's files are copied into this payload rather than published with
    # shared_url(): the export artifact also holds probe.json (Keras outputs for the
    # parity tests, megabytes of JSON) and a shared artifact is copied whole.
    (ctx.out / "decoder").mkdir()
    for name in ("model.json", "group1-shard1of1.bin"):
        shutil.copyfile(ctx.inputs["decoder"].file(f"model/{name}"), ctx.out / "decoder" / name)
    source = source_of(ctx)
    alt = (
        f"Left: the two-number codes of {n_train} training faces ({source['name']}) as dots. Right: a "
        f"{n}-by-{n} grid of faces the decoder drew at evenly spaced codes across the same plane."
    )
    config = {
        "image": [height, width],
        "extent": extent,
        "decoder": "decoder/model.json",
        "decoder_bytes": decoder_meta["bytes"],
        "decoder_dtype": decoder_meta["dtype"],
        "decoder_max_error": decoder_meta["max_error"],
        "codes": {"file": "codes.f32", "count": int(n_train)},
        "grid": {"file": "grid.png", "n": n, "cell": list(cell)},
        "parity": {
            "file": "parity.u16",
            "codes": parity_codes.astype(float).tolist(),
            "stride": stride,
            "shape": list(strided.shape[1:]),
        },
        "source": source["name"],
    }
    return Payload(ctx).finish(
        config,
        alt=alt,
        fallback=fallback,
        sources=[source],
        decoder_bytes=decoder_meta["bytes"],
        decoder_dtype=decoder_meta["dtype"],
        image=[height, width],
    )

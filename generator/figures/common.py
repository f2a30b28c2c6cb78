"""Helpers for figure payload stages."""

from __future__ import annotations

from ..pipeline import Artifact, Context


def shared_url(ctx: Context, name: str) -> tuple[str, dict]:
    """Publish upstream artifact ``name`` once for the whole site; return its URL and a share record.

    The URL is relative to the figure's own payload directory (where
    config.json lives), e.g. ``../../artifacts/export-1a2b3c4d5e/``. Put the
    record in the stage's meta under ``"share"`` so the build copies it::

        url, record = shared_url(ctx, "decoder")
        config["decoder"] = url + "model/model.json"
        return {..., "share": [record]}

    Two figures that use the same artifact load the same files, so a page
    downloads (and the report counts) them once.
    """
    artifact: Artifact = ctx.inputs[name]
    folder = f"{artifact.stage}-{artifact.digest[:10]}"
    return f"../../artifacts/{folder}/", {"stage": artifact.stage, "key": artifact.key, "folder": folder}


def source_of(ctx: Context, name: str = "data") -> dict:
    """The credit record of a dataset artifact input."""
    return dict(ctx.inputs[name].meta["source"])

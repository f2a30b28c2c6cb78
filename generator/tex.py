"""Math rendered to HTML at build time with KaTeX (so it reads without JavaScript)."""

from __future__ import annotations

import json
import shutil
import subprocess

from .errors import BuildError
from .pipeline import ROOT, Context, stage

SCRIPT = ROOT / "generator" / "katex.mjs"
KATEX = ROOT / "node_modules" / "katex"


@stage(
    "math",
    libs=("npm:katex",),
    sources=("generator/katex.mjs",),
    label=lambda p: f"math {p['article']} ({len(p['items'])})",
)
def render_math(ctx: Context) -> dict:
    """Render every expression of one article; errors are kept per item."""
    items = ctx.params["items"]
    results = []
    if items:
        if shutil.which("node") is None or not KATEX.is_dir():
            raise BuildError("math needs Node.js and the npm package 'katex': run `make site` (or `npm ci`)")
        done = subprocess.run(
            ["node", str(SCRIPT), str(KATEX)], input=json.dumps(items), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise BuildError(f"KaTeX failed: {done.stderr.strip()[:500]}")
        results = json.loads(done.stdout)
    ctx.write_json("math.json", results)
    return {"count": len(items), "errors": sum(1 for r in results if "error" in r)}

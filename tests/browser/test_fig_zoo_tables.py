"""The zoo's measurement figures in Chromium: the loss table, the loss curves, the
reconstructions and the anomaly scores (one tiny build, one article with all four).

Each mounts without console errors and draws; the table's numbers are the
evaluate artifacts' own; the model picker changes the reconstructions and the
legend hides a curve, both by keyboard; every fallback image exists and is
referenced; nothing is requested from anywhere but 127.0.0.1.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.config import load_config
from generator.pipeline import Pipeline
from generator.stages.zoo import ZOO, evaluate_request
from tests.browser.waits import READY_TIMEOUT
from tests.conftest import subpath_site

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("zoo-table", "zoo-curves", "zoo-reconstructions", "zoo-anomaly")
ARTICLE = """\
---
title: Zoo
description: The autoencoder zoo, measured.
date: 2026-01-02
---

## Table

```figure
kind: zoo-table
caption: Test losses.
```

## Curves

```figure
kind: zoo-curves
caption: Loss per epoch.
```

## Reconstructions

```figure
kind: zoo-reconstructions
caption: Originals and reconstructions.
```

## Anomalies

```figure
kind: zoo-anomaly
caption: Reconstruction error per class.
```
"""
SHOTS = Path(os.environ.get("ZOO_SHOTS", "")) if os.environ.get("ZOO_SHOTS") else None


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> Path:
    return subpath_site(tmp_path_factory.mktemp("zoo-tables"), shared_cache, {"zoo.md": ARTICLE})


def payload_dir(www: Path, kind: str) -> Path:
    return next((www / "repo" / "figures").glob(f"{kind}-*"))


def html(www: Path) -> str:
    return (www / "repo" / "zoo" / "index.html").read_text()


def wait_ready(page, kind: str) -> None:
    selector = f"figure[data-figure='{kind}']"
    page.locator(selector).scroll_into_view_if_needed()
    page.wait_for_function(
        f"['ready', 'error'].includes(document.querySelector(\"{selector}\").dataset.state)", timeout=READY_TIMEOUT
    )
    state = page.locator(selector).get_attribute("data-state")
    assert state == "ready", page.locator(f"{selector} .figure-status").inner_text()


def hook(page, kind: str, expression: str):
    return page.evaluate(f"document.querySelector(\"figure[data-figure='{kind}']\").__figure.{expression}")


def assert_clean(log) -> None:
    log.assert_clean()


class _TableCells(HTMLParser):
    """The zoo-table's body: {model: {column: data-value}}."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self.texts: dict[str, dict[str, str]] = {}
        self._model = self._key = None
        self._in_table = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure" and a.get("data-figure") == "zoo-table":
            self._in_table = True
        elif tag == "figure":
            self._in_table = False
        if not self._in_table:
            return
        if tag == "tr" and "data-model" in a:
            self._model = a["data-model"]
            self.rows[self._model], self.texts[self._model] = {}, {}
        elif tag == "td" and self._model:
            self._key = a["data-key"]
            self.rows[self._model][self._key] = a["data-value"]
            self.texts[self._model][self._key] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self._key = None

    def handle_data(self, data):
        if self._key:
            self.texts[self._model][self._key] += data


def test_payload_helpers():
    """The pure helpers behind the payloads (no build needed)."""
    import numpy as np

    from generator.figures.zoo_anomaly import class_stats
    from generator.figures.zoo_curves import curve_series
    from generator.figures.zoo_reconstructions import bce_per_image
    from generator.payload import pick_per_class

    labels = np.array([3, 1, 1, 0, 3, 0, 2, 2, 1])
    assert pick_per_class(labels, 4).tolist() == [3, 1, 6, 0]  # the first of each class, in class order
    assert pick_per_class(labels, 6).tolist() == [3, 1, 6, 0, 5, 2]  # then the second of each
    x = np.array([[[0.0, 1.0]]]), np.array([[[0.25, 0.5]]])
    expected = -(np.log(0.75) + np.log(0.5)) / 2
    assert bce_per_image(x[0], x[1])[0] == pytest.approx(expected)
    vae = curve_series(
        "fashion_vae",
        {
            "loss": [300.0, 250.0],
            "val_loss": [310.0, 260.0],
            "reconstruction_loss": [0.35, 0.3],
            "val_reconstruction_loss": [0.36, 0.31],
        },
        784,
    )
    assert vae["train"] == [0.35, 0.3] and vae["measure"] == "reconstruction"
    summed = curve_series("fashion_cvae", {"loss": [392.0], "val_loss": [784.0]}, 784)
    assert summed["train"] == [0.5] and summed["val"] == [1.0] and "784" in summed["note"]
    errors = np.array([0.1, 0.2, 0.3, 0.4, 5.0, 0.2], dtype="f4")
    stats = class_stats(errors, np.array([0, 0, 0, 0, 0, 1]), 3)
    assert stats[0]["median"] == pytest.approx(0.3) and stats[0]["outliers"] == 1 and stats[0]["high"] < 5
    assert stats[2] == {"class": 2, "count": 0}


def test_payloads_are_small_and_fallbacks_referenced(built):
    page_html = html(built)
    for kind in KINDS:
        folder = payload_dir(built, kind)
        fallback = folder / "fallback.png"
        assert fallback.stat().st_size > 1000, kind
        assert f"{folder.name}/fallback.png" in page_html, f"{kind}: fallback image not referenced"
        files = [f for f in folder.rglob("*") if f.is_file() and f.name != "fallback.png"]
        raw = sum(f.stat().st_size for f in files)
        packed = sum(len(gzip.compress(f.read_bytes())) for f in files)
        print(f"{kind}: payload {raw:,} bytes ({packed:,} gzip) + fallback {fallback.stat().st_size:,} bytes")
        assert packed < 150_000, kind
    recon = json.loads((payload_dir(built, "zoo-reconstructions") / "config.json").read_text())
    assert recon["count"] == 10 and len(recon["models"]) == len(ZOO)
    assert sum(1 for m in recon["models"] if m["noisy"]) == 1  # the denoiser shows its noisy input
    anomaly = json.loads((payload_dir(built, "zoo-anomaly") / "config.json").read_text())
    assert anomaly["model"]["key"] == "fashion_conv" and len(anomaly["classes"]) == 10
    assert (payload_dir(built, "zoo-anomaly") / "errors.f32").stat().st_size == 4 * anomaly["count"]


def test_table_numbers_are_the_metrics_artifacts(built, shared_cache):
    site_toml = built.parent / "site" / "site.toml"  # subpath_site's project, beside its www/
    cfg = load_config(ROOT, path=site_toml, overrides={"build.scale": "tiny"})
    pipeline = Pipeline(shared_cache, show_progress=False)
    parser = _TableCells()
    parser.feed(html(built))
    assert list(parser.rows) == [m["key"] for m in ZOO]
    config = json.loads((payload_dir(built, "zoo-table") / "config.json").read_text())
    for entry in ZOO:
        metrics = json.loads(pipeline.get(evaluate_request(cfg, entry["key"])).file("metrics.json").read_text())
        cells, texts = parser.rows[entry["key"]], parser.texts[entry["key"]]
        for column in ("test_bce", "test_mse", "params", "epochs", "train_count"):
            assert float(cells[column]) == metrics[column], (entry["key"], column)
        assert texts["test_bce"] == f"{metrics['test_bce']:.4f}"
        assert texts["params"] == f"{metrics['params']:,}"
        guide = entry["guide_bce"]
        assert (cells["guide_bce"] == "") if guide is None else float(cells["guide_bce"]) == guide
        row = next(r for r in config["rows"] if r["key"] == entry["key"])
        assert row["test_bce"] == metrics["test_bce"] and row["params"] == metrics["params"]
    assert "“tiny”" in html(built)  # the scale the numbers were measured at


def test_figures_mount_draw_and_answer_the_keyboard(page, page_errors, serve, built):
    log = page_errors(page)
    page.goto(serve(built) + "repo/zoo/")
    for kind in KINDS:
        wait_ready(page, kind)

    # the table: its headers sort, by keyboard
    table = "figure[data-figure='zoo-table']"
    header = page.locator(f"{table} th[data-key='test_bce'] button")
    header.focus()
    page.keyboard.press("Enter")
    assert page.locator(f"{table} th[data-key='test_bce']").get_attribute("aria-sort") == "ascending"
    values = [
        float(v)
        for v in page.locator(f"{table} tbody td[data-key='test_bce']").evaluate_all(
            "cells => cells.map(c => c.dataset.value)"
        )
    ]
    assert values == sorted(values)
    page.keyboard.press("Enter")
    assert page.locator(f"{table} th[data-key='test_bce']").get_attribute("aria-sort") == "descending"

    # the curves: every model drawn; the legend hides one by keyboard; arrows move the crosshair
    curves = hook(page, "zoo-curves", "state()")
    assert curves["drawn"] == [m["key"] for m in ZOO]
    paths = page.locator("figure[data-figure='zoo-curves'] path.zoo-curves__line")
    assert all(len(d or "") > 3 for d in paths.evaluate_all("ps => ps.map(p => p.getAttribute('d'))"))
    button = page.locator("figure[data-figure='zoo-curves'] .zoo-chart__legend button[data-key='fashion_deep']")
    button.focus()
    page.keyboard.press("Space")
    assert button.get_attribute("aria-pressed") == "false"
    page.wait_for_function(
        "!document.querySelector(\"figure[data-figure='zoo-curves']\").__figure.state().drawn.includes('fashion_deep')"
    )
    assert "fashion_deep" not in hook(page, "zoo-curves", "state()")["visible"]
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-pressed") == "true"
    plot = page.locator("figure[data-figure='zoo-curves'] .zoo-curves__plot")
    plot.focus()
    before = hook(page, "zoo-curves", "state()")
    page.keyboard.press("Home")
    after = hook(page, "zoo-curves", "state()")
    assert after["epoch"] == 1 and (before["epochs"] == 1 or after["readout"] != before["readout"])
    assert "Epoch 1" in page.locator("figure[data-figure='zoo-curves'] .figure-status").inner_text()

    # the reconstructions: the picker (a radio group) changes the images by keyboard
    recon = "figure[data-figure='zoo-reconstructions']"
    first = hook(page, "zoo-reconstructions", "state()")
    checksum = hook(page, "zoo-reconstructions", "reconstructionChecksum()")
    assert checksum > 0, "the reconstructions are blank"
    page.locator(f"{recon} input[type='radio']:checked").focus()
    page.keyboard.press("ArrowRight")
    shown = f'document.querySelector("{recon}").__figure.state()'
    page.wait_for_function(f"{shown}.model !== '{first['model']}' && {shown}.drawn === {shown}.model")
    assert hook(page, "zoo-reconstructions", "reconstructionChecksum()") != checksum
    hook(page, "zoo-reconstructions", "setModel('fashion_denoise')")
    page.wait_for_function(f"{shown}.drawn === 'fashion_denoise'")
    assert hook(page, "zoo-reconstructions", "state()")["rows"] == ["Original", "Noisy input", "Denoised"]

    # the anomaly scores: ten boxes, a strip of points, a keyboard read-out, thumbnails
    anomaly = hook(page, "zoo-anomaly", "state()")
    assert anomaly["boxes"] == 10 and anomaly["dots"] > 100
    page.locator("figure[data-figure='zoo-anomaly'] .zoo-anomaly__plot").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    moved = hook(page, "zoo-anomaly", "state()")
    assert moved["image"] is not None and moved["readout"] != anomaly["readout"]
    assert page.locator("figure[data-figure='zoo-anomaly'] .zoo-anomaly__thumb").count() == 12
    assert re.search(r"error \d\.\d{3}", page.locator("figure[data-figure='zoo-anomaly'] .figure-status").inner_text())
    if SHOTS:
        for kind in KINDS:
            page.locator(f"figure[data-figure='{kind}']").screenshot(path=str(SHOTS / f"{kind}-1280.png"))
    page.add_script_tag(path=str(ROOT / "node_modules" / "axe-core" / "axe.min.js"))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => [v.id, v.nodes.slice(0, 3).map(n => n.target.join(' '))])"
    )
    assert violations == []
    assert_clean(log)


def test_fit_a_360_px_screen_with_reduced_motion(browser, serve, built, page_errors):
    context = browser.new_context(viewport={"width": 360, "height": 800}, reduced_motion="reduce")
    page = context.new_page()
    log = page_errors(page)
    page.goto(serve(built) + "repo/zoo/")
    for kind in KINDS:
        wait_ready(page, kind)
        box = page.locator(f"figure[data-figure='{kind}'] .figure-body").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, kind
        if SHOTS:
            page.locator(f"figure[data-figure='{kind}']").screenshot(path=str(SHOTS / f"{kind}-360.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert hook(page, "zoo-reconstructions", "state()")["lines"] == 2
    assert_clean(log)
    context.close()

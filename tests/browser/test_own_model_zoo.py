"""The zoo's measurement figures on an author's models and data, in Chromium.

The project of tests/test_own_model_zoo.py (RGB shapes with two trained models and one read from a .keras
file; unlabelled gray bars with one model): every figure mounts without console errors; the table lists the
three models; the curves draw the two trained ones and name the file model under the chart; the
reconstructions paint colour and picking another model changes them; unlabelled images are named by number
and scored in one row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.waits import wait_ready, wait_until
from tests.test_own_model_zoo import build_site

pytestmark = pytest.mark.browser

IDS = ("table", "curves", "recon", "anomaly", "bars-recon", "bars-anomaly")
# Pixels of a canvas whose channels differ by more than 60 (colour, not gray).
COLOUR = """(selector) => {
  const c = document.querySelector(selector);
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) n += 1;
  return n;
}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache) -> Path:
    return build_site(tmp_path_factory.mktemp("own-zoo-browser"), shared_cache)


def hook(page, fid: str, expression: str):
    return page.evaluate(f"document.querySelector('figure#{fid}').__figure.{expression}")


def test_own_models_in_the_zoo_figures(page, page_errors, serve, built):
    log = page_errors(page)
    page.goto(serve(built) + "repo/own-zoo/", wait_until="load")
    for fid in IDS:
        wait_ready(page, f"figure#{fid}")

    assert page.locator("figure#table tbody tr").count() == 3
    assert page.locator("figure#table th[data-key='guide_bce']").count() == 0

    curves = hook(page, "curves", "state()")
    assert curves["drawn"] == ["shapes_dense", "shapes_conv"] and curves["omitted"] == ["shapes_file"]
    assert "Trained elsewhere" in page.locator("figure#curves .zoo-curves__omitted").inner_text()

    recon = "figure#recon"
    assert page.evaluate(COLOUR, f"{recon} canvas") > 200, "the shapes are not painted in colour"
    first = hook(page, "recon", "state()")
    checksum = hook(page, "recon", "reconstructionChecksum()")
    page.locator(f"{recon} input[type='radio']:checked").focus()
    page.keyboard.press("ArrowRight")
    shown = f"document.querySelector('{recon}').__figure.state()"
    wait_until(page, f"{shown}.model !== '{first['model']}' && {shown}.drawn === {shown}.model")
    assert hook(page, "recon", "reconstructionChecksum()") != checksum
    assert hook(page, "recon", "state()")["rows"][-1] != "Noisy input"

    anomaly = hook(page, "anomaly", "state()")
    assert anomaly["boxes"] == 4 and anomaly["dots"] > 10
    assert page.locator("figure#anomaly .zoo-anomaly__thumb").count() == 6

    # unlabelled bars: numbered, not classed; one row of scores
    page.locator("figure#bars-recon .zoo-recon__strip").focus()
    page.keyboard.press("ArrowRight")
    wait_until(
        page, "document.querySelector('figure#bars-recon .zoo-chart__readout').textContent.startsWith('Image 2 of 5:')"
    )
    assert hook(page, "bars-anomaly", "state()")["boxes"] == 1
    thumbs = page.locator("figure#bars-anomaly .zoo-anomaly__thumb").all_inner_texts()
    assert len(thumbs) == 4 and all(t.startswith("image ") for t in thumbs), thumbs
    page.locator("figure#bars-anomaly .zoo-anomaly__plot").focus()
    page.keyboard.press("End")
    assert "image " in hook(page, "bars-anomaly", "state()")["readout"]

    log.assert_clean()

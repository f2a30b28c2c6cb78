"""Parallel stages (``--jobs N``): the same site as ``--jobs 1``, byte for byte; errors in a worker are the
build's one message; ``--clean`` recomputes everything in the workers too."""

from __future__ import annotations

import filecmp
import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

SITE = """\
[site]
title = "Parallel"

[datasets.shapes]
path = "data"
licence = "CC0 1.0"

[models.shapes_ae]
dataset = "shapes"
hidden = [64]
epochs = 20

[models.shapes_conv]
dataset = "shapes"
architecture = "conv"
filters = 16
epochs = 20
"""
ARTICLE = """\
---
title: Parallel
description: Stages in worker processes.
date: 2026-12-01
---

```figure
kind: latent-layouts
dataset: shapes
layouts: [shapes_ae, shapes_conv, tsne, pca]
```

```figure
kind: decoder-sampler
model: shapes_conv
```

```figure
kind: image-grid
dataset: shapes
```
"""


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    shutil.copytree(ROOT / "examples" / "shapes" / "data", root / "data")
    (root / "site.toml").write_text(SITE)
    (root / "content").mkdir()
    (root / "content" / "parallel.md").write_text(ARTICLE)
    return root


def build(root, *args):
    cmd = [sys.executable, str(ROOT / "build.py"), "--config", str(root / "site.toml"), "--scale", "tiny", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900)


def statuses(root) -> dict[str, str]:
    report = json.loads((root / "_site" / "build-report.json").read_text())
    return {stage["name"]: stage["status"] for stage in report["stages"]}


def differing(a, b) -> list[str]:
    """Files that differ between two folders (or are in one only), build-report.json aside."""
    found = []
    compare = filecmp.dircmp(a, b, ignore=["build-report.json"])
    todo = [("", compare)]
    while todo:
        prefix, c = todo.pop()
        found += [prefix + n for n in c.left_only + c.right_only]
        found += [
            prefix + n for n in c.common_files if not filecmp.cmp(f"{c.left}/{n}", f"{c.right}/{n}", shallow=False)
        ]
        todo += [(f"{prefix}{name}/", sub) for name, sub in c.subdirs.items()]
    return found


def test_two_jobs_build_the_same_site_as_one(project, tmp_path):
    one = build(project, "--jobs", "1")
    assert one.returncode == 0, one.stderr[-3000:]
    shutil.move(project / "_site", tmp_path / "one")
    shutil.rmtree(project / ".cache")
    two = build(project, "--jobs", "2")
    assert two.returncode == 0, two.stderr[-3000:]
    assert "Traceback" not in two.stderr
    assert differing(tmp_path / "one", project / "_site") == []
    ran = statuses(project)
    assert set(ran.values()) == {"ran"}, ran  # every stage ran (in the workers), none was loaded as cached
    assert any(name.startswith("train shapes_conv") for name in ran)
    again = build(project, "--jobs", "2")  # nothing to do: no worker is started, nothing runs
    assert again.returncode == 0 and set(statuses(project).values()) == {"cached"}


def test_clean_recomputes_every_stage_in_the_workers(project):
    assert build(project, "--jobs", "2").returncode == 0
    first = (project / "_site" / "parallel" / "index.html").read_text()
    done = build(project, "--jobs", "2", "--clean")
    assert done.returncode == 0, done.stderr[-3000:]
    assert set(statuses(project).values()) == {"ran"}
    assert (project / "_site" / "parallel" / "index.html").read_text() == first


def test_a_stage_failing_in_a_worker_is_the_builds_one_message(project):
    """A .keras file whose encoder does not fit the data set fails in the train stage, run by a worker."""
    import keras

    inputs = keras.Input((16, 16, 3))
    code = keras.layers.Dense(2, name="z")(keras.layers.Flatten()(inputs))
    encoder = keras.Model(inputs, code, name="encoder")
    latent = keras.Input((2,))
    decoder = keras.Model(latent, keras.layers.Reshape((16, 16, 3))(keras.layers.Dense(768)(latent)), name="decoder")
    whole = keras.Model(inputs, decoder(encoder(inputs)))
    whole.save(project / "small.keras")
    with open(project / "site.toml", "a") as settings:
        settings.write('\n[models.small]\ndataset = "shapes"\nfile = "small.keras"\n')
    (project / "content" / "parallel.md").write_text(ARTICLE.replace("tsne, pca]", "tsne, pca, small]"))
    done = build(project, "--jobs", "2")
    assert done.returncode == 1, done.stderr[-3000:]
    assert "small.keras: the encoder takes inputs of shape (16, 16, 3)" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not list((project / ".cache").rglob("*.tmp-*"))
    assert not (project / "_site").exists()


def test_jobs_must_be_a_positive_number(project):
    done = build(project, "--jobs", "0")
    assert done.returncode == 2 and "'0' is not a number of jobs; allowed: a whole number from 1 to 256" in done.stderr

"""Parallel stages (``--jobs N``): the same site as ``--jobs 1``, byte for byte; errors in a worker are the
build's one message; ``--clean`` recomputes everything in the workers too."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.sites import differing

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


def test_two_jobs_build_the_same_site_as_one_and_clean_recomputes_in_the_workers(project, tmp_path):
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
    clean = build(project, "--jobs", "2", "--clean")  # --clean recomputes every stage in the workers too
    assert clean.returncode == 0, clean.stderr[-3000:]
    assert set(statuses(project).values()) == {"ran"}
    assert differing(tmp_path / "one", project / "_site") == []


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


def _workers_of(pid: int) -> list[int]:
    """The worker processes of --jobs that the build ``pid`` started (multiprocessing's spawn children)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid and b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc")
def test_a_worker_killed_by_the_system_is_one_message(project):
    """A worker that dies (the kernel's OOM killer sends SIGKILL) is one message naming what it ran, never
    'internal error' or a traceback."""
    cmd = [sys.executable, str(ROOT / "build.py"), "--config", str(project / "site.toml"), "--scale", "tiny"]
    build_process = subprocess.Popen(
        [*cmd, "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    seen = []
    try:
        for line in build_process.stderr:  # wait until a worker trains
            seen.append(line)
            if "[run] train " in line:
                break
        workers = _workers_of(build_process.pid)
        assert workers, "".join(seen)
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        rest = build_process.stderr.read()
        build_process.wait(timeout=300)
    finally:
        if build_process.poll() is None:
            build_process.kill()
            build_process.wait()
    stderr = "".join(seen) + rest
    assert build_process.returncode == 1, stderr[-3000:]
    [error] = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert "a worker process of --jobs 2 was killed by signal 9" in error and "out of memory" in error, error
    assert "train shapes_" in error and "--jobs 1" in error, error
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert not (project / "_site").exists()


def test_a_worker_that_cannot_start_is_the_builds_one_message(monkeypatch):
    """What fails while a worker starts (its initializer) is kept and raised with its first request, as the
    build's one message: an initializer that raised would break the pool ('internal error')."""
    import logging
    import queue

    from generator import parallel, pipeline
    from generator.errors import ConfigError

    monkeypatch.setattr(parallel, "_worker", {})
    monkeypatch.setattr(parallel.signal, "signal", lambda *args: None)  # not in this test's own process
    monkeypatch.setattr(parallel.signal, "pthread_sigmask", lambda *args: set())
    monkeypatch.setattr(parallel, "_die_with_parent", lambda: None)
    monkeypatch.setattr(pipeline, "BAR_POSITION", 0)
    monkeypatch.setenv("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    level = logging.getLogger("generator").level
    slots = queue.Queue()
    slots.put(1)
    setup = {"cache_dir": "unused", "clean": False, "show_progress": False, "verbosity": 1, "strategy": "sideways"}
    try:
        parallel._start_worker(setup, slots)  # does not raise
    finally:
        logging.getLogger("generator").setLevel(level)
    with pytest.raises(ConfigError, match="option --strategy: is 'sideways'"):
        parallel._resolve(pipeline.Request("math", {}), [], None)


def test_a_tex_error_waits_for_no_training(project):
    """The math renders in the build's own process before any worker starts: a TeX typo is reported at once."""
    (project / "content" / "parallel.md").write_text(ARTICLE + "\nA fraction: $\\frac{1$\n")
    done = build(project, "--jobs", "2")
    assert done.returncode == 1, done.stderr[-3000:]
    [error] = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert "parallel.md:" in error and "does not render" in error, error
    assert "[run] train" not in done.stderr and not (project / ".cache" / "train").exists()

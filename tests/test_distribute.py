"""Training through tf.distribute (``--strategy``), on this 2-core machine.

- ``mirrored`` over two logical CPU devices (``EXPLORABLES_CPU_DEVICES=2``): two replicas, the global batch
  split between them;
- ``multi-worker`` with two build processes on localhost ports (``TF_CONFIG``): the gradients all-reduced
  between them, so both train the very same model;

each gives losses within TOLERANCE of a single-device (``one``) build of the same project, and a model the
rest of the build can use (its decoder exported, its codes placing the points of a latent-layouts figure).
The strategy is not in the cache key, so every build here has a cache of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

# Final training loss of a distributed run relative to the single-device run: the replicas' sums are
# reduced in another order and Keras averages the logged loss per replica, so the runs drift apart a little.
TOLERANCE = 0.05

SITE = """\
[site]
title = "Distributed"

[datasets.shapes]
path = "data"
licence = "CC0 1.0"

[models.shapes_ae]
dataset = "shapes"
architecture = "dense"
hidden = [64]
epochs = 40
batch_size = 32
"""
ARTICLE = """\
---
title: Distributed
description: A model trained through tf.distribute.
date: 2026-12-01
---

```figure
kind: latent-layouts
dataset: shapes
layouts: [shapes_ae, pca]
```
"""


def project(root):
    root.mkdir(parents=True)
    shutil.copytree(ROOT / "examples" / "shapes" / "data", root / "data")
    (root / "site.toml").write_text(SITE)
    (root / "content").mkdir()
    (root / "content" / "distributed.md").write_text(ARTICLE)
    return root


def command(root, strategy):
    return [sys.executable, str(ROOT / "build.py"), "--config", str(root / "site.toml"), "--scale", "tiny"] + [
        "--strategy",
        strategy,
    ]


def environment(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CONFIG", "EXPLORABLES_CPU_DEVICES")}
    return {**env, **extra}


def build(root, strategy, **env):
    done = subprocess.run(command(root, strategy), capture_output=True, text=True, env=environment(**env), timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    return done


def trained(root) -> dict:
    """The train stage's record in the build report, with its history."""
    report = json.loads((root / "_site" / "build-report.json").read_text())
    [record] = [r for r in report["stages"] if r["name"].startswith("train ")]
    [folder] = (root / ".cache" / "train").iterdir()
    return {**record, "history": json.loads((folder / "history.json").read_text())}


def assert_usable(root):
    """The build exported the decoder and placed the points with the model's codes."""
    config = json.loads(next((root / "_site" / "figures").rglob("latent-layouts*/config.json")).read_text())
    assert [layout["id"] for layout in config["layouts"]] == ["shapes_ae", "pca"]
    assert config["count"] == 240


def assert_close(run, single):
    loss, reference = run["history"]["loss"], single["history"]["loss"]
    assert loss[-1] < loss[0], loss  # it learned
    assert abs(loss[-1] - reference[-1]) <= TOLERANCE * reference[-1], (loss, reference)
    assert abs(run["history"]["val_loss"][-1] - single["history"]["val_loss"][-1]) <= TOLERANCE * reference[-1]


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("one") / "site")
    build(root, "one")
    return trained(root)


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_mirrored_over_two_cpu_devices_trains_like_one_device(tmp_path, single):
    root = project(tmp_path / "site")
    build(root, "mirrored", EXPLORABLES_CPU_DEVICES="2")
    run = trained(root)
    assert run["meta"]["strategy"] == "mirrored" and run["meta"]["replicas"] == 2, run["meta"]
    assert single["meta"]["strategy"] == "one" and single["meta"]["replicas"] == 1
    assert_close(run, single)
    assert_usable(root)


def test_two_workers_on_localhost_train_one_model_like_one_device(tmp_path, single):
    ports = free_ports(2)
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    roots = [project(tmp_path / f"worker{i}") for i in range(2)]
    workers = [
        subprocess.Popen(
            command(root, "multi-worker"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}})),
        )
        for i, root in enumerate(roots)
    ]
    outputs = [worker.communicate(timeout=900) for worker in workers]
    for worker, (_, err) in zip(workers, outputs):
        assert worker.returncode == 0, err[-3000:]
    runs = [trained(root) for root in roots]
    assert [r["meta"]["strategy"] for r in runs] == ["multi-worker"] * 2
    assert [r["meta"]["replicas"] for r in runs] == [2, 2]
    # the workers applied the same all-reduced gradients: one model, the same history on both
    assert runs[0]["history"]["loss"] == pytest.approx(runs[1]["history"]["loss"], rel=1e-6)
    assert_close(runs[0], single)
    for root in roots:
        assert_usable(root)


@pytest.mark.parametrize(
    ("env", "strategy", "message"),
    [
        ({}, "multi-worker", r"option --strategy: multi-worker needs the environment variable TF_CONFIG"),
        ({"TF_CONFIG": "{not json"}, "auto", r"environment variable TF_CONFIG: is not JSON"),
        ({"TF_CONFIG": '{"cluster": {"worker": ["localhost:1"]}}'}, "multi-worker", r'needs "task"'),
        ({"TF_CONFIG": '{"cluster": {}, "task": {}}'}, "multi-worker", r'needs "cluster": \{"worker"'),
        ({"EXPLORABLES_CPU_DEVICES": "two"}, "mirrored", r"EXPLORABLES_CPU_DEVICES: is 'two'; allowed"),
    ],
)
def test_a_strategy_that_cannot_run_is_one_message_before_any_stage(tmp_path, env, strategy, message):
    import re

    root = project(tmp_path / "site")
    done = subprocess.run(command(root, strategy), capture_output=True, text=True, env=environment(**env), timeout=600)
    assert done.returncode == 1, done.stderr
    assert re.search(message, done.stderr), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not (root / ".cache" / "train").exists()

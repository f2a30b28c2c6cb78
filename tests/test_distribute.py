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
import re
import shutil
import socket
import subprocess
import sys
import textwrap

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
    """Ports free now (another process may take one before a worker binds it: the cluster test retries once)."""
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


BIND_ERROR = re.compile(r"address already in use|failed to add port|could not start grpc server", re.I)


def run_cluster(folder, count=2):
    """``count`` builds on localhost ports, one per worker, each in a project of its own: (roots, returncodes,
    stderr texts). Every worker is killed in the end, whatever happens; when a port was taken between
    :func:`free_ports` and the bind, the cluster is started once more on other ports, from fresh projects."""
    for attempt in range(2):
        cluster = {"worker": [f"localhost:{port}" for port in free_ports(count)]}
        roots = [project(folder / f"try{attempt}" / f"worker{i}") for i in range(count)]
        logs = [root.parent / f"{root.name}.log" for root in roots]
        workers = []
        try:
            for i, (root, log) in enumerate(zip(roots, logs)):
                task = {"type": "worker", "index": i}
                with open(log, "w") as out:  # a file, not a pipe: a worker never blocks on a full pipe
                    workers.append(
                        subprocess.Popen(
                            command(root, "multi-worker"),
                            stdout=out,
                            stderr=subprocess.STDOUT,
                            env=environment(TF_CONFIG=json.dumps({"cluster": cluster, "task": task})),
                        )
                    )
            pending = list(workers)
            while pending:  # a worker that fails leaves the others waiting for it: stop them then
                try:
                    pending[0].wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
                pending = [w for w in pending if w.poll() is None]
                if any(w.returncode not in (None, 0) for w in workers):
                    break
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                worker.wait()
        texts = [log.read_text() for log in logs]
        codes = [w.returncode for w in workers]
        if attempt == 0 and any(c != 0 for c in codes) and any(BIND_ERROR.search(t) for t in texts):
            continue
        return roots, codes, texts
    raise AssertionError("unreachable")


def test_two_workers_on_localhost_train_one_model_like_one_device(tmp_path, single):
    roots, codes, texts = run_cluster(tmp_path)
    for code, text in zip(codes, texts):
        assert code == 0, text[-3000:]
        assert "Traceback" not in text
        assert "waiting for the other workers" in text
    runs = [trained(root) for root in roots]
    assert [r["meta"]["strategy"] for r in runs] == ["multi-worker"] * 2
    assert [r["meta"]["replicas"] for r in runs] == [2, 2]
    # the workers applied the same all-reduced gradients: one model, the same history on both
    assert runs[0]["history"]["loss"] == pytest.approx(runs[1]["history"]["loss"], rel=1e-6)
    assert_close(runs[0], single)
    for root in roots:
        assert_usable(root)


# One SGD step (no Adam: its update hides the gradient's scale) under MirroredStrategy over two logical CPU
# devices must move the weights exactly as on one device: a gradient scaled wrong (divided by batch_size in
# a partial batch, or the replicas' means summed) moves them by another factor.
SCALE_CHECK = textwrap.dedent(
    """
    import json, os
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import numpy as np
    import tensorflow as tf
    import keras
    from generator import distribute
    from generator.models import vae
    from generator.models.dense import build_autoencoder
    from generator.models.loop import fit_distributed

    distribute._split_cpu(tf)  # EXPLORABLES_CPU_DEVICES=2
    mirrored = tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")])
    keras.random.normal = lambda shape, **_: keras.ops.zeros(shape)  # the VAE samples z = z_mean on any device

    def sgd(model, loss=None):
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss=loss)
        return model

    def compare(reference, model, start):
        ref = reference.get_weights()
        return {
            "moved": max(float(np.abs(a - b).max()) for a, b in zip(ref, start)),
            "apart": max(float(np.abs(a - b).max()) for a, b in zip(ref, model.get_weights())),
        }

    rng = np.random.default_rng(0)
    result = {"replicas": mirrored.num_replicas_in_sync}

    # a dense AE through the custom loop (multi-worker's): 7 images, global batches of 4, so the last step has
    # 3 images (2 + 1 on the replicas); the reference is Keras's fit on one device
    x = rng.random((7, 6, 6)).astype("float32")
    keras.utils.set_random_seed(1)
    reference = sgd(build_autoencoder((6, 6), hidden=(8,), latent_dim=2)[0], "binary_crossentropy")
    start = reference.get_weights()
    reference.fit(x, x, batch_size=4, epochs=1, shuffle=False, verbose=0)
    with mirrored.scope():
        model = sgd(build_autoencoder((6, 6), hidden=(8,), latent_dim=2)[0])
        model.set_weights(start)
    data = tf.data.Dataset.from_tensor_slices((x, x)).batch(4)
    fit_distributed(model, mirrored, data, data, epochs=1, batch_size=4)
    result["dense"] = compare(reference, model, start)

    # the VAE's own train_step under mirrored fit: one global batch of 4 (2 + 2)
    x = rng.random((4, 6, 6)).astype("float32")
    keras.utils.set_random_seed(2)
    reference = sgd(vae.build_vae((6, 6), hidden=(8,), latent_dim=2, seed=3)[0])
    start = reference.get_weights()
    reference.fit(tf.data.Dataset.from_tensor_slices(x).batch(4), epochs=1, verbose=0)
    with mirrored.scope():
        model = sgd(vae.build_vae((6, 6), hidden=(8,), latent_dim=2, seed=3)[0])
        model.set_weights(start)
    model.fit(tf.data.Dataset.from_tensor_slices(x).batch(4), epochs=1, verbose=0)
    result["vae"] = compare(reference, model, start)
    print("RESULT " + json.dumps(result))
    """
)


def test_one_sgd_step_on_two_replicas_moves_the_weights_as_on_one_device():
    done = subprocess.run(
        [sys.executable, "-c", SCALE_CHECK],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment(EXPLORABLES_CPU_DEVICES="2"),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [line] = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    result = json.loads(line[len("RESULT ") :])
    assert result["replicas"] == 2
    for model in ("dense", "vae"):
        moved, apart = result[model]["moved"], result[model]["apart"]
        assert moved > 1e-3, result  # the step changed the weights...
        assert apart <= 1e-5 + 1e-3 * moved, result  # ...as on one device (a wrong scale: apart ~ moved)


def test_mirrored_on_one_device_says_it_trains_on_one():
    script = (
        "import logging; logging.basicConfig(level=logging.INFO)\n"
        "from generator import distribute\n"
        "distribute.configure('mirrored')\n"
        "print('REPLICAS', distribute.describe()['replicas'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=environment(), timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "REPLICAS 1" in done.stdout
    assert "only one device is visible" in done.stderr and "as with --strategy one" in done.stderr


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


@pytest.mark.parametrize(
    ("tf_config", "message"),
    [
        ('{"cluster": [], "task": {}}', r'needs "cluster": \{"worker"'),
        ('{"cluster": null}', r'needs "cluster": \{"worker"'),
        ("[1, 2]", r"is list JSON; allowed: an object"),
        ('{"cluster": {"worker": "localhost:1"}}', r'needs "cluster": \{"worker"'),
        ('{"cluster": {"worker": ["localhost"]}, "task": {"type": "worker", "index": 0}}', r"host:port"),
        ('{"cluster": {"worker": ["h:1"], "ps": ["h:2"]}, "task": {"type": "worker", "index": 0}}', r"'ps'.*no param"),
        ('{"cluster": {"worker": ["h:1"], "chief": ["h:2", "h:3"]}, "task": {"type": "chief", "index": 0}}', "one"),
        ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": true}}', r'needs "task"'),
        ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": 1}}', r"from 0 to 0"),
        ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "chief", "index": 0}}', r'needs "task"'),
        ('{"cluster": {"worker": ["h:1"]}, "task": []}', r'needs "task"'),
    ],
)
def test_tf_config_is_checked_before_tensorflow(monkeypatch, tf_config, message):
    from generator import distribute
    from generator.errors import ConfigError

    monkeypatch.setenv("TF_CONFIG", tf_config)
    with pytest.raises(ConfigError, match=message) as caught:
        distribute.cluster()
    assert str(caught.value).startswith("environment variable TF_CONFIG: ")


@pytest.mark.parametrize(
    ("cluster", "task", "chief"),
    [
        ({"worker": ["h:1", "h:2"]}, {"type": "worker", "index": 0}, True),
        ({"worker": ["h:1", "h:2"]}, {"type": "worker", "index": 1}, False),
        ({"chief": ["h:0"], "worker": ["h:1"]}, {"type": "chief", "index": 0}, True),
        ({"chief": ["h:0"], "worker": ["h:1"]}, {"type": "worker", "index": 0}, False),
    ],
)
def test_only_the_chief_publishes_and_pushes(monkeypatch, cluster, task, chief):
    """The chief: the "chief" task when the cluster names one, else worker 0 (is_chief makes the remote
    cache read-only on the others); told from TF_CONFIG alone, without TensorFlow."""
    from generator import distribute

    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": task}))
    for name in ("multi-worker", "auto"):
        monkeypatch.setitem(distribute._state, "name", name)
        assert distribute.is_chief() is chief
    assert distribute.machines(distribute.cluster()) == sum(map(len, cluster.values()))
    monkeypatch.setitem(distribute._state, "name", "one")
    assert distribute.is_chief() is True

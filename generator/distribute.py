"""Where models train: a ``tf.distribute`` strategy chosen by ``--strategy`` (issue "beyond one machine").

- ``one``: a single device, today's behaviour: the default strategy, no replicas (the default on a CPU);
- ``mirrored``: ``MirroredStrategy`` over every local GPU (or, for tests, the logical CPU devices that
  ``EXPLORABLES_CPU_DEVICES=N`` splits the CPU into);
- ``multi-worker``: ``MultiWorkerMirroredStrategy`` over the machines the standard ``TF_CONFIG``
  environment variable names (every worker runs the same build command);
- ``auto`` (the default): ``multi-worker`` when ``TF_CONFIG`` names a cluster of more than one worker,
  ``mirrored`` when more than one GPU is visible, else ``one``.

Every model is built and compiled inside :func:`scope` and trained by ``model.fit`` on a ``tf.data``
dataset that the strategy distributes (sharded by data across workers); batch sizes are global. The
strategy is how a stage runs, not what it computes, so it is not part of any cache key: a model trained
on a GPU box (and shared through ``--remote-cache``) is reused by a laptop's build.

:func:`configure` is called once by the build before any stage (it checks ``TF_CONFIG`` without
TensorFlow and, for ``multi-worker``, creates the strategy at once, as TensorFlow requires).
"""

from __future__ import annotations

import contextlib
import json
import os

from .errors import ConfigError

STRATEGIES = ("auto", "one", "mirrored", "multi-worker")
CPU_DEVICES = "EXPLORABLES_CPU_DEVICES"

_state: dict = {"name": "one", "strategy": None, "resolved": None}


def cluster() -> dict | None:
    """The cluster ``TF_CONFIG`` describes ({"cluster": ..., "task": ...}), or None when it is unset.

    ConfigError when it is set but not what TensorFlow accepts, naming the problem.
    """
    text = os.environ.get("TF_CONFIG", "").strip()
    if not text:
        return None
    where = "environment variable TF_CONFIG"
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"is not JSON ({exc.msg} at character {exc.pos})", where=where) from None
    workers = config.get("cluster", {}).get("worker") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if not isinstance(workers, list) or not workers or not all(isinstance(w, str) and ":" in w for w in workers):
        raise ConfigError(
            'needs "cluster": {"worker": ["host:port", ...]} (every worker\'s address, the same list on each)',
            where=where,
        )
    if (
        not isinstance(task, dict)
        or task.get("type") not in ("worker", "chief")
        or not isinstance(task.get("index"), int)
        or not 0 <= task["index"] < len(workers)
    ):
        raise ConfigError(
            f'needs "task": {{"type": "worker", "index": i}} with i from 0 to {len(workers) - 1} '
            "(this machine's place in the list; worker 0 writes the site)",
            where=where,
        )
    return config


def configure(name: str) -> str:
    """Choose the strategy for this process (``name``: one of :data:`STRATEGIES`); return how models train.

    ``multi-worker`` without a usable ``TF_CONFIG`` is a ConfigError; so is a strategy other than
    ``one``/``auto`` when TensorFlow cannot see what it needs.
    """
    if name not in STRATEGIES:
        raise ConfigError(f"is {name!r}; allowed: one of {', '.join(STRATEGIES)}", where="option --strategy")
    config = cluster()
    if name == "multi-worker" and config is None:
        raise ConfigError(
            "multi-worker needs the environment variable TF_CONFIG naming the cluster, e.g. "
            '{"cluster": {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]}, "task": {"type": "worker", "index": 0}}',
            where="option --strategy",
        )
    devices = _cpu_devices()
    _state.update(name=name, strategy=None, resolved=None)
    if name in ("mirrored", "multi-worker") or (name == "auto" and (config or devices)):
        strategy()  # now: TensorFlow sets devices and collectives up before any other op, or never
    return name


def chosen() -> str:
    """The ``--strategy`` this process was configured with (for the workers of ``--jobs``)."""
    return _state["name"]


def in_one_process() -> bool:
    """True when training must stay in the build's own process (multi-worker: this process holds the
    cluster's port and collectives), so ``--jobs`` runs no workers."""
    return _state["strategy"] is not None and _state["resolved"] == "multi-worker"


def is_chief() -> bool:
    """False on the workers of a multi-worker cluster other than worker 0 (which publishes the site)."""
    config = cluster() if _state["name"] in ("multi-worker", "auto") else None
    return config is None or config["task"]["index"] == 0 or _resolved() != "multi-worker"


def _cpu_devices() -> int:
    """``EXPLORABLES_CPU_DEVICES``: logical CPU devices to split the CPU into (0: unset)."""
    count = os.environ.get(CPU_DEVICES, "").strip()
    if not count:
        return 0
    if not count.isdigit() or not 1 <= int(count) <= 64:
        raise ConfigError(
            f"is {count!r}; allowed: a whole number from 1 to 64", where=f"environment variable {CPU_DEVICES}"
        )
    return int(count)


def _split_cpu(tf) -> None:
    """Split the CPU into ``EXPLORABLES_CPU_DEVICES`` logical devices (for mirrored training on a CPU)."""
    count = _cpu_devices()
    if not count:
        return
    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError:  # devices already initialised by this process: keep them
        pass


def _resolved() -> str:
    if _state["resolved"] is None:
        strategy()
    return _state["resolved"]


def strategy():
    """The ``tf.distribute.Strategy`` of this process (created on first use)."""
    if _state["strategy"] is not None:
        return _state["strategy"]
    import tensorflow as tf

    _split_cpu(tf)
    name = _state["name"]
    if name == "auto":
        config = cluster()
        gpus = tf.config.list_physical_devices("GPU")
        name = (
            "multi-worker"
            if config and len(config["cluster"]["worker"]) > 1
            else "mirrored"
            if len(gpus) > 1
            else "one"
        )
    if name == "multi-worker":
        chosen = tf.distribute.MultiWorkerMirroredStrategy()
    elif name == "mirrored":
        gpus = [d.name for d in tf.config.list_logical_devices("GPU")]
        devices = gpus or [d.name for d in tf.config.list_logical_devices("CPU")]
        chosen = tf.distribute.MirroredStrategy(devices)
    else:
        chosen = tf.distribute.get_strategy()  # the default: one device, no replicas
    _state.update(strategy=chosen, resolved=name)
    return chosen


def loop_strategy():
    """The strategy when models must train through :mod:`generator.models.loop` (multi-worker, which Keras 3's
    ``fit`` does not support), else None (``fit`` runs: one device or mirrored)."""
    if _state["name"] == "one" or _resolved() != "multi-worker":
        return None
    return strategy()


def scope():
    """The context models are built and compiled in (a no-op for ``one``)."""
    if _state["name"] == "one":
        return contextlib.nullcontext()
    return strategy().scope()


def describe() -> dict:
    """What trained a model, for the train stage's report: {"strategy", "replicas"}."""
    if _state["name"] == "one":
        return {"strategy": "one", "replicas": 1}
    chosen = strategy()
    return {"strategy": _resolved(), "replicas": int(chosen.num_replicas_in_sync)}

"""Where models train: a ``tf.distribute`` strategy chosen by ``--strategy`` (issue "beyond one machine").

- ``one``: a single device, today's behaviour: the default strategy, no replicas (the default on a CPU);
- ``mirrored``: ``MirroredStrategy`` over every local GPU (or, for tests, the logical CPU devices that
  ``EXPLORABLES_CPU_DEVICES=N`` splits the CPU into); with fewer than two devices it warns and trains on one;
- ``multi-worker``: ``MultiWorkerMirroredStrategy`` over the machines the standard ``TF_CONFIG``
  environment variable names (every machine runs the same build command; a ``"chief"`` entry, if the
  cluster has one, is the chief, else worker 0);
- ``auto`` (the default): ``multi-worker`` when ``TF_CONFIG`` names a cluster of more than one machine,
  ``mirrored`` when more than one GPU is visible, else ``one``.

Every model is built and compiled inside :func:`scope` and trained by ``model.fit`` on a ``tf.data``
dataset that the strategy distributes (sharded by data across workers); batch sizes are global. The
strategy is how a stage runs, not what it computes, so this module is part of the harness
(:data:`generator.pipeline.HARNESS`) and in no cache key: a model trained on a GPU box (and shared
through ``--remote-cache``) is reused by a laptop's build.

:func:`configure` is called once by each process that may train, before any stage: it checks ``TF_CONFIG``
without TensorFlow and creates the strategy at once where this process trains (TensorFlow sets devices
and collectives up before any other op, or never): ``multi-worker`` always (the build's own process holds
the cluster's port, so ``--jobs`` runs no workers); ``mirrored`` only when ``--jobs 1``, since otherwise
the workers of ``--jobs`` train and each makes its own. A process that trains lets TensorFlow take GPU
memory as it needs it (``TF_FORCE_GPU_ALLOW_GROWTH``), not all of it at once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os

from .errors import ConfigError

log = logging.getLogger(__name__)

STRATEGIES = ("auto", "one", "mirrored", "multi-worker")
CPU_DEVICES = "EXPLORABLES_CPU_DEVICES"
#: the task types of TF_CONFIG's cluster this build knows (no parameter servers or evaluators)
TASK_TYPES = ("chief", "worker")

_state: dict = {"name": "one", "strategy": None, "resolved": None, "warn": True}


def _address(value) -> bool:
    return isinstance(value, str) and value.rpartition(":")[0] != "" and value.rpartition(":")[2].isdigit()


def cluster() -> dict | None:
    """The cluster ``TF_CONFIG`` describes ({"cluster": ..., "task": ...}), or None when it is unset.

    ConfigError when it is set but not what TensorFlow accepts or what this build supports, naming the problem.
    """
    text = os.environ.get("TF_CONFIG", "").strip()
    if not text:
        return None
    where = "environment variable TF_CONFIG"
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"is not JSON ({exc.msg} at character {exc.pos})", where=where) from None
    example = '{"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker", "index": i}}'
    if not isinstance(config, dict):
        raise ConfigError(f"is {type(config).__name__} JSON; allowed: an object like {example}", where=where)
    nodes = config.get("cluster")
    if not isinstance(nodes, dict) or not isinstance(nodes.get("worker"), list) or not nodes["worker"]:
        raise ConfigError(
            'needs "cluster": {"worker": ["host:port", ...]} (every worker\'s address, the same list on each)',
            where=where,
        )
    other = sorted(set(nodes) - set(TASK_TYPES))
    if other:
        raise ConfigError(
            f'"cluster" names {", ".join(repr(t) for t in other)}; allowed: "worker" and at most one "chief" '
            "(MultiWorkerMirroredStrategy uses no parameter servers or evaluators)",
            where=where,
        )
    for kind, addresses in nodes.items():
        if not isinstance(addresses, list) or not addresses or not all(_address(a) for a in addresses):
            raise ConfigError(f'"cluster": {{"{kind}": ...}} must be a list of "host:port" addresses', where=where)
    if len(nodes.get("chief", [])) > 1:
        raise ConfigError('"cluster": {"chief": ...} names more than one chief; allowed: one', where=where)
    task = config.get("task")
    kind = task.get("type") if isinstance(task, dict) else None
    index = task.get("index") if isinstance(task, dict) else None
    if kind not in nodes or not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(nodes[kind]):
        places = " or ".join(f'{{"type": "{t}", "index": i}} with i from 0 to {len(nodes[t]) - 1}' for t in nodes)
        raise ConfigError(
            f'needs "task": {places} (this machine\'s place in the cluster; '
            f"{'the chief' if 'chief' in nodes else 'worker 0'} writes the site to publish)",
            where=where,
        )
    return config


def machines(config: dict) -> int:
    """How many machines a (checked) ``TF_CONFIG`` names."""
    return sum(len(config["cluster"].get(kind, [])) for kind in TASK_TYPES)


def _multi_worker(name: str, config: dict | None) -> bool:
    """Whether ``name`` trains over several machines (told without TensorFlow)."""
    return name == "multi-worker" or (name == "auto" and config is not None and machines(config) > 1)


def configure(name: str, *, jobs: int = 1, warn: bool = True) -> str:
    """Choose the strategy for this process (``name``: one of :data:`STRATEGIES`); return how models train.

    ``jobs``: the build's ``--jobs`` (above 1, the workers train, not this process, unless multi-worker);
    ``warn``: say it when ``mirrored`` finds a single device (one worker of ``--jobs`` says it, not each).
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
    _state.update(name=name, strategy=None, resolved=None, warn=warn)
    multi = _multi_worker(name, config)
    if multi or jobs <= 1:  # this process trains
        os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")  # before TensorFlow sees the GPUs
    if multi or (jobs <= 1 and (name == "mirrored" or (name == "auto" and (config or devices)))):
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
    """False on the machines of a multi-worker cluster other than the chief (the ``"chief"`` task if the
    cluster names one, else worker 0), which publishes the site and alone pushes to the remote cache."""
    config = cluster() if _state["name"] in ("multi-worker", "auto") else None
    if config is None or not _multi_worker(_state["name"], config):
        return True
    task = config["task"]
    if "chief" in config["cluster"]:
        return task["type"] == "chief"
    return task["index"] == 0


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
    config = cluster()
    if name == "auto":
        multi = _multi_worker(name, config)
        name = "multi-worker" if multi else "mirrored" if len(tf.config.list_physical_devices("GPU")) > 1 else "one"
    if name == "multi-worker":
        task = config["task"]
        log.info(
            "multi-worker: waiting for the other workers of the cluster (%d machines; this is %s %d)…",
            machines(config),
            task["type"],
            task["index"],
        )
        chosen = tf.distribute.MultiWorkerMirroredStrategy()
    elif name == "mirrored":
        gpus = [d.name for d in tf.config.list_logical_devices("GPU")]
        devices = gpus or [d.name for d in tf.config.list_logical_devices("CPU")]
        if len(devices) < 2 and _state["warn"]:
            log.warning(
                "--strategy mirrored: only one device is visible (%s); models train on that one device, as with "
                "--strategy one (several GPUs, or %s=N CPU devices, give replicas)",
                devices[0] if devices else "none",
                CPU_DEVICES,
            )
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

"""Parallel stages (``--jobs N``): the stages a build must run, in worker processes, as their inputs are ready.

The pipeline already knows every stage's inputs, so the build's requests form a graph. :func:`run_parallel`
walks it from the main process: what the cache (or the remote cache) holds is not run again; every other
stage is sent to a pool of ``jobs`` worker processes as soon as its inputs exist. A worker resolves its
one request with an ordinary :class:`~generator.pipeline.Pipeline` over the same cache folder (its inputs
are entries by then; the per-key locks and atomic renames of :mod:`generator.cache` keep workers apart),
and returns the records of what it ran. The build then resolves everything once more in the main process,
which loads each entry, so the site is assembled exactly as with ``--jobs 1``.

Same site as ``--jobs 1``, byte for byte: every stage runs with the thread pools it has in a build of its
own. Stages that use TensorFlow run one at a time (:data:`TF_LANES`), because TensorFlow's convolutions give
different sums with a different number of threads, so shrinking each worker's pools would change the
models; the others (layouts, atlases, payloads, pages) run beside them and beside each other.
"""

from __future__ import annotations

import concurrent.futures as futures
import logging
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path

from .pipeline import REGISTRY, Pipeline, Record, Request, cache_key, load_entry

log = logging.getLogger(__name__)

#: TensorFlow stages that may run at once (each with TensorFlow's default thread pools).
TF_LANES = 1


def default_jobs() -> int:
    """The default of ``--jobs``: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Node:
    request: Request
    deps: list[str]  # idents of the requests it reads
    uses_tf: bool


def graph(requests: list[Request]) -> dict[str, Node]:
    """Every request the ``requests`` need, upstream ones included, by ident."""
    nodes: dict[str, Node] = {}
    todo = list(requests)
    while todo:
        request = todo.pop()
        if request.ident in nodes:
            continue
        st = REGISTRY[request.stage]
        inputs = list(st.inputs(request.params).values())
        uses_tf = any(lib.startswith("tensorflow") or lib == "keras" for lib in st.libs)
        nodes[request.ident] = Node(request, [r.ident for r in inputs], uses_tf)
        todo.extend(inputs)
    return nodes


def _held(pipeline: Pipeline, nodes: dict[str, Node]) -> set[str]:
    """The idents whose entries the local cache holds now (for --clean: none), found without running anything."""
    if pipeline.clean:
        return set()
    digests: dict[str, str | None] = {}

    def digest(ident: str) -> str | None:
        if ident not in digests:
            node = nodes[ident]
            upstream = {}
            st = REGISTRY[node.request.stage]
            for name, req in st.inputs(node.request.params).items():
                upstream[name] = digest(req.ident)
                if upstream[name] is None:
                    digests[ident] = None
                    return None
            key = cache_key(st, node.request.params, upstream, pipeline.roots)
            artifact = load_entry(pipeline.cache_dir / st.name / key, st.name, key)
            digests[ident] = artifact.digest if artifact is not None else None
        return digests[ident]

    return {ident for ident in nodes if digest(ident) is not None}


def run_parallel(pipeline: Pipeline, requests: list[Request], jobs: int, worker_setup: dict) -> list[Record]:
    """Run the stages ``requests`` need that the cache lacks, ``jobs`` at a time; return what the workers did.

    ``worker_setup`` is what :func:`_start_worker` needs to make a worker's pipeline like ``pipeline``
    (cache folder, clean, progress, verbosity, remote settings). The first stage that fails stops the
    others from starting; its error is raised here, as it would be from a build with ``--jobs 1``.
    """
    nodes = graph(requests)
    done = _held(pipeline, nodes)
    todo = {ident for ident in nodes if ident not in done}
    if not todo:
        return []
    records: list[Record] = []
    made: set[str] = set()  # keys this build made, which a worker under --clean may load
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no TensorFlow state forked
    slots = context.Queue()
    for slot in range(jobs):
        slots.put(slot + 1)
    with futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(worker_setup, slots)
    ) as pool:
        running: dict[futures.Future, str] = {}
        try:
            while todo or running:
                tf_busy = sum(nodes[i].uses_tf for i in running.values())
                for ident in sorted(todo, key=lambda i: nodes[i].uses_tf, reverse=True):  # long TF work first
                    if len(running) >= jobs:
                        break
                    node = nodes[ident]
                    if not all(dep in done for dep in node.deps) or (node.uses_tf and tf_busy >= TF_LANES):
                        continue
                    running[pool.submit(_resolve, node.request, sorted(made))] = ident
                    todo.discard(ident)
                    tf_busy += node.uses_tf
                if not running:  # cannot happen for a graph without cycles
                    raise RuntimeError(f"{len(todo)} stages wait for inputs that never come")
                finished, _ = futures.wait(running, return_when=futures.FIRST_COMPLETED)
                for future in finished:
                    ident = running.pop(future)
                    ran = future.result()  # a stage's error is raised here
                    records.extend(ran)
                    made.update(r.key for r in ran)
                    done.add(ident)
        except BaseException:  # a stage failed, Ctrl+C, SIGTERM: stop the workers, whose stages clean up
            for future in running:
                future.cancel()
            for process in list(getattr(pool, "_processes", {}).values()):
                if process.is_alive():
                    process.terminate()  # SIGTERM: a running stage removes its temporary folder and stops
            raise
    return records


def adopt(records: list[Record], done_by_workers: list[Record]) -> None:
    """Put what the workers did into the build's records (which loaded those entries): ran, or pulled."""
    by_key = {record.key: record for record in done_by_workers}
    for i, record in enumerate(records):
        if record.key in by_key:
            records[i] = by_key[record.key]


# --- in the worker processes --------------------------------------------------------------------------

_worker: dict = {}


def _stop(signum, _frame):
    """SIGTERM in a worker: a running stage is interrupted (it removes its temporary folder); an idle one exits."""
    if _worker.get("busy"):
        raise KeyboardInterrupt(f"signal {signum}")
    os._exit(1)


def _die_with_parent() -> None:
    """Have the kernel send SIGTERM when the build's process dies, even by SIGKILL (Linux); elsewhere a thread
    watches for it. A worker never outlives its build."""
    import signal

    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        if libc.prctl(1, signal.SIGTERM) == 0:  # PR_SET_PDEATHSIG
            return
    except (OSError, AttributeError):
        pass
    import threading
    import time

    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def _start_worker(setup: dict, slots) -> None:
    """Make this worker's pipeline (once per process): logging and TensorFlow's quiet as in the main one."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group: the build stops the workers
    signal.signal(signal.SIGTERM, _stop)
    _die_with_parent()
    import generator.build  # noqa: F401  (registers the data, model, math and page stages)
    from generator.figures import kinds

    kinds()  # registers every figure kind's payload stage
    from generator import pipeline as pipeline_module

    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if setup.get("verbosity", 0) < 1:
        from generator import quiet

        quiet.install()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    logging.getLogger("generator").setLevel(logging.INFO if setup.get("verbosity", 0) >= 0 else logging.WARNING)
    pipeline_module.BAR_POSITION = slots.get()
    if setup.get("strategy"):
        from generator import distribute

        distribute.configure(setup["strategy"])
    remote = None
    if setup.get("remote"):
        from generator.remote import open_remote

        settings = setup["remote"]
        remote = open_remote(
            settings["url"], options=settings["options"], read_only=settings["read_only"], where="remote cache"
        )
    _worker["pipeline"] = lambda: Pipeline(
        Path(setup["cache_dir"]), clean=setup["clean"], show_progress=setup["show_progress"], remote=remote
    )


def _resolve(request: Request, made: list[str]) -> list[Record]:
    """Resolve one request in this worker; return the records of the stages it ran or pulled."""
    pipeline = _worker["pipeline"]()
    pipeline.trusted = set(made)
    _worker["busy"] = True
    try:
        pipeline.get(request)
    finally:
        _worker["busy"] = False
    return [record for record in pipeline.records if not record.cached or record.pulled]

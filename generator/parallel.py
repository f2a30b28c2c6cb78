"""Parallel stages (``--jobs N``): the stages a build must run, in worker processes, as their inputs are ready.

The pipeline already knows every stage's inputs, so the build's requests form a graph. :func:`run_parallel`
walks it from the main process: what the cache (or the remote cache) holds is not run again; every other
stage is sent to a pool of ``jobs`` worker processes as soon as its inputs exist. A worker resolves its
one request with an ordinary :class:`~generator.pipeline.Pipeline` over the same cache folder (its inputs
are entries by then; the per-key locks and atomic renames of :mod:`generator.cache` keep workers apart),
and returns the records of what it ran, with what it moved to and from the remote cache (each worker opens
the remote of its own; :func:`run_parallel` adds their traffic and failures to the build's). The build then
resolves everything once more in the main process, which loads each entry (without hashing again what this
build made or verified), so the site is assembled exactly as with ``--jobs 1``.

A worker process that dies (killed by the system for lack of memory, say) is one
:class:`~generator.errors.BuildError` naming the stages that were running, never a traceback. Workers ignore
Ctrl+C (the build stops them with SIGTERM, and their stages clean up); they start with SIGINT held back, so
it cannot reach them before they ignore it.

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
import signal
import threading
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError
from .pipeline import REGISTRY, Pipeline, Record, Request, cache_key, load_entry

log = logging.getLogger(__name__)

#: TensorFlow stages that may run at once (each with TensorFlow's default thread pools).
TF_LANES = 1
#: How long a stopped build waits for a worker to clean up (its running TensorFlow op ends first) before
#: killing it; a bound on a stuck worker, not a pause.
STOP_SECONDS = 120


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


def _held(pipeline: Pipeline, nodes: dict[str, Node]) -> dict[str, str]:
    """The idents whose entries this build already has, with their keys, found without running anything: the
    ones ``pipeline`` resolved (the math), and the ones the local cache holds (for --clean: none).

    The entries are verified (hashed) here once; nothing is repaired: only a holder of a key's lock may
    move a damaged entry aside, which the worker or the build that then resolves it does.
    """
    found: dict[str, tuple[str, str] | None] = {}  # ident -> (key, digest), or None

    def look(ident: str) -> tuple[str, str] | None:
        if ident not in found:
            node = nodes[ident]
            memo = pipeline._memo.get(ident)
            if memo is not None:
                found[ident] = (memo.key, memo.digest)
                return found[ident]
            if pipeline.clean:
                found[ident] = None
                return None
            upstream = {}
            st = REGISTRY[node.request.stage]
            for name, req in st.inputs(node.request.params).items():
                held = look(req.ident)
                if held is None:
                    found[ident] = None
                    return None
                upstream[name] = held[1]
            key = cache_key(st, node.request.params, upstream, pipeline.roots)
            trusted = key in pipeline.trusted
            artifact = load_entry(pipeline.cache_dir / st.name / key, st.name, key, repair=False, verify=not trusted)
            found[ident] = (key, artifact.digest) if artifact is not None else None
        return found[ident]

    return {ident: held[0] for ident in nodes if (held := look(ident)) is not None}


def _label(request: Request) -> str:
    return REGISTRY[request.stage].label(request.params)


def _died(idents: list[str], nodes: dict[str, Node], processes: list, jobs: int) -> BuildError:
    """The message for a worker process that died (killed by the system, or failed to start)."""
    killed = [p.exitcode for p in processes if p.exitcode is not None and p.exitcode < 0 and p.exitcode != -15]
    how = (
        "was killed by signal 9 (SIGKILL: most often the system ran out of memory)"
        if -9 in killed
        else f"was killed by signal {-killed[0]}"
        if killed
        else "stopped abruptly"
    )
    stages = ", ".join(sorted(_label(nodes[i].request) for i in idents)) or "no stage"
    return BuildError(
        f"a worker process of --jobs {jobs} {how} while it ran: {stages}; build again with --jobs 1 "
        "(one stage at a time, in the build's own process), or with more memory free"
    )


@contextmanager
def _interrupts_held():
    """Hold SIGINT back while worker processes start: a worker inherits the mask, so Ctrl+C cannot reach it
    before it ignores SIGINT (:func:`_start_worker`); the build's own process gets it once the mask is back."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def run_parallel(pipeline: Pipeline, requests: list[Request], jobs: int, worker_setup: dict) -> list[Record]:
    """Run the stages ``requests`` need that the build lacks, ``jobs`` at a time; return what the workers did.

    ``worker_setup`` is what :func:`_start_worker` needs to make a worker's pipeline like ``pipeline``
    (cache folder, clean, progress, verbosity, strategy, remote settings). The first stage that fails stops
    the others from starting; its error is raised here, as it would be from a build with ``--jobs 1``; a
    worker process that dies is one :class:`BuildError` naming the stages it may have run.

    Afterwards ``pipeline.trusted`` holds the keys of every entry verified or made here (the build's own
    pass loads them without hashing them again), and ``pipeline.remote`` counts the workers' traffic with
    the remote cache (and their failure, which then turns it off for the rest of the build).
    """
    nodes = graph(requests)
    held = _held(pipeline, nodes)
    done = set(held)
    pipeline.trusted.update(held.values())
    todo = {ident for ident in nodes if ident not in done}
    if not todo:
        return []
    records: list[Record] = []
    remote = pipeline.remote
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no TensorFlow state forked
    slots = context.Queue()
    for slot in range(jobs):
        slots.put(slot + 1)
    processes: dict[int, object] = {}
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
                    failed = remote.failed if remote is not None else None
                    with _interrupts_held():  # a worker may start now
                        future = pool.submit(_resolve, node.request, sorted(pipeline.trusted), failed)
                    processes.update(getattr(pool, "_processes", None) or {})
                    running[future] = ident
                    todo.discard(ident)
                    tf_busy += node.uses_tf
                if not running:  # cannot happen for a graph without cycles
                    raise RuntimeError(f"{len(todo)} stages wait for inputs that never come")
                finished, _ = futures.wait(running, return_when=futures.FIRST_COMPLETED)
                for future in finished:
                    ident = running.pop(future)
                    try:
                        outcome = future.result()  # a stage's error is raised here
                    except BrokenProcessPool:
                        for process in processes.values():
                            process.join(timeout=5)
                        raise _died([ident, *running.values()], nodes, list(processes.values()), jobs) from None
                    records.extend(outcome["records"])
                    pipeline.trusted.update(r.key for r in outcome["records"])
                    if remote is not None:
                        remote.absorb(outcome["traffic"], outcome["failed"])
                    done.add(ident)
        except BaseException:  # a stage failed, Ctrl+C, SIGTERM: stop the workers, whose stages clean up
            for future in running:
                future.cancel()
            workers = [p for p in list(getattr(pool, "_processes", {}).values()) if p.is_alive()]
            for process in workers:
                process.terminate()  # SIGTERM: a running stage removes its temporary folder and stops
            for process in workers:  # wait for that clean-up (a TensorFlow op finishes first), then go
                process.join(timeout=STOP_SECONDS)
                if process.is_alive():
                    process.kill()
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
    """Make this worker's pipeline (once per process): logging and TensorFlow's quiet as in the main one.

    It never raises (an initializer that fails breaks the whole pool): what goes wrong is kept and raised by
    :func:`_resolve`, as the build's one message.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group: the build stops the workers
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held back while this process started
    signal.signal(signal.SIGTERM, _stop)
    _die_with_parent()
    # A worker that trains takes GPU memory as it needs it, not all of it: the others (and the build's
    # process) may need some too. Set before anything imports TensorFlow.
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    try:
        slot = slots.get()
        _setup_worker(setup, slot)
    except BaseException as exc:  # raised again by _resolve, in the build's process
        _worker["error"] = exc


def _setup_worker(setup: dict, slot: int) -> None:
    if setup.get("verbosity", 0) < 1:
        from generator import quiet

        quiet.install()
    import generator.build  # noqa: F401  (registers the data, model, math and page stages)
    from generator.figures import kinds

    kinds()  # registers every figure kind's payload stage
    from generator import pipeline as pipeline_module
    from generator.logs import setup_logging

    setup_logging(max(-1, min(1, setup.get("verbosity", 0))))
    pipeline_module.BAR_POSITION = slot
    from generator import distribute

    distribute.configure(setup.get("strategy") or "one", jobs=1, warn=slot == 1)  # this process trains
    remote = None
    if setup.get("remote"):
        from generator.remote import open_remote

        settings = setup["remote"]
        remote = open_remote(  # checked by the build already: no second write probe
            settings["url"],
            options=settings["options"],
            read_only=settings["read_only"],
            where="remote cache",
            check=False,
        )
    _worker["remote"] = remote
    _worker["pipeline"] = lambda: Pipeline(
        Path(setup["cache_dir"]), clean=setup["clean"], show_progress=setup["show_progress"], remote=remote
    )


def _resolve(request: Request, trusted: list[str], remote_failed: str | None) -> dict:
    """Resolve one request in this worker; return the records of the stages it ran or pulled, and what it
    moved to and from the remote cache: {"records", "traffic", "failed"}.

    ``trusted``: keys the build made or verified (loaded without hashing; under --clean, loaded at all);
    ``remote_failed``: why the remote cache failed elsewhere in this build (then this worker leaves it alone).
    """
    if "error" in _worker:
        raise _worker["error"]
    remote = _worker["remote"]
    failed_before = None
    if remote is not None:
        if remote_failed and not remote.failed:
            remote.failed = remote_failed
        remote.traffic = type(remote.traffic)()  # this request's traffic only
        failed_before = remote.failed
    pipeline = _worker["pipeline"]()
    pipeline.trusted = set(trusted)
    _worker["busy"] = True
    try:
        pipeline.get(request)
    except KeyboardInterrupt:  # stopped by the build (SIGTERM): the stage has removed its folder; leave now
        os._exit(1)
    finally:
        _worker["busy"] = False
    return {
        "records": [record for record in pipeline.records if not record.cached or record.pulled],
        "traffic": remote.traffic if remote is not None else None,
        "failed": remote.failed if remote is not None and remote.failed != failed_before else None,
    }

"""The shared remote build cache (``--remote-cache URL``): a folder, and a real S3-protocol server (moto's
server mode on a localhost port, spoken to by s3fs as to any bucket; never a mock of the client).

The build tests use a copy of examples/shapes with an image grid and a PCA map (no model is trained):
one project is built cold and pushes; fresh copies in other folders, with empty caches, pull. They run
with ``--jobs 1`` (every stage in the build's process) and ``--jobs 2`` (the stages in worker processes,
each with a remote of its own, whose traffic the report adds up).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator import pipeline
from generator.cache import MANIFEST, _digest, canonical
from generator.errors import ConfigError
from generator.pipeline import Pipeline, Request, Stage
from generator.remote import PROBE, open_remote, parse_options
from tests.conftest import ROOT, Project

SHAPES = ROOT / "examples" / "shapes"
ARTICLE = """\
---
title: Shapes
date: 2026-12-01
---

Shapes drawn for the example.

```figure
kind: image-grid
dataset: shapes
per_class: 2
```

```figure
kind: latent-layouts
dataset: shapes
layouts: [pca]
```
"""
#: The one site file that differs between a build that ran its stages and one that pulled them: the
#: report says which stages ran, were cached or were pulled, and how long each took.
DIFFERS = {"build-report.json"}
BUCKET = "explorables-cache"


@dataclass
class JobsProject(Project):
    """A project whose builds run with ``--jobs`` set."""

    jobs: str = "1"

    def build(self, *args: str, check: bool = False):
        return super().build("--jobs", self.jobs, *args, check=check)


def shapes_project(folder: Path, cache_from: Path | None = None, jobs: str = "1") -> JobsProject:
    """A copy of examples/shapes (data and settings) with the article above; ``cache_from``: a .cache to copy."""
    project = JobsProject(folder, jobs)
    shutil.copytree(SHAPES / "data", folder / "data")
    shutil.copy(SHAPES / "site.toml", folder / "site.toml")
    project.write("content/shapes.md", ARTICLE)
    if cache_from is not None:
        shutil.copytree(cache_from, folder / ".cache", symlinks=True)
    return project


def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def assert_same_site(a: Project, b: Project) -> None:
    left, right = site_files(a.out), site_files(b.out)
    assert sorted(left) == sorted(right)
    different = {name for name in left if left[name] != right[name]}
    assert different <= DIFFERS, different


def statuses(report: dict) -> dict[str, str]:
    return {s["name"]: s["status"] for s in report["stages"]}


def listing(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_size for p in sorted(folder.rglob("*")) if p.is_file()}


def warnings(stderr: str) -> list[str]:
    """The warnings logged, each at the start of a line (a log line starts with a carriage return, as a
    worker's progress bar may have left the cursor mid-line; the cursor moves are taken away)."""
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", stderr).replace("\r", "\n")
    return [line.strip() for line in text.splitlines() if line.strip().startswith("WARNING")]


def remote_entry(remote: Path, stage: str) -> Path:
    (entry,) = [p for p in (remote / stage).iterdir() if p.is_dir()]
    return entry


_PUSHED: dict[str, tuple[JobsProject, Path]] = {}


def push(tmp_path_factory, jobs: str) -> tuple[JobsProject, Path]:
    """A shapes project built cold with a folder as its remote cache, once per ``jobs``: (project, remote
    folder); its ``jobs`` are those of every build of the test."""
    if jobs not in _PUSHED:
        root = tmp_path_factory.mktemp(f"remote-jobs{jobs}")
        project = shapes_project(root / "first", jobs=jobs)
        remote = root / "remote"
        project.build("--remote-cache", str(remote), check=True)
        _PUSHED[jobs] = project, remote
    return _PUSHED[jobs]


@pytest.fixture(scope="module")
def pushed(tmp_path_factory):
    """:func:`push` with ``--jobs 2``: the stages pull and push in worker processes, each with a remote of its
    own (the harder path). The round trip below runs with ``--jobs 1`` too (the build's own process)."""
    return push(tmp_path_factory, "2")


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server on a free localhost port (in this process; the builds reach it over HTTP)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(monkeypatch, tmp_path, s3_server):
    """Credentials in the environment, as on CI, and nothing from this machine's own AWS settings; the server's URL."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    return s3_server


def s3(endpoint: str):
    import s3fs

    return s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True)


# --- round trips ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_fresh_checkout_pulls_every_stage_from_a_folder(tmp_path_factory, tmp_path, jobs):
    first, remote = push(tmp_path_factory, jobs)
    report = first.report()
    n = len(report["stages"])
    assert set(statuses(report).values()) == {"ran"}
    assert report["remote_cache"]["pushed"] == n and report["remote_cache"]["pulled"] == 0
    assert len(list(remote.glob(f"*/*/{MANIFEST}"))) == n

    second = shapes_project(tmp_path / "elsewhere" / "second", jobs=first.jobs)  # another folder: same keys
    done = second.build("--remote-cache", f"file://{remote}", check=True)
    report = second.report()
    assert set(statuses(report).values()) == {"pulled"}, statuses(report)
    assert report["totals"]["stages_ran"] == 0 and report["totals"]["stages_pulled"] == n
    assert report["remote_cache"]["pulled"] == n and report["remote_cache"]["pushed"] == 0
    assert f"{n} stages: 0 ran, 0 cached, {n} pulled" in done.stderr
    assert not warnings(done.stderr), done.stderr
    assert_same_site(first, second)

    again = second.build("--remote-cache", str(remote), check=True)  # now in its own cache: nothing moves
    assert set(statuses(second.report()).values()) == {"cached"}
    assert second.report()["remote_cache"]["pushed"] == 0 and "0 pushed" in again.stderr


def test_the_same_round_trip_through_an_s3_server(pushed, tmp_path, aws, monkeypatch):
    first, _ = pushed
    bucket = f"{BUCKET}-jobs{first.jobs}"  # the server serves every parametrisation of the module
    s3(aws).mkdir(bucket)
    url = f"s3://{bucket}/site"
    # The first project's entries were made before this remote existed: a build pushes them (files, then manifest).
    first.build("--remote-cache", url, "--remote-cache-option", f"endpoint_url={aws}", check=True)
    report = first.report()
    n = len(report["stages"])
    assert set(statuses(report).values()) == {"cached"} and report["remote_cache"]["pushed"] == n
    assert len(s3(aws).glob(f"{bucket}/site/*/*/{MANIFEST}")) == n

    second = shapes_project(tmp_path / "second", jobs=first.jobs)
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws)  # the other way to name the endpoint, as CI would
    done = second.build("--remote-cache", url, check=True)
    report = second.report()
    assert set(statuses(report).values()) == {"pulled"}, statuses(report)
    assert report["remote_cache"]["pulled_bytes"] > 500_000
    assert not warnings(done.stderr), done.stderr
    assert_same_site(first, second)


# --- what a reader must never trust ---------------------------------------------------------------------


def test_a_tampered_entry_is_rejected_and_one_without_its_manifest_is_invisible(pushed, tmp_path):
    first, pushed_remote = pushed
    remote = tmp_path / "remote"
    shutil.copytree(pushed_remote, remote)
    atlas = remote_entry(remote, "atlas")
    (image,) = [p for p in atlas.rglob("*") if p.is_file() and p.suffix in (".webp", ".png")]
    data = bytearray(image.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of one byte
    image.write_bytes(bytes(data))
    layout = remote_entry(remote, "layout")
    (layout / MANIFEST).unlink()  # as a push killed before its last step leaves it

    third = shapes_project(tmp_path / "third", jobs=first.jobs)
    done = third.build("--remote-cache", str(remote), check=True)
    status = statuses(third.report())
    assert [name for name, s in status.items() if s == "ran"] == ["atlas shapes (28 px)", "layout pca"], status
    found = warnings(done.stderr)
    assert len(found) == 1, done.stderr  # on a line of its own, even after a worker's progress bar
    (warning,) = found
    assert f"atlas/{atlas.name[:12]}" in warning and "damaged" in warning and str(remote) in warning
    assert third.report()["remote_cache"]["rejected"] == 1
    assert_same_site(first, third)

    fourth = shapes_project(tmp_path / "fourth", jobs=first.jobs)  # the good results were pushed over the bad
    done = fourth.build("--remote-cache", str(remote), check=True)
    assert set(statuses(fourth.report()).values()) == {"pulled"} and not warnings(done.stderr), done.stderr


def test_read_only_pulls_but_pushes_nothing(pushed, tmp_path):
    first, pushed_remote = pushed
    remote = tmp_path / "shared" / "remote"
    shutil.copytree(pushed_remote, remote)
    (remote_entry(remote, "layout") / MANIFEST).unlink()
    (remote / PROBE).unlink()
    before = listing(remote)

    ci = shapes_project(
        tmp_path / "shared" / "ci", jobs=first.jobs
    )  # read-only from site.toml; a folder relative to it
    with open(ci.root / "site.toml", "a") as settings:
        settings.write('\n[build]\nremote_cache = "../remote"\nremote_cache_read_only = true\n')
    done = ci.build(check=True)
    status = statuses(ci.report())
    assert [name for name, s in status.items() if s == "ran"] == ["layout pca"], status
    assert ci.report()["remote_cache"] | {"url": None, "seconds": None} == {
        "url": None,
        "read_only": True,
        "pulled": len(status) - 1,
        "pulled_bytes": ci.report()["remote_cache"]["pulled_bytes"],
        "pushed": 0,
        "pushed_bytes": 0,
        "rejected": 0,
        "seconds": None,
        "failed": None,
    }
    assert "(read-only)" in done.stderr
    assert listing(remote) == before, "a read-only build wrote to the remote"

    # The flag wins over site.toml: '' turns the remote off (on, it would push the layout this cache holds).
    laptop = shapes_project(tmp_path / "laptop", cache_from=first.root / ".cache", jobs=first.jobs)
    with open(laptop.root / "site.toml", "a") as settings:
        settings.write(f'\n[build]\nremote_cache = "{remote}"\n')
    laptop.build("--remote-cache", "", check=True)
    assert laptop.report()["remote_cache"] is None and listing(remote) == before
    assert_same_site(first, ci)


def test_a_remote_that_fails_during_the_build_is_a_warning(pushed, tmp_path):
    first, _ = pushed
    project = shapes_project(tmp_path / "site", cache_from=first.root / ".cache", jobs=first.jobs)
    remote = tmp_path / "remote"
    remote.mkdir()
    for stage in ("math", "dataset", "figure:image-grid", "atlas", "layout", "figure:latent-layouts", "page"):
        (remote / stage).write_text("not a folder")  # every push fails, but the up-front check passes
    done = project.build("--remote-cache", str(remote), check=True)
    found = warnings(done.stderr)
    assert len(found) == 1, done.stderr  # on a line of its own, even after a worker's progress bar
    (warning,) = found
    assert "failed while pushing" in warning and "goes on with the local cache" in warning, warning
    assert project.report()["remote_cache"]["failed"] and "failed during the build" in done.stderr
    assert "Traceback" not in done.stderr
    assert_same_site(first, project)


def test_a_failure_in_a_worker_reaches_the_report(pushed, tmp_path):
    """With --jobs 2 the stages run (and push) in worker processes, each with a remote of its own: a push
    that fails there is the build's failure too (the report, the summary), and the site is unchanged."""
    first, _ = pushed
    project = shapes_project(tmp_path / "site", jobs=first.jobs)
    remote = tmp_path / "remote"
    remote.mkdir()
    for stage in ("dataset", "figure:image-grid", "atlas", "layout", "figure:latent-layouts", "page"):
        (remote / stage).write_text("not a folder")  # every push fails, but the up-front check passes
    done = project.build("--remote-cache", str(remote), check=True)
    assert all("failed while pushing" in w for w in warnings(done.stderr)) and warnings(done.stderr), done.stderr
    report = project.report()["remote_cache"]
    assert report["failed"] and report["pushed"] <= 1 and "failed during the build" in done.stderr, report
    assert "Traceback" not in done.stderr
    assert_same_site(first, project)


# --- the one message before any stage runs ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    "case",
    ["unknown protocol", "missing back-end", "bad option", "unreachable server", "missing bucket", "not a folder"],
)
def test_a_bad_remote_is_one_message_before_any_stage(case, isolated_project, tmp_path, aws):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    args, phrases = {
        "unknown protocol": (["--remote-cache", "foo://cache/x"], ["foo://cache/x", "unknown protocol", "s3://"]),
        "missing back-end": (["--remote-cache", "gs://bucket/x"], ["gs://bucket/x", "gcsfs", "[remote-gcs]"]),
        "bad option": (
            ["--remote-cache", "s3://b", "--remote-cache-option", "oops"],
            ["--remote-cache-option", "oops"],
        ),
        "unreachable server": (
            ["--remote-cache", "s3://b/x", "--remote-cache-option", f"endpoint_url=http://127.0.0.1:{free_port()}"],
            ["s3://b/x", "cannot be reached", "AWS_ENDPOINT_URL"],
        ),
        "missing bucket": (
            ["--remote-cache", "s3://no-such-bucket/x", "--remote-cache-option", f"endpoint_url={aws}"],
            ["s3://no-such-bucket/x", "does not exist", "create the bucket"],
        ),
        "not a folder": (["--remote-cache", str(blocker / "cache")], [str(blocker / "cache"), "cannot be reached"]),
    }[case]
    if case == "missing back-end" and _installed("gcsfs"):
        pytest.skip("gcsfs is installed here")
    done = isolated_project.build(*args)
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    for phrase in phrases:
        assert phrase in errors[0], (phrase, errors[0])
    assert "[run]" not in done.stderr
    cache = isolated_project.root / ".cache"
    assert not cache.exists() or not [p for p in cache.iterdir() if not p.name.startswith(".")]


def _installed(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


# --- the protocol, on tiny stages (no build), against a folder and against the S3 server ----------------

CALLS: list[dict] = []


def _double(ctx):
    CALLS.append(ctx.params)
    (ctx.out / "sub").mkdir()
    (ctx.out / "sub" / "out.txt").write_text(str(ctx.params["n"] * 2))
    (ctx.out / "empty.bin").write_bytes(b"")
    return {"n": ctx.params["n"]}


@pytest.fixture
def double(monkeypatch):
    monkeypatch.setattr(pipeline, "REGISTRY", {"double": Stage("double", _double, lambda p: {}, (), (), lambda p: "x")})
    CALLS.clear()


@dataclass
class Store:
    """A remote cache as the tests see it: its URL and options, and a file system to look at it directly."""

    url: str
    options: list[str]
    fs: object
    root: str

    def open(self, read_only: bool = False):
        return open_remote(self.url, options=self.options, read_only=read_only)

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def files(self, rel: str) -> list[str]:
        base = self.path(rel)
        self.fs.invalidate_cache()
        return sorted(p[len(base) + 1 :] for p in self.fs.find(base))


@pytest.fixture(params=["folder", "s3"])
def store(request, tmp_path) -> Store:
    if request.param == "folder":
        from fsspec.implementations.local import LocalFileSystem

        root = tmp_path / "remote"
        return Store(str(root), [], LocalFileSystem(auto_mkdir=True), str(root))
    endpoint = request.getfixturevalue("aws")
    fs = s3(endpoint)
    bucket = f"unit-{request.node.name.lower().replace('_', '-')[:30].strip('-')}-{len(fs.ls(''))}"
    bucket = re.sub(r"[^a-z0-9-]", "-", bucket)
    fs.mkdir(bucket)
    return Store(f"s3://{bucket}/cache", [f"endpoint_url={endpoint}"], fs, f"{bucket}/cache")


def test_options_are_typed_and_nested():
    assert parse_options(["endpoint_url=http://h:9000/", "anon=true", "client_kwargs.region_name=eu", "n=3"]) == {
        "endpoint_url": "http://h:9000/",
        "anon": True,
        "client_kwargs": {"region_name": "eu"},
        "n": 3,
    }
    for bad in ("no-equals", "=x", "a b=1"):
        with pytest.raises(ConfigError, match="KEY=VALUE"):
            parse_options([bad])


@pytest.mark.parametrize("damage", ["truncate", "corrupt", "missing file", "other key", "escape", "not json"])
def test_every_pulled_file_is_checked(tmp_path, double, store, damage, caplog):
    first = Pipeline(tmp_path / "a" / ".cache", remote=store.open()).get(Request("double", {"n": 21}))
    entry = f"double/{first.key}"
    stored = store.path(f"{entry}/{first.digest}/sub/out.txt")
    manifest = json.loads(store.fs.cat_file(store.path(f"{entry}/{MANIFEST}")))
    if damage == "truncate":
        store.fs.pipe_file(stored, b"4")
    elif damage == "corrupt":
        store.fs.pipe_file(stored, b"43")
    elif damage == "missing file":
        store.fs.rm_file(stored)
    elif damage == "other key":
        manifest["key"] = "0" * 64
        store.fs.pipe_file(store.path(f"{entry}/{MANIFEST}"), json.dumps(manifest).encode())
    elif damage == "escape":  # a manifest that is consistent in itself but names a file outside the entry
        manifest["files"] = {"../../../../escaped.txt": manifest["files"]["sub/out.txt"]}
        manifest["digest"] = _digest(manifest["files"], manifest["meta"])
        store.fs.pipe_file(store.path(f"{entry}/{MANIFEST}"), json.dumps(manifest).encode())
    else:
        store.fs.pipe_file(store.path(f"{entry}/{MANIFEST}"), b"{half a manif")
    CALLS.clear()
    caplog.set_level(logging.WARNING)
    again = Pipeline(tmp_path / "b" / ".cache", remote=store.open()).get(Request("double", {"n": 21}))
    assert len(CALLS) == 1, "a damaged remote entry must be recomputed"
    assert again.file("sub/out.txt").read_text() == "42"
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"double/{first.key[:12]}" in warning and "damaged" in warning and store.url in warning
    assert not list(tmp_path.rglob("escaped.txt"))
    assert not [p for p in (tmp_path / "b" / ".cache" / "double").iterdir() if ".tmp-" in p.name]

    CALLS.clear()  # and the good result was pushed over the bad one
    third = Pipeline(tmp_path / "c" / ".cache", remote=store.open())
    assert third.get(Request("double", {"n": 21})).file("sub/out.txt").read_text() == "42"
    assert not CALLS and third.records[0].status == "pulled"


def test_an_entry_appears_with_its_manifest_only_and_read_only_pushes_nothing(tmp_path, double, store, caplog):
    art = Pipeline(tmp_path / "a" / ".cache", remote=store.open()).get(Request("double", {"n": 5}))
    entry = f"double/{art.key}"
    assert store.files(entry) == [f"{art.digest}/empty.bin", f"{art.digest}/sub/out.txt", MANIFEST]
    assert store.fs.cat_file(store.path(f"{entry}/{MANIFEST}")) == (art.path / MANIFEST).read_bytes()
    store.fs.rm_file(store.path(f"{entry}/{MANIFEST}"))  # as a push stopped before its last step leaves it
    CALLS.clear()
    caplog.set_level(logging.WARNING)
    pulled = Pipeline(tmp_path / "b" / ".cache", remote=store.open(read_only=True))
    pulled.get(Request("double", {"n": 5}))
    assert len(CALLS) == 1 and pulled.records[0].status == "ran", "an entry without its manifest does not exist"
    assert not caplog.records, "and is no damage to warn about"
    assert store.files(entry) == [f"{art.digest}/empty.bin", f"{art.digest}/sub/out.txt"], "read-only pushed"

    CALLS.clear()  # the local entry is pushed by the next read-write build that finds the remote without it
    pushing = Pipeline(tmp_path / "b" / ".cache", remote=store.open())
    pushing.get(Request("double", {"n": 5}))
    assert not CALLS and pushing.remote.traffic.pushed == 1 and MANIFEST in store.files(entry)


def test_a_relative_path_under_the_project_does_not_change_the_key(tmp_path, double):
    """Two checkouts in different folders share keys: a path under the project is keyed relative to it."""
    a = Pipeline(tmp_path / "one" / ".cache")
    b = Pipeline(tmp_path / "two" / "deeper" / ".cache")
    st = pipeline.REGISTRY["double"]
    key = lambda p, root: pipeline.cache_key(st, {"path": str(root / "data" / "x.png")}, {}, p.roots)  # noqa: E731
    assert key(a, tmp_path / "one") == key(b, tmp_path / "two" / "deeper")
    assert key(a, tmp_path / "one") != key(a, tmp_path / "elsewhere")
    assert canonical(pipeline.portable({"p": str(tmp_path / "one" / "d")}, a.roots)) == '{"p":"<project>/d"}'
    assert re.fullmatch(r"[0-9a-f]{64}", key(a, tmp_path))


def test_a_published_entry_is_not_written_again(tmp_path, double, store):
    """A second machine that made the same entry (same digest) finds it published and writes nothing, so a
    reader of the published entry never sees its files rewritten (or, killed halfway, truncated)."""
    art = Pipeline(tmp_path / "a" / ".cache", remote=store.open()).get(Request("double", {"n": 3}))
    entry = f"double/{art.key}"
    stored = store.path(f"{entry}/{art.digest}/sub/out.txt")
    before = store.fs.info(stored)
    again = Pipeline(tmp_path / "b" / ".cache", clean=True, remote=store.open())  # --clean: runs, never pulls
    assert again.get(Request("double", {"n": 3})).digest == art.digest and again.records[0].status == "ran"
    assert again.remote.traffic.pushed == 0
    after = store.fs.info(stored)
    assert {k: after.get(k) for k in ("ino", "mtime", "LastModified", "ETag")} == {
        k: before.get(k) for k in ("ino", "mtime", "LastModified", "ETag")
    }
    assert not [f for f in store.files(entry) if ".tmp-" in f]


def test_the_pages_workflow_installs_the_back_end_of_every_protocol():
    """Every protocol remote.py accepts is mapped, in the Pages workflow's Build step, to its extra; the URL is
    passed quoted (one argument, spaces and all)."""
    import yaml

    from generator.remote import BACKENDS

    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    [script] = [step["run"] for step in flow["jobs"]["build"]["steps"] if step.get("name") == "Build"]
    arms = dict(re.findall(r"^\s*([a-z0-9:/*| ]+)\) extra=([a-z0-9-]+) ;;", script, re.M))
    mapped = {
        pattern.strip().removesuffix("://*"): extra
        for patterns, extra in arms.items()
        for pattern in patterns.split("|")
    }
    assert mapped == {protocol: extra for protocol, (_, extra) in BACKENDS.items()}
    assert '--remote-cache "$REMOTE_CACHE"' in script

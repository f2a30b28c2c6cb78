"""Trust: the build never destroys an author's files, survives being killed or run twice at once,
and keeps the cache honest. Everything goes through `python build.py` on throwaway projects."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from generator.pipeline import HOST
from tests.conftest import ROOT, Project, wait_for

TRAINING_ARTICLE = "---\ntitle: Trained\n---\n\nA decoder.\n\n```figure\nkind: decoder-sampler\n```\n"
MARKER = ".explorables-site.json"


def assert_clean_failure(done: subprocess.CompletedProcess, *phrases: str) -> None:
    """Exit 1 with one message: no traceback, no internal error, every phrase present."""
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr[-3000:]
    for phrase in phrases:
        assert phrase in done.stderr, (phrase, done.stderr[-2000:])


def ran(report: dict) -> list[str]:
    return [s["name"] for s in report["stages"] if not s["cached"]]


def dead_pid() -> int:
    """The pid of a process that has exited (so a folder named after it is stale)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# --- --out never deletes what the generator did not write -------------------------------------------


def test_out_refuses_a_folder_holding_other_files(project):
    docs = project.root / "docs"
    docs.mkdir()
    (docs / "notes.md").write_text("my notes")
    (docs / "img").mkdir()
    (docs / "img" / "photo.png").write_bytes(b"\x89PNG")
    done = project.build("--out", str(docs))
    assert_clean_failure(done, "option --out", "notes.md", "img/photo.png", "--force")
    assert (docs / "notes.md").read_text() == "my notes" and (docs / "img" / "photo.png").exists()
    assert sorted(p.name for p in docs.iterdir()) == ["img", "notes.md"]

    content = project.build("--out", str(project.root / "content"))
    assert_clean_failure(content, "option --out", "would replace")
    assert (project.root / "content" / "test-article.md").is_file()

    forced = project.build("--out", str(docs), "--force", check=True)
    assert forced.returncode == 0
    assert (docs / "test-article" / "index.html").is_file() and not (docs / "notes.md").exists()


def test_out_replaces_its_own_site_but_not_files_added_to_it(project):
    project.build(check=True)
    marker = json.loads((project.out / MARKER).read_text())
    assert "test-article/index.html" in marker["files"] and "build-report.json" in marker["files"]
    project.build(check=True)  # its own site: replaced without a question
    (project.out / "CNAME").write_text("example.org")
    done = project.build()
    assert_clean_failure(done, "CNAME", "--force")
    assert (project.out / "CNAME").read_text() == "example.org"


def test_an_old_unmarked_site_is_replaced_but_files_added_to_it_are_not(project):
    project.build(check=True)
    (project.out / MARKER).unlink()  # as built before sites carried a marker
    project.build(check=True)
    (project.out / MARKER).unlink()
    (project.out / "CNAME").write_text("example.org")
    (project.out / "notes").mkdir()
    (project.out / "notes" / "todo.md").write_text("mine")
    done = project.build()
    assert_clean_failure(done, "CNAME", "notes/todo.md")
    assert (project.out / "CNAME").exists() and (project.out / "notes" / "todo.md").exists()


def test_force_never_replaces_the_project_its_content_or_its_cache(isolated_project):
    p = isolated_project
    p.build(check=True)
    settings = p.root / "site.toml"
    renamed = settings.rename(p.root / "my-site.toml")  # not recognisable by its file name any more
    base = [sys.executable, str(ROOT / "build.py"), "--config", str(renamed), "--scale", "tiny", "--force"]
    for target in (p.root, p.root / "content", p.root / ".cache", p.root / ".cache" / "site", p.root.parent):
        done = subprocess.run([*base, "--out", str(target)], capture_output=True, text=True, cwd=p.root, timeout=300)
        assert_clean_failure(done, "option --out")
    assert (p.root / "content" / "test-article.md").is_file() and renamed.is_file()
    assert any((p.root / ".cache").iterdir())


def test_files_saved_into_the_output_during_a_build_are_kept(isolated_project):
    p = isolated_project
    p.write("content/test-article.md", TRAINING_ARTICLE)
    (p.out).mkdir()  # empty: allowed when the build starts
    cmd = [sys.executable, str(ROOT / "build.py"), "--config", str(p.root / "site.toml"), "--scale", "tiny", "-v"]
    proc = subprocess.Popen(cmd, cwd=p.root, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    for line in proc.stderr:
        if "[run] train" in line:
            (p.out / "CNAME").write_text("example.org")  # saved by hand while the build trains
            break
    rest = proc.communicate(timeout=600)[1]
    assert proc.returncode == 1 and "CNAME" in rest and "Traceback" not in rest
    assert (p.out / "CNAME").read_text() == "example.org"
    assert not list(p.root.glob("._site.*"))


def test_a_site_left_aside_by_an_interrupted_swap_is_restored(project):
    project.build(check=True)
    aside = project.root / f"._site.old-{HOST}-{dead_pid()}"
    project.out.rename(aside)  # as if stopped between the two renames of the swap
    project.write("content/bad.md", "---\ntitle: B\n---\nSee [nothing](/nowhere/).\n")  # fails after staging
    done = project.build()
    assert_clean_failure(done, "/nowhere/")
    assert (project.out / "test-article" / "index.html").is_file() and not aside.exists()


def test_out_that_cannot_be_written_fails_before_any_stage(project, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    under_file = project.build("--out", str(blocker / "site"))
    assert_clean_failure(under_file, "option --out", "which is a file")
    is_file = project.build("--out", str(blocker))
    assert_clean_failure(is_file, "option --out", "existing file")
    nowhere = project.build("--out", "/proc/no-site-here")
    assert_clean_failure(nowhere, "option --out", "cannot write")
    for done in (under_file, is_file, nowhere):
        assert "[run]" not in done.stderr


def test_built_site_is_readable_by_others_and_not_linked_to_the_cache(project):
    old = os.umask(0o022)
    try:
        project.build(check=True)
    finally:
        os.umask(old)
    out = project.out
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    for path in out.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            assert mode == 0o755, (path, oct(mode))
        else:
            assert mode & 0o644 == 0o644 and not mode & 0o022, (path, oct(mode))
            assert path.stat().st_nlink == 1, f"{path} is a hard link"
    # editing the site must not touch the cache: the next build finds no damaged entry
    for path in (out / "figures").rglob("*"):
        if path.is_file():
            path.write_bytes(b"")
    again = project.build(check=True)
    assert "damaged" not in again.stderr
    assert ran(project.report()) == []
    assert all(p.stat().st_size > 0 for p in (out / "figures").rglob("*") if p.is_file())


def test_the_same_figure_twice_builds(project):
    text = (project.root / "content/test-article.md").read_text()
    block = text[text.index("```figure") : text.index("```\n", text.index("```figure") + 3) + 4]
    project.write("content/test-article.md", text + "\n" + block.replace("caption:", "id: again\ncaption:"))
    project.write("content/other.md", "---\ntitle: Other\n---\n\n" + block)
    project.build(check=True)
    page = (project.out / "test-article/index.html").read_text()
    assert page.count('data-figure="image-grid"') == 2


# --- killed builds leave nothing behind --------------------------------------------------------------


def _stop_during_training(p: Project, signum: int, jobs: int = 1) -> None:
    """Start a build, wait until a training stage is writing its temporary folder, send ``signum``."""
    cmd = [sys.executable, str(ROOT / "build.py"), "--config", str(p.root / "site.toml"), "--scale", "tiny", "-v"]
    cmd += ["--jobs", str(jobs)]  # 2: the stage runs in a worker process, which the build must stop too
    proc = subprocess.Popen(cmd, cwd=p.root, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stderr:  # wait for the state we need: a stage is running, its temporary folder exists
            if "[run] train" in line:
                break
        tmp = list((p.root / ".cache").glob("train/*.tmp-*"))
        assert tmp, "the training stage writes into a temporary folder"
        proc.send_signal(signum)
        proc.communicate(timeout=120)
    finally:
        proc.kill()
        proc.wait(timeout=60)
    assert proc.returncode != 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_terminated_build_cleans_up_after_itself(isolated_project, jobs):
    p = isolated_project
    p.write("content/test-article.md", TRAINING_ARTICLE)
    _stop_during_training(p, signal.SIGTERM, jobs)
    assert not list((p.root / ".cache").rglob("*.tmp-*"))
    assert not list(p.root.glob("._site.*")) and not p.out.exists()


def test_a_killed_build_leaves_nothing_the_next_build_keeps(isolated_project):
    p = isolated_project
    p.write("content/test-article.md", TRAINING_ARTICLE)
    _stop_during_training(p, signal.SIGKILL)  # --jobs 1: the stage runs in the killed process itself
    assert list((p.root / ".cache").rglob("*.tmp-*")), "SIGKILL cannot be caught: the folder stays for now"
    # and a site-staging folder and an old site left by another killed build
    pid = dead_pid()
    staged = p.root / f"._site.tmp-abc123-{HOST}-{pid}"
    staged.mkdir()
    (staged / "index.html").write_text("half")
    old = p.root / f"._site.old-{HOST}-{pid}"
    old.mkdir()
    alive = p.root / f"._site.tmp-xyz789-{HOST}-{os.getpid()}"  # this process lives: not stale
    alive.mkdir()
    p.build(check=True)
    assert not list((p.root / ".cache").rglob("*.tmp-*"))
    assert not staged.exists() and not old.exists()
    assert alive.exists()
    alive.rmdir()


# --- two builds at once -------------------------------------------------------------------------------


def test_two_builds_at_once_both_succeed_and_the_cache_stays_whole(isolated_project, tmp_path):
    p = isolated_project
    p.write("content/test-article.md", TRAINING_ARTICLE)
    p.write("content/digits.md", "---\ntitle: Digits\n---\n\n```figure\nkind: image-grid\ndataset: mnist\n```\n")
    base = [sys.executable, str(ROOT / "build.py"), "--config", str(p.root / "site.toml"), "--scale", "tiny", "-q"]
    procs = [
        subprocess.Popen([*base, "--out", str(tmp_path / name)], cwd=p.root, stderr=subprocess.PIPE, text=True)
        for name in ("one", "two")
    ]
    procs.append(subprocess.Popen(base, cwd=p.root, stderr=subprocess.PIPE, text=True))  # same --out as below
    errors = [proc.communicate(timeout=900)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], errors
    assert errors == ["", "", ""], "quiet means quiet: no TensorFlow start-up lines with -q"
    again = p.build(check=True)
    assert "damaged" not in again.stderr
    assert ran(p.report()) == []
    one = sorted(f.relative_to(tmp_path / "one") for f in (tmp_path / "one").rglob("*") if f.is_file())
    two = sorted(f.relative_to(tmp_path / "two") for f in (tmp_path / "two").rglob("*") if f.is_file())
    assert one == two
    stages = {s["key"] for s in json.loads((tmp_path / "one" / "build-report.json").read_text())["stages"]}
    assert stages == {s["key"] for s in p.report()["stages"]}


# --- the preview server survives mistakes ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_serve_shows_errors_over_the_page_keeps_running_and_keeps_its_config(tmp_path, shared_cache):
    p = Project(tmp_path / "proj")
    settings = p.write("settings/my-site.toml", '[site]\ntitle = "Served title"\n')
    p.write("settings/content/a.md", "---\ntitle: A\n---\n\nFirst words.\n")
    (p.root / "settings" / ".cache").symlink_to(shared_cache, target_is_directory=True)
    p.write("site.toml", '[site]\ntitle = "Wrong file"\n')  # the server must not fall back to this one
    port = _free_port()
    cmd = [
        sys.executable,
        str(ROOT / "build.py"),
        "--config",
        str(settings),
        "--scale",
        "tiny",
        "--serve",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, cwd=p.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for(lambda: _get(url + "a/")[0] == 200 if _port_open(port) else False)
        assert "First words." in _get(url + "a/")[1]
        article = p.root / "settings/content/a.md"
        article.write_text("---\ntitle: A\ndate: 2026-13-45\n---\n\nBroken words.\n")
        status, page = wait_for(lambda: (lambda r: r if "build-error-overlay" in r[1] else None)(_get(url + "a/")))
        assert status == 200 and "First words." in page, "the last good site stays underneath"
        assert "a.md:3" in page and "Traceback" not in page
        article.write_text("---\ntitle: A\n---\n\nMended words.\n")
        wait_for(lambda: "Mended words." in _get(url + "a/")[1])
        assert "build-error-overlay" not in _get(url + "a/")[1]
        settings.write_text('[site]\ntitle = "Retitled"\n')
        wait_for(lambda: "Retitled" in _get(url)[1])
        assert "Wrong file" not in _get(url)[1]
        assert proc.poll() is None, "the server is still running"
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
        lines.append(out)
    assert "Traceback" not in "".join(lines)


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_serve_on_a_port_in_use_fails_before_building(project):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        done = project.build("--serve", "--port", str(busy.getsockname()[1]))
    assert_clean_failure(done, "option --port", "another port")
    assert not project.out.exists()
    bad = project.build("--serve", "--port", "99999")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "0 to 65535" in bad.stderr


# --- the cache cannot go stale ------------------------------------------------------------------------


def _stage_registry():
    from generator import build  # noqa: F401  (registers every stage)
    from generator.figures import kinds
    from generator.pipeline import REGISTRY

    kinds()
    return REGISTRY


def test_every_project_module_a_stage_imports_is_in_its_key():
    """Read each stage module's import lines (a plain regex, not the pipeline's parser) against its key."""
    import re

    from generator.pipeline import HARNESS

    registry = _stage_registry()
    assert len(registry) > 20
    for st in registry.values():
        module = st.sources[0]
        package = module.rpartition("/")[0].replace("/", ".")
        text = (ROOT / module).read_text()
        for dots, name, names in re.findall(r"^\s*from (\.+)([\w.]*) import \(?([\w, ]+)", text, re.M):
            parts = package.split(".")
            anchor = ".".join(parts[: len(parts) - len(dots) + 1])
            dotted = f"{anchor}.{name}" if name else anchor
            candidates = [dotted] + [f"{dotted}.{n.strip()}" for n in names.split(",") if n.strip()]
            files = [c.replace(".", "/") + suffix for c in candidates for suffix in (".py", "/__init__.py")]
            files = [f for f in files if (ROOT / f).is_file() and f not in HARNESS]
            for f in files:
                assert f in st.sources, f"stage {st.name}: {module} imports {f}, which is not in its cache key"


def _code_copy(tmp_path):
    """A copy of the generator's code (so a test may edit it), sharing node_modules."""
    import shutil

    code = tmp_path / "code"
    code.mkdir()
    shutil.copy(ROOT / "build.py", code / "build.py")
    shutil.copy(ROOT / "package.json", code / "package.json")
    for folder in ("generator", "assets"):
        shutil.copytree(ROOT / folder, code / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (code / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return code


@pytest.mark.parametrize(
    "helper, expected",
    [
        ("generator/draw.py", {"figure image-grid (mnist)"}),
        ("generator/datasets/idx.py", {"dataset mnist (2,000)", "figure image-grid (mnist)"}),
        ("generator/markdown.py", {"render test-article"}),
        ("generator/templates/figure.html", {"render test-article"}),
        ("generator/errors.py", set()),  # harness: messages, not artifacts
    ],
)
def test_editing_a_helper_reruns_exactly_the_stages_that_use_it(isolated_project, tmp_path, helper, expected):
    code = _code_copy(tmp_path)
    p = isolated_project

    def build():
        cmd = [sys.executable, str(code / "build.py"), "--config", str(p.root / "site.toml"), "--scale", "tiny", "-q"]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=p.root, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return set(ran(p.report()))

    build()
    path = code / helper
    comment = "{# edited #}\n" if helper.endswith(".html") else "# edited\n"
    path.write_text(path.read_text() + comment)
    assert build() == expected


def test_prune_cache_keeps_what_the_build_used_and_nothing_else(isolated_project):
    p = isolated_project
    p.build(check=True)
    article = p.root / "content/test-article.md"
    article.write_text(article.read_text().replace("dataset: mnist", "dataset: fashion-mnist"))
    p.build(check=True)  # without --prune-cache the MNIST entries stay
    cache = p.root / ".cache"
    entries = lambda: {e.name for d in cache.iterdir() if not d.name.startswith(".") for e in d.iterdir()}  # noqa: E731
    before = entries()
    used = {s["key"] for s in p.report()["stages"]}
    assert used < before, "the MNIST entries of the first build are still there"
    done = p.build("--prune-cache", check=True)
    assert "pruned the build cache" in done.stderr
    assert entries() == used
    p.build(check=True)
    assert ran(p.report()) == []

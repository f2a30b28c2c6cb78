"""--serve: builds, serves under the base URL, rebuilds on change, signals a reload."""

import subprocess
import sys
import urllib.error
import urllib.request

from tests.conftest import ROOT, wait_for


def test_serve_rebuilds_and_reloads_on_change(project):
    cmd = [
        sys.executable,
        str(ROOT / "build.py"),
        "--config",
        str(project.root / "site.toml"),
        "--scale",
        "tiny",
        "--serve",
        "--port",
        "0",
        "--base-url",
        "/repo/",
    ]
    proc = subprocess.Popen(cmd, cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = wait_for(lambda: next((out for out in iter(proc.stdout.readline, "") if "Serving" in out), None), 300)
        url = line.split()[1]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/repo/")
        page = urllib.request.urlopen(url + "test-article/").read().decode()
        assert "Some prose" in page and "EventSource" in page
        events = urllib.request.urlopen(url.split("/repo/")[0] + "/__livereload", timeout=120)
        path = project.root / "content/test-article.md"
        path.write_text(path.read_text().replace("Some prose", "Freshly served prose"))
        lines = (events.readline() for _ in range(40))  # keep-alive pings may come first
        assert any(line.startswith(b"data: reload") for line in lines)
        assert "Freshly served prose" in urllib.request.urlopen(url + "test-article/").read().decode()
        try:
            urllib.request.urlopen(url + "nowhere/")
            raise AssertionError("expected a 404")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404 and b"Page not found" in exc.read()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_watches_the_authors_data(tmp_path):
    """Adding or changing an image of a [datasets.*] folder, or the --mnist file, triggers a rebuild."""
    from generator.config import load_config
    from generator.serve import watched_files

    (tmp_path / "data" / "pets" / "cats").mkdir(parents=True)
    image = tmp_path / "data" / "pets" / "cats" / "a.png"
    image.write_bytes(b"png")
    digits = tmp_path / "digits.npz"
    digits.write_bytes(b"npz")
    settings = tmp_path / "site.toml"
    settings.write_text(
        f'[site]\ntitle = "T"\n[data]\nmnist = "{digits}"\n[datasets.pets]\npath = "data/pets"\nlicence = "CC0"\n'
    )
    cfg = load_config(tmp_path, path=settings)
    before = watched_files(cfg, settings)
    assert image in before and digits in before
    added = image.with_name("b.png")
    added.write_bytes(b"png")
    assert added in watched_files(cfg, settings)

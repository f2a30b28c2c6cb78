"""Fashion-MNIST without Debian's package: downloaded once from a (local, real) HTTP server, verified by sha256.

The served files are small IDX files made here (their checksums stand in for the official ones), so the
tests run on any machine; one more test checks the official checksums against Debian's copies where present.
"""

from __future__ import annotations

import gzip
import http.server
import logging
import signal
import socket
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from generator.datasets import download, fashion, load
from generator.datasets.idx import write_idx
from generator.errors import DataError
from generator.pipeline import HOST

DEBIAN = Path("/usr/share/datasets/fashion-mnist")


def make_files(folder: Path) -> dict[str, tuple[int, str]]:
    """Four small Fashion-MNIST-shaped IDX files, gzipped; their (bytes, sha256) of the IDX data."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (600, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": (np.arange(600) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (100, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": (np.arange(100) % 10).astype(np.uint8),
    }
    for name, array in arrays.items():
        write_idx(folder / name, array)
        raw = (folder / name).read_bytes()
        (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
        (folder / name).unlink()
    return {name: download.content_digest(folder / name) for name in download.FASHION_FILES}  # the official order


class Server:
    """A real HTTP server on localhost serving a folder, counting requests."""

    def __init__(self, folder: Path):
        self.requests: list[str] = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append(self.path)
                return super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/files/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """The four official files (Debian's copies) behind a local server; no Debian folder for the loader."""
    root = tmp_path / "www"
    monkeypatch.setattr(download, "FASHION_FILES", make_files(root / "files"))
    server = Server(root)
    monkeypatch.setattr(fashion, "DEBIAN_DIR", tmp_path / "not-installed")
    monkeypatch.setenv("EXPLORABLES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EXPLORABLES_FASHION_MNIST_URL", server.url)
    yield server, root / "files", tmp_path / "data" / "fashion-mnist"
    server.close()


def test_download_once_verify_and_load(mirror, capsys):
    server, _files, folder = mirror
    data = load("fashion-mnist", count=500, seed=0)
    assert data.n == 500 and data.x_train.shape[1:] == (28, 28)
    assert sorted(p.name for p in folder.iterdir()) == sorted(download.FASHION_FILES)
    assert len(server.requests) == 4
    assert "download" in capsys.readouterr().err, "a progress bar shows the download"
    again = load("fashion-mnist", count=500, seed=0)
    assert len(server.requests) == 4, "downloaded once, then read from the user data folder"
    assert (again.x_train == data.x_train).all()


def test_a_damaged_download_is_rejected_and_deleted(mirror):
    _server, files, folder = mirror
    labels = files / "train-labels-idx1-ubyte.gz"
    good = labels.read_bytes()
    raw = bytearray(gzip.decompress(good))
    raw[100] = (raw[100] + 1) % 10  # one label changed: still a valid gzip of a valid IDX file
    labels.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DataError) as err:
        load("fashion-mnist", count=500)
    assert "arrived damaged" in str(err.value) and "--fashion-mnist" in str(err.value)
    assert not (folder / "train-labels-idx1-ubyte.gz").exists()
    assert not list(folder.glob("*.tmp-*"))
    truncated = files / "t10k-images-idx3-ubyte.gz"
    truncated.write_bytes(truncated.read_bytes()[:5000])
    labels.write_bytes(good)
    with pytest.raises(DataError, match="arrived damaged"):
        load("fashion-mnist", count=500)


def test_http_errors_and_killed_downloads(mirror, tmp_path):
    _server, files, folder = mirror
    (files / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="answered HTTP 404"):
        load("fashion-mnist", count=500)
    folder.mkdir(parents=True, exist_ok=True)
    child = __import__("subprocess").Popen(["true"])
    child.wait()
    stale = folder / f"t10k-images-idx3-ubyte.gz.tmp-{HOST}-{child.pid}"  # a download whose build was killed
    stale.write_bytes(b"half")
    with pytest.raises(DataError):
        load("fashion-mnist", count=500)
    assert not stale.exists()


def test_offline_says_how_to_provide_the_files(mirror, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens here once the socket closes
    monkeypatch.setenv("EXPLORABLES_FASHION_MNIST_URL", f"http://127.0.0.1:{closed}/")
    with pytest.raises(DataError) as err:
        load("fashion-mnist", count=500)
    message = str(err.value)
    assert "cannot be downloaded" in message and "--fashion-mnist DIR" in message
    assert "apt install dataset-fashion-mnist" in message
    assert "\n" not in message


def test_the_build_fetches_before_any_stage_runs(mirror, isolated_project, monkeypatch):
    """In-process through build.main (the Debian folder is patched away): the download precedes every stage."""
    import build

    server, _files, _folder = mirror
    p = isolated_project
    p.write("site.toml", "[site]\ntitle = 'T'\n[scales.tiny]\nfashion_count = 500\n")
    p.write(
        "content/test-article.md", "---\ntitle: F\n---\n\n```figure\nkind: image-grid\ndataset: fashion-mnist\n```\n"
    )
    monkeypatch.chdir(p.root)
    handlers, sigterm = logging.getLogger().handlers[:], signal.getsignal(signal.SIGTERM)
    try:
        assert build.main(["--config", str(p.root / "site.toml"), "--scale", "tiny", "-q"]) == 0
    finally:  # main() sets up the process (logging, signals) as the command line would
        logging.getLogger().handlers[:] = handlers
        signal.signal(signal.SIGTERM, sigterm)
    assert len(server.requests) == 4 and (p.out / "test-article" / "index.html").is_file()
    assert "Fashion-MNIST" in (p.out / "credits" / "index.html").read_text()


@pytest.mark.skipif(not DEBIAN.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_the_official_checksums_match_debians_copies():
    for name, expected in download.FASHION_FILES.items():
        assert download.content_digest(DEBIAN / name) == expected, name

"""Fashion-MNIST without Debian's package: downloaded once from a (local, real) HTTP server, verified by sha256."""

from __future__ import annotations

import gzip
import http.server
import logging
import shutil
import signal
import socket
import threading
from functools import partial
from pathlib import Path

import pytest

from generator.datasets import download, fashion, load
from generator.errors import DataError

DEBIAN = Path("/usr/share/datasets/fashion-mnist")
pytestmark = pytest.mark.skipif(not DEBIAN.is_dir(), reason="needs Debian's dataset-fashion-mnist as the files to serve")


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
    shutil.copytree(DEBIAN, root / "files")
    server = Server(root)
    monkeypatch.setattr(fashion, "DEBIAN_DIR", tmp_path / "not-installed")
    monkeypatch.setenv("EXPLORABLES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EXPLORABLES_FASHION_MNIST_URL", server.url)
    yield server, root / "files", tmp_path / "data" / "fashion-mnist"
    server.close()


def test_download_once_verify_and_load(mirror, capsys):
    server, _files, folder = mirror
    data = load("fashion-mnist", count=1000, seed=0)
    assert data.n == 1000 and data.x_train.shape[1:] == (28, 28)
    assert sorted(p.name for p in folder.iterdir()) == sorted(download.FASHION_FILES)
    assert len(server.requests) == 4
    assert "download" in capsys.readouterr().err, "a progress bar shows the download"
    again = load("fashion-mnist", count=1000, seed=0)
    assert len(server.requests) == 4, "downloaded once, then read from the user data folder"
    assert (again.x_train == data.x_train).all()


def test_a_damaged_download_is_rejected_and_deleted(mirror):
    server, files, folder = mirror
    labels = files / "train-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(labels.read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # one label changed: still a valid gzip of a valid IDX file
    labels.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DataError) as err:
        load("fashion-mnist", count=1000)
    assert "arrived damaged" in str(err.value) and "--fashion-mnist" in str(err.value)
    assert not (folder / "train-labels-idx1-ubyte.gz").exists()
    assert not list(folder.glob("*.part-*"))
    truncated = files / "t10k-images-idx3-ubyte.gz"
    truncated.write_bytes(truncated.read_bytes()[:5000])
    shutil.copyfile(DEBIAN / "train-labels-idx1-ubyte.gz", labels)
    with pytest.raises(DataError, match="arrived damaged"):
        load("fashion-mnist", count=1000)


def test_offline_says_how_to_provide_the_files(mirror, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens here once the socket closes
    monkeypatch.setenv("EXPLORABLES_FASHION_MNIST_URL", f"http://127.0.0.1:{closed}/")
    with pytest.raises(DataError) as err:
        load("fashion-mnist", count=1000)
    message = str(err.value)
    assert "cannot be downloaded" in message and "--fashion-mnist DIR" in message
    assert "apt install dataset-fashion-mnist" in message
    assert "\n" not in message


def test_the_build_fetches_before_any_stage_runs(mirror, isolated_project, monkeypatch):
    """In-process through build.main (the Debian folder is patched away): the download precedes every stage."""
    import build

    server, _files, folder = mirror
    p = isolated_project
    p.write("content/test-article.md", "---\ntitle: F\n---\n\n```figure\nkind: image-grid\ndataset: fashion-mnist\n```\n")
    monkeypatch.chdir(p.root)
    handlers, sigterm = logging.getLogger().handlers[:], signal.getsignal(signal.SIGTERM)
    try:
        assert build.main(["--config", str(p.root / "site.toml"), "--scale", "tiny", "-q"]) == 0
    finally:  # main() sets up the process (logging, signals) as the command line would
        logging.getLogger().handlers[:] = handlers
        signal.signal(signal.SIGTERM, sigterm)
    assert len(server.requests) == 4 and (p.out / "test-article" / "index.html").is_file()
    assert "Fashion-MNIST" in (p.out / "credits" / "index.html").read_text()

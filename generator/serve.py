"""``python build.py --serve``: build, serve on 127.0.0.1, rebuild and live-reload on change.

The watcher polls content/, assets/, the templates and site.toml (file times
are used only to notice edits; the cache keys never see them). A rebuild runs
in this process through the same cache, so only the stages whose inputs
changed run again. Pages get a tiny live-reload script injected at response
time; the files on disk are exactly what ``python build.py`` writes.
"""

from __future__ import annotations

import http.server
import logging
import threading
import time
from functools import partial
from pathlib import Path

from . import pipeline
from .build import build
from .config import Config, load_config
from .errors import BuildError

log = logging.getLogger(__name__)

RELOAD_PATH = "/__livereload"
RELOAD_SCRIPT = (
    "<script>(() => { const s = new EventSource('" + RELOAD_PATH + "');"
    " s.onmessage = (e) => { if (e.data === 'reload') location.reload(); }; })();</script>"
)


class State:
    """The build generation number, and a condition to wait for the next one."""

    def __init__(self):
        self.generation = 0
        self.changed = threading.Condition()
        self.stopping = False

    def bump(self) -> None:
        with self.changed:
            self.generation += 1
            self.changed.notify_all()


def watched_files(cfg: Config) -> dict[Path, tuple[int, int]]:
    root = pipeline.ROOT
    folders = [cfg.content_dir, root / "assets", root / "generator" / "templates"]
    files = [cfg.root / "site.toml", *root.glob("generator/**/*.py")]
    for folder in folders:
        if folder.is_dir():
            files.extend(p for p in folder.rglob("*") if p.is_file())
    stamp = {}
    for path in files:
        try:
            stat = path.stat()
            stamp[path] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            pass
    return stamp


def make_handler(cfg: Config, state: State):
    base = cfg.base_url

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, fmt, *args):
            log.debug("serve: " + fmt, *args)

        def do_GET(self):
            if self.path == RELOAD_PATH:
                return self._events()
            path = self.path.split("?", 1)[0]
            if path == "/" and base != "/":
                self.send_response(302)
                self.send_header("Location", base)
                self.end_headers()
                return None
            if not path.startswith(base):
                return self.send_error(404, f"this site lives under {base}")
            self.path = "/" + self.path[len(base):]
            target = Path(self.translate_path(self.path))
            if target.is_dir() and (target / "index.html").is_file() and path.endswith("/"):
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                return self._html(target)
            if not target.exists():
                return self._not_found()
            return super().do_GET()

        def _html(self, target: Path, status: int = 200):
            body = target.read_bytes().replace(b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1)
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _not_found(self):
            page = cfg.out / "404.html"
            if page.is_file():
                return self._html(page, 404)
            return self.send_error(404)

        def _events(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = state.generation
            try:
                while not state.stopping:
                    with state.changed:
                        state.changed.wait(timeout=15)
                    message = b"data: reload\n\n" if state.generation != seen else b": ping\n\n"
                    seen = state.generation
                    self.wfile.write(message)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

        def end_headers(self):
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

    return Handler


def rebuild(cfg: Config) -> Config:
    """Re-read site.toml and build again through the cache; errors are printed, not fatal."""
    pipeline._code_hashes.clear()  # templates and assets may have changed
    try:
        fresh = load_config(cfg.root, overrides={}, out=cfg.out, serve=True, clean=False, strict=cfg.strict,
                            verbosity=cfg.verbosity)
        values = dict(fresh.values)
        for key in ("build.scale", "site.base_url", "data.mnist", "data.fashion_mnist", "data.celeba"):
            values[key] = cfg.values[key]  # flags given on the command line keep winning
        cfg = Config(**{**fresh.__dict__, "values": values})
        build(cfg)
    except BuildError as exc:
        print(f"error: {exc}\n(the last good site is still being served; fix the problem and save again)", flush=True)
    return cfg


def serve(cfg: Config, port: int = 8000) -> int:
    """Build, then serve until interrupted."""
    stamp = watched_files(cfg)  # before building: an edit made during the first build is not lost
    try:
        build(cfg)
    except BuildError as exc:
        print(f"error: {exc}", flush=True)
        if not cfg.out.exists():
            return 1
    state = State()
    handler = partial(make_handler(cfg, state), directory=str(cfg.out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}{cfg.base_url}"
    print(f"Serving {url} (Ctrl+C stops). Watching content/, assets/, templates and site.toml.", flush=True)
    try:
        while True:
            time.sleep(0.5)
            now = watched_files(cfg)
            if now != stamp:
                changed = sorted(str(p.name) for p in set(now) ^ set(stamp) | {p for p in now if now[p] != stamp.get(p)})
                stamp = now
                if any(name.endswith(".py") for name in changed):
                    print("Python source changed: restart --serve to use the new code.", flush=True)
                print(f"Changed: {', '.join(changed[:5])}; rebuilding…", flush=True)
                cfg = rebuild(cfg)  # edits saved while it runs differ from `stamp`: they rebuild next
                state.bump()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        state.stopping = True
        state.bump()
        server.shutdown()
    return 0

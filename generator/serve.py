"""``python build.py --serve``: build, serve on 127.0.0.1, rebuild and live-reload on change.

The watcher polls content/, assets/, the templates and the settings file the
server was started with (file times are used only to notice edits; the cache
keys never see them). A rebuild runs in this process through the same cache,
so only the stages whose inputs changed run again. Pages get a tiny
live-reload script injected at response time; the files on disk are exactly
what ``python build.py`` writes.

A mistake never stops the server: a failed build is printed in the terminal
and shown over every page as an overlay (the last good site stays underneath);
the next good build removes it and the page reloads.
"""

from __future__ import annotations

import html
import http.server
import logging
import threading
import time
from functools import partial
from pathlib import Path

from . import pipeline
from .build import build
from .config import Config, load_config
from .errors import BuildError, ConfigError, internal_error
from .site import check_output_dir

log = logging.getLogger(__name__)

RELOAD_PATH = "/__livereload"
RELOAD_SCRIPT = (
    "<script>(() => { const s = new EventSource('" + RELOAD_PATH + "');"
    " s.onmessage = (e) => { if (e.data === 'reload') location.reload(); }; })();</script>"
)


OVERLAY = """<div id="build-error-overlay" role="alertdialog" aria-modal="true" aria-labelledby="build-error-title"
 style="position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(24,24,27,.94);color:#fafafa;
 font:15px/1.5 system-ui,sans-serif;padding:2rem">
<h2 id="build-error-title" style="margin:0 0 1rem;color:#fca5a5">The last build failed</h2>
<pre style="white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace;background:#000;padding:1rem">{message}</pre>
<p>The page underneath is the last good build. Fix the problem and save: this page reloads by itself.</p>
<button type="button" onclick="this.parentNode.remove()" style="font:inherit;padding:.4rem 1rem">Dismiss</button>
<script>(() => {{ const o = document.getElementById('build-error-overlay'); o.querySelector('button').focus();
 addEventListener('keydown', (e) => {{ if (e.key === 'Escape') o.remove(); }}); }})();</script>
</div>"""
NO_SITE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Build failed</title>"
    "<body><main><h1>No site yet</h1><p>The first build failed; see the message.</p></main></body></html>"
)


class State:
    """The build generation number, the last build's error, and a condition to wait for the next one."""

    def __init__(self):
        self.generation = 0
        self.changed = threading.Condition()
        self.stopping = False
        self.error: str | None = None

    def bump(self) -> None:
        with self.changed:
            self.generation += 1
            self.changed.notify_all()


def data_paths(cfg: Config) -> list[Path]:
    """The data the settings name: every [datasets.*] path and the --mnist / --fashion-mnist / --celeba ones."""
    from .datasets.registry import user_datasets
    from .stages import DATA_OPTIONS

    named = [spec["path"] for spec in user_datasets(cfg).values()] + [cfg[key] for _, key in DATA_OPTIONS]
    return [Path(path) for path in named if path]


def watched_files(cfg: Config, config_path: Path) -> dict[Path, tuple[int, int]]:
    root = pipeline.ROOT
    folders = [cfg.content_dir, root / "assets", root / "generator" / "templates"]
    files = [config_path, *root.glob("generator/**/*.py")]
    for path in data_paths(cfg):  # the author's images: adding or changing one rebuilds the page
        if path.is_dir():
            folders.append(path)
        else:
            files.append(path)
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
            log.debug("serve: %s", fmt % args)

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
            self.path = "/" + self.path[len(base) :]
            target = Path(self.translate_path(self.path))
            if target.is_dir() and (target / "index.html").is_file() and path.endswith("/"):
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                return self._html(target)
            if not target.exists():
                return self._not_found()
            return super().do_GET()

        def _html(self, target: Path | None, status: int = 200):
            page = target.read_bytes() if target else NO_SITE.encode()
            extra = RELOAD_SCRIPT
            if state.error:
                extra = OVERLAY.format(message=html.escape(state.error)) + extra
            if b"</body>" not in page:
                page += b"</body>"
            body = page.replace(b"</body>", extra.encode() + b"</body>", 1)
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
            if state.error:  # no site at all yet: the error is the page
                return self._html(None, 500)
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


def rebuild(cfg: Config, config_path: Path, force: bool = False) -> tuple[Config, str | None]:
    """Re-read the settings and build again through the cache: (the config used, the error or None)."""
    pipeline._code_hashes.clear()  # templates and assets may have changed
    try:
        fresh = load_config(
            cfg.root,
            path=config_path,
            overrides={},
            out=cfg.out,
            serve=True,
            clean=False,
            strict=cfg.strict,
            verbosity=cfg.verbosity,
            remote_options=cfg.remote_options,
            jobs=cfg.jobs,
        )
        values = dict(fresh.values)
        kept = ("build.scale", "site.base_url", "data.mnist", "data.fashion_mnist", "data.celeba")
        kept += ("build.remote_cache", "build.remote_cache_read_only")
        for key in kept:
            values[key] = cfg.values[key]  # flags given on the command line keep winning
        cfg = Config(**{**fresh.__dict__, "values": values})
    except BuildError as exc:
        return cfg, f"error: {exc}"
    return cfg, attempt(cfg, force)


def attempt(cfg: Config, force: bool) -> str | None:
    """Build once; the error message, or None. Nothing a build raises stops the server."""
    try:
        build(cfg, force=force)
    except BuildError as exc:
        return f"error: {exc}"
    except Exception as exc:  # a bug in the generator: the server still keeps running
        log.debug("build failed", exc_info=True)
        return f"error: {internal_error(exc)}"
    return None


def report(state: State, error: str | None) -> None:
    """Print the outcome of a build and publish it to the pages (overlay on, or off)."""
    if error:
        print(
            f"{error}\n(the last good site, if any, is still being served with this error over it; "
            "fix the problem and save again)",
            flush=True,
        )
    elif state.error:
        print("Fixed: the build succeeded.", flush=True)
    state.error = error


def serve(cfg: Config, port: int = 8000, config_path: Path | None = None, force: bool = False) -> int:
    """Build, then serve until interrupted; a failing build never stops the server."""
    config_path = (config_path or cfg.root / "site.toml").resolve()
    check_output_dir(cfg.out, project=cfg.root, force=force)  # a bad --out is not something to serve around
    state = State()
    handler = partial(make_handler(cfg, state), directory=str(cfg.out))
    try:  # bind first: a port in use is reported before anything is built
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); another server may use it: "
            "choose another port, or 0 for a free one",
            where="option --port",
        ) from None
    server.daemon_threads = True
    stamp = watched_files(cfg, config_path)  # before building: an edit made during the first build is not lost
    report(state, attempt(cfg, force))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}{cfg.base_url}"
    print(f"Serving {url} (Ctrl+C stops). Watching content/, assets/, templates and {config_path.name}.", flush=True)
    try:
        while True:
            time.sleep(0.5)
            now = watched_files(cfg, config_path)
            if now != stamp:
                changed = sorted(
                    str(p.name) for p in set(now) ^ set(stamp) | {p for p in now if now[p] != stamp.get(p)}
                )
                stamp = now
                if any(name.endswith(".py") for name in changed):
                    print("Python source changed: restart --serve to use the new code.", flush=True)
                print(f"Changed: {', '.join(changed[:5])}; rebuilding…", flush=True)
                cfg, error = rebuild(cfg, config_path, force)  # edits saved while it runs differ from `stamp`
                report(state, error)
                state.bump()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        state.stopping = True
        state.bump()
        server.shutdown()
        server.server_close()
    return 0

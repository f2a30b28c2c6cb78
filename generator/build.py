"""``build(cfg)``: read everything, run the stages, write the site, swap it in.

Order matters (pelican/mkdocs): every article and figure block is read and
validated before any stage runs; math renders before the expensive stages so
a TeX typo fails in a second; the site is assembled in a temporary directory,
link-checked and measured, and only then replaces the previous site.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from pathlib import Path

from . import (
    distribute,
    tex,  # noqa: F401  (registers the math stage)
)
from . import site as sitefiles
from .config import Config
from .errors import BudgetError, BuildError, ContentError
from .figures import kinds
from .linkcheck import assert_links
from .markdown import Article, read_articles
from .parallel import adopt, run_parallel
from .pipeline import ROOT, Pipeline, Request, clean_cache, load_entry, prune_cache
from .remote import open_remote
from .render import figure_url, render_site_pages
from .report import Weigher, budget_message, over_budget, print_table, summary_table
from .stages import check_inputs, credit_records, datasets_needed, prepare_default_data

log = logging.getLogger(__name__)


def site_settings(cfg: Config) -> dict:
    """The site-wide values templates see (part of every page's cache key)."""
    return {key.split(".", 1)[1]: value for key, value in cfg.values.items() if key.startswith("site.")}


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path.resolve())


def plan(cfg: Config, articles: list[Article]) -> dict[str, list[Request]]:
    """Each article's figure payload requests (validating figure options against the config)."""
    available = kinds()
    requests = {}
    for article in articles:
        requests[article.slug] = []
        for block in article.figures:
            try:
                request = available[block.kind].request(block.options, cfg)
                request.params["credits"] = credit_records(cfg, request)  # see payload.source_record
                requests[article.slug].append(request)
            except BuildError as exc:
                raise ContentError(exc.message, where=article.where(block.line)) from None
    return requests


def page_request(cfg: Config, article: Article, figures: list[Request], slugs: list[str]) -> Request:
    """The render stage's request: everything the page's HTML depends on."""
    digest = lambda data: hashlib.sha256(data).hexdigest()  # noqa: E731
    return Request(
        "page",
        {
            "path": _rel(article.path),
            "slug": article.slug,
            "text": article.text,
            "site": site_settings(cfg),
            "scale": cfg.scale,
            "slugs": slugs,
            "math": math_params(article),
            "figures": [[r.stage, r.params] for r in figures],
            "images": {src: digest(file.read_bytes()) for src, file in sorted(article.images.items())},
            "includes": [[inc.source, inc.name, digest(inc.code.encode())] for inc in article.includes],
        },
    )


def _remote_read_only(cfg: Config) -> bool:
    """Read-only when asked, and on the machines of a multi-worker cluster other than the chief (they train the
    same models as the chief, which alone pushes them)."""
    return bool(cfg["build.remote_cache_read_only"]) or not distribute.is_chief()


def _worker_setup(cfg: Config) -> dict:
    """What a worker process of --jobs needs to resolve requests like this build (generator/parallel.py)."""
    remote = None
    if cfg["build.remote_cache"]:
        remote = {
            "url": cfg["build.remote_cache"],
            "options": cfg.remote_options,
            "read_only": _remote_read_only(cfg),
        }
    return {
        "cache_dir": str(cfg.cache_dir),
        "clean": cfg.clean,
        "show_progress": cfg.verbosity >= 0,
        "verbosity": cfg.verbosity,
        "strategy": distribute.chosen(),
        "remote": remote,
    }


def math_params(article: Article) -> dict:
    return {"article": article.slug, "items": [[source, display] for source, display, _ in article.math]}


def build(cfg: Config, *, force: bool = False, prune: bool = False) -> dict:
    """Build the whole site into ``cfg.out``; return the build report.

    ``force`` replaces an output folder that holds files this generator did not write; ``prune``
    removes, after a successful build, every cache entry this build did not use.
    """
    start = time.perf_counter()
    sitefiles.check_output_dir(cfg.out, project=cfg.root, force=force)
    for stale in clean_cache(cfg.cache_dir):
        log.info("removed %s, left by a build that was stopped", _rel(stale))
    articles = read_articles(cfg.content_dir, strict=cfg.strict)
    check_inputs(cfg)
    figure_requests = plan(cfg, articles)
    if cfg["build.remote_cache"] and not distribute.is_chief():
        log.info("a worker of a multi-worker cluster other than the chief: the remote cache is read-only here")
    remote = open_remote(  # a bad URL, a missing back-end or bucket: one message before any stage runs
        cfg["build.remote_cache"],
        options=cfg.remote_options,
        read_only=_remote_read_only(cfg),
        where="remote cache",
    )
    prepare_default_data(
        cfg, datasets_needed([r for rs in figure_requests.values() for r in rs]), show_progress=cfg.verbosity >= 0
    )
    slugs = [a.slug for a in articles]
    pipeline = Pipeline(cfg.cache_dir, clean=cfg.clean, show_progress=cfg.verbosity >= 0, remote=remote)

    math_requests = [Request("math", math_params(article)) for article in articles]
    page_requests = {a.slug: page_request(cfg, a, figure_requests[a.slug], slugs) for a in articles}
    for article, request in zip(articles, math_requests):  # cheap and early: a TeX error waits for no training
        math = json.loads(pipeline.get(request).file("math.json").read_text())
        for (source, _display, line), result in zip(article.math, math):
            if "error" in result:
                raise ContentError(f"math '{source}' does not render: {result['error']}", where=article.where(line))
    if cfg.jobs > 1 and not distribute.in_one_process():  # the stages the cache lacks, in worker processes
        # (the passes below then load them; the math is resolved already)
        worker_records = run_parallel(pipeline, list(page_requests.values()), cfg.jobs, _worker_setup(cfg))
    else:
        worker_records = []
    payloads = {slug: [pipeline.get(r) for r in requests] for slug, requests in figure_requests.items()}
    pages = {slug: pipeline.get(request) for slug, request in page_requests.items()}
    adopt(pipeline.records, worker_records)

    staged = sitefiles.staging_dir(cfg.out)
    try:
        try:
            report = _assemble(cfg, staged, articles, payloads, pages, pipeline, start)
        except FileNotFoundError as exc:  # only another build (--clean) can remove an entry after it was loaded
            raise BuildError(
                f"the build cache changed while this build read it ({exc.filename}); "
                "another build with --clean may be running: build again"
            ) from None
        out_lock = (
            cfg.cache_dir / ".locks" / f"out-{hashlib.sha256(str(cfg.out.resolve()).encode()).hexdigest()[:16]}.lock"
        )
        sitefiles.swap_in(staged, cfg.out, lock=out_lock, force=force)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    if prune:
        removed, freed = prune_cache(cfg.cache_dir, {record.key for record in pipeline.records})
        log.info("pruned the build cache: %d entries this build did not use, %.1f MB", removed, freed / 1e6)
    return report


def _assemble(cfg, staged: Path, articles, payloads, pages, pipeline, start) -> dict:
    base = cfg.base_url
    sitefiles.copy_assets(staged)
    sitefiles.copy_vendor(staged)
    sources: dict[str, dict] = {}
    for article in articles:
        for block, artifact in zip(article.figures, payloads[article.slug]):
            url = figure_url(base, block.kind, artifact.digest)
            sitefiles.copy_artifact(artifact, staged / url[len(base) :])
            for record in artifact.meta.get("share", []):
                shared = load_entry(
                    cfg.cache_dir / record["stage"] / record["key"], record["stage"], record["key"], repair=False
                )
                if shared is None or not record["folder"].endswith(shared.digest[:10]):
                    raise BuildError(
                        f"the build cache changed while this build read it ({record['stage']} "
                        f"{record['key'][:12]}); another build with --clean may be running: build again"
                    )
                target = staged / "artifacts" / record["folder"]
                if not target.exists():
                    sitefiles.copy_artifact(shared, target)
            for source in artifact.meta.get("sources", []):
                known = sources.setdefault(source["name"], dict(source))
                known["count"] = max(known["count"], source["count"])
        sitefiles.copy_artifact(pages[article.slug], staged)
    listed = [a for a in articles if not a.draft]
    listed.sort(key=lambda a: (a.meta.get("date") is not None, a.meta.get("date")), reverse=True)
    summaries = [
        {
            "slug": a.slug,
            **{k: a.meta.get(k) for k in ("title", "description", "date", "thumbnail", "draft")},
            "authors": a.meta["authors"],
        }
        for a in listed
    ]
    render_site_pages(
        staged, site_settings(cfg), cfg.scale, summaries, sorted(sources.values(), key=lambda s: s["name"])
    )
    page_sources = {f"{a.slug}/index.html": a.where() for a in articles}
    assert_links(staged, base, page_sources)

    weigher = Weigher(staged, base)
    weights = [weigher.weigh(p) for p in sorted(staged.rglob("index.html"))]
    budget = cfg["build.page_budget_kb"] * 1024  # gzip bytes at first mount (every figure mounted, nothing explored)
    over = over_budget(weights, budget)
    for w in over:
        message = budget_message(w, budget)
        if cfg.strict:
            raise BudgetError(message)
        log.warning(message)
    seconds = time.perf_counter() - start
    report = {
        "scale": cfg.scale,
        "base_url": base,
        "seconds": round(seconds, 3),
        "stages": [
            {
                "name": r.name,
                "key": r.key,
                "cached": r.cached,
                "status": r.status,
                "seconds": round(r.seconds, 3),
                "bytes": r.bytes,
                "meta": r.meta,
            }
            for r in pipeline.records
        ],
        "pages": weights,
        "budget_gzip_bytes": budget,
        "totals": {
            "stages": len(pipeline.records),
            "stages_ran": sum(1 for r in pipeline.records if not r.cached),
            "stages_pulled": sum(1 for r in pipeline.records if r.pulled),
            "site_bytes": sum(f.stat().st_size for f in staged.rglob("*") if f.is_file()),
            "pages": len(weights),
            "pages_over_budget": len(over),
        },
        "sources": sorted(sources.values(), key=lambda s: s["name"]),
        "remote_cache": pipeline.remote.report() if pipeline.remote is not None else None,
    }
    (staged / "build-report.json").write_text(json.dumps(report, indent=1, default=str))
    if cfg.verbosity >= 0:
        print_table(summary_table(pipeline.records, weights, seconds, remote=report["remote_cache"]))
    return report

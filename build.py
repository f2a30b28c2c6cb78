#!/usr/bin/env python3
"""Build the site: ``python build.py [--scale tiny|default|full] [--serve] ...``

Markdown articles in content/ become a static site in _site/ (or --out) whose
figures are driven by data, models and layouts computed here and cached in
.cache/. ``python build.py --init DIR`` starts a project of one's own, built with
``--config DIR/site.toml``. Run ``python build.py --help`` for every option.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port; allowed: a whole number from 0 to 65535 (0 picks a free one)"
        )
    return port


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if not 1 <= jobs <= 256:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of jobs; allowed: a whole number from 1 to 256")
    return jobs


def _terminated(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Turn the Markdown articles in content/ into a static site with live, build-time-computed figures.",
        epilog="Settings live in site.toml; flags given here override it. See README.md.",
    )
    parser.add_argument(
        "--scale",
        choices=("tiny", "default", "full"),
        help="how much data and training: tiny (seconds, for tests), default (10k MNIST, ORL faces), "
        "full (70k MNIST and CelebA when you supply them). Default: [build] scale in site.toml",
    )
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: _site)")
    parser.add_argument(
        "--base-url", dest="base_url", help="path the site is served under, e.g. /my-repo/ for GitHub project pages"
    )
    parser.add_argument(
        "--serve", action="store_true", help="build, serve on 127.0.0.1 and rebuild + live-reload on every change"
    )
    parser.add_argument("--port", type=_port, default=8000, help="port for --serve (default 8000; 0 picks a free one)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace the output folder even if it holds files this generator did not write",
    )
    parser.add_argument("--clean", action="store_true", help="ignore the build cache and recompute every stage")
    parser.add_argument(
        "--prune-cache",
        dest="prune_cache",
        action="store_true",
        help="after a successful build, remove the cache entries it did not use (keeps CI caches small)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="treat warnings (e.g. a page over its weight budget) as errors"
    )
    parser.add_argument(
        "--remote-cache",
        dest="remote_cache",
        metavar="URL",
        help="a build cache shared between machines: pull a stage's entry from it instead of running the stage, "
        "push what ran. A folder (also a network drive), s3://bucket/prefix, gs://bucket/prefix or "
        "az://container/prefix; '' turns off [build] remote_cache of site.toml",
    )
    parser.add_argument(
        "--remote-cache-read-only",
        dest="remote_cache_read_only",
        action="store_const",
        const=True,
        default=None,
        help="pull from the remote cache but never push to it (CI of pull requests)",
    )
    parser.add_argument(
        "--remote-cache-option",
        dest="remote_cache_options",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="a storage option for the remote cache's back-end, e.g. endpoint_url=https://s3.example.org "
        "(an S3-compatible server) or anon=true; repeat for more",
    )
    parser.add_argument("--mnist", help="mnist.npz or a folder with the four MNIST IDX files (all 70,000 digits)")
    parser.add_argument("--fashion-mnist", dest="fashion_mnist", help="folder with the Fashion-MNIST IDX files")
    parser.add_argument("--celeba", help="img_align_celeba/ as a folder or a .zip (faces for the face explorer)")
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="settings file (default: site.toml); its folder is the project: content/, .cache/ and _site/ live beside it",
    )
    parser.add_argument(
        "--init",
        type=Path,
        metavar="DIR",
        default=None,
        help="write a new project into DIR (missing or empty): site.toml, content/first-article.md, .gitignore; "
        "then build it with --config DIR/site.toml",
    )
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="stages run at once, in worker processes (default: the number of cores; 1: one at a time)",
    )
    parser.add_argument(
        "--strategy",
        choices=("auto", "one", "mirrored", "multi-worker"),
        default="auto",
        help="where models train (tf.distribute): one device; mirrored over the local GPUs; multi-worker over the "
        "machines TF_CONFIG names (each runs this same command); auto (default) picks by what it finds",
    )
    loud = parser.add_mutually_exclusive_group()
    loud.add_argument("-v", "--verbose", action="store_true", help="log every stage, cached or not")
    loud.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors; no progress bars or table")
    return parser.parse_args(argv)


def init(args: argparse.Namespace) -> int:
    """``--init DIR``: write a new project and say what to type next (no other option applies)."""
    from generator.errors import BuildError
    from generator.init import init_project, report

    others = sorted(
        f"--{name.replace('_', '-')}"
        for name, value in vars(args).items()
        if name != "init" and value != vars(parse_args([]))[name]
    )
    try:
        if others:
            raise BuildError(f"takes no other options (given: {', '.join(others)})", where="option --init")
        written = init_project(args.init)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report(args.init, written))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.init is not None:
        return init(args)
    signal.signal(signal.SIGTERM, _terminated)  # clean up temporary folders as on Ctrl+C
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    verbosity = -1 if args.quiet else (1 if args.verbose else 0)
    from generator.logs import setup_logging

    setup_logging(verbosity)
    if verbosity < 1:
        from generator import quiet

        quiet.install()  # before anything imports TensorFlow
    from generator.config import load_config
    from generator.errors import BuildError, internal_error
    from generator.parallel import default_jobs

    try:
        root = args.config.resolve().parent if args.config else ROOT
        cfg = load_config(
            root,
            path=args.config,
            overrides={
                "build.scale": args.scale,
                "site.base_url": args.base_url,
                "data.mnist": args.mnist,
                "data.fashion_mnist": args.fashion_mnist,
                "data.celeba": args.celeba,
                "build.remote_cache": args.remote_cache,
                "build.remote_cache_read_only": args.remote_cache_read_only,
            },
            out=args.out.resolve() if args.out else None,
            serve=args.serve,
            clean=args.clean,
            strict=args.strict,
            verbosity=verbosity,
            remote_options=tuple(args.remote_cache_options),
            jobs=args.jobs or default_jobs(),
        )
        if cfg.strict and cfg.warnings:
            raise BuildError("--strict: site.toml has warnings (see above)")
        from generator import distribute

        distribute.configure(args.strategy, jobs=cfg.jobs)  # with --jobs N the workers train, not this process
        if args.serve:
            from generator.serve import serve

            return serve(cfg, port=args.port, config_path=args.config, force=args.force)
        from generator.build import build

        build(cfg, force=args.force, prune=args.prune_cache)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("The previous site, if any, was left as it was.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous site was left as it was.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in the generator, not the author's mistake: one message, the details on -v
        if verbosity >= 1:
            raise
        print(f"error: {internal_error(exc)}", file=sys.stderr)
        print("The previous site, if any, was left as it was.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Run the Pages workflow's build job here, as written, and check what its upload step would publish.

    python scripts/pages_proof.py [--build-args "--scale tiny"] [--repo NAME] [--keep]

A fresh `git clone` of this repository's HEAD (nothing of the developer's .venv,
node_modules, .cache or _site), then each step of `.github/workflows/pages.yml`'s
build job in order: `run:` steps through bash with the step's own environment
(GitHub expressions filled in for a project site named NAME), `uses:` steps by
what they provide (the clone, the Python and Node.js found here). The build cache
and the downloaded-data folder start empty, as on a first deploy; pip's and npm's
download caches are reused, as the workflow's caches are on GitHub. Finally the
folder the upload step names is checked the way Pages needs it, without the
hidden files the upload step leaves out. Prints one line per step and a summary; exit 0 when all holds.
`--build-args` fills the repository variable BUILD_ARGS (e.g. a faster scale).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def expressions(text: str, context: dict[str, str]) -> str:
    """Fill ``${{ name }}`` from ``context`` (unknown names become '', as unset variables do on GitHub)."""
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: context.get(m.group(1), ""), text)


def check_artifact(site: Path, base: str, slugs: list[str]) -> list[str]:
    """What Pages needs of the uploaded folder; the list of problems (empty when all holds)."""
    problems = []
    for rel in ("index.html", "404.html", "build-report.json", *(f"{s}/index.html" for s in slugs)):
        if not (site / rel).is_file():
            problems.append(f"missing {rel}")
    total = 0
    for path in site.rglob("*"):
        rel = path.relative_to(site)
        if any(part.startswith(".") for part in rel.parts):
            continue  # upload-pages-artifact does not publish hidden files
        if path.suffix == ".html" and re.search(r'(?:href|src)="[^"]*/\.[^"/]', path.read_text(errors="replace")):
            problems.append(f"{rel} links to a hidden file, which Pages will not serve")
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            problems.append(f"{path.relative_to(site)} is a symbolic link (the upload step rejects them)")
        elif stat.S_ISREG(info.st_mode):
            total += info.st_size
            if info.st_nlink != 1:
                problems.append(f"{path.relative_to(site)} is a hard link")
            if not info.st_mode & stat.S_IROTH:
                problems.append(f"{path.relative_to(site)} is not readable by others")
    if total > 1 << 30:
        problems.append(f"the site is {total:,} bytes; Pages publishes at most 1 GB")
    index = (site / "index.html").read_text() if (site / "index.html").is_file() else ""
    if f'href="{base}assets/' not in index:
        problems.append(f"index.html does not load its assets under the base path {base}")
    if (site / "build-report.json").is_file():
        report = json.loads((site / "build-report.json").read_text())
        if report.get("base_url") != base:
            problems.append(f"built for base URL {report.get('base_url')!r}, not {base!r}")
        if report["totals"]["pages_over_budget"]:
            problems.append("a page is over its weight budget")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-args", default="", help="the repository variable BUILD_ARGS (more build flags)")
    parser.add_argument("--repo", default="explorables-proof", help="repository name (a project site: /NAME/)")
    parser.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="pages-proof-"))
    clone = work / "repo"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    flow = yaml.safe_load((clone / ".github/workflows/pages.yml").read_text())
    job = flow["jobs"]["build"]
    context = {
        "github.repository_owner": "octo-author",
        "github.event.repository.name": args.repo,
        "vars.BASE_URL": "",
        "vars.BUILD_ARGS": args.build_args,
    }
    outputs = work / "github-output"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)
    env.update(
        {
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_WORKSPACE": str(clone),
            "CI": "true",
            "EXPLORABLES_DATA_DIR": str(work / "data"),
        }
    )
    upload = None
    ok = True
    for number, step in enumerate(job["steps"], 1):
        name = step.get("name") or step.get("uses") or step.get("run", "").splitlines()[0]
        start = time.monotonic()
        if "uses" in step:
            action = step["uses"].split("@")[0]
            if action == "actions/upload-pages-artifact":
                upload = clone / step.get("with", {}).get("path", "_site")
            note = {
                "actions/checkout": "the fresh clone",
                "actions/setup-python": f"Python {sys.version.split()[0]}",
                "actions/setup-node": "Node.js "
                + subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
                "actions/cache": "nothing restored (a first deploy)",
                "actions/upload-pages-artifact": f"checks {upload}",
            }.get(action, "skipped")
            print(f"step {number}: {name}: {note}", flush=True)
            continue
        outputs.write_text("")
        step_env = {**env, **{k: expressions(str(v), context) for k, v in (step.get("env") or {}).items()}}
        script = expressions(step["run"], context)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=clone, env=step_env
        )
        print(f"step {number}: {name}: exit {done.returncode} in {time.monotonic() - start:.0f} s", flush=True)
        if done.returncode != 0:
            ok = False
            break
        for line in outputs.read_text().splitlines():
            if "=" in line and step.get("id"):
                key, _, value = line.partition("=")
                context[f"steps.{step['id']}.outputs.{key}"] = value
    base = context.get("steps.base.outputs.path", "")
    if ok:
        slugs = [p.stem for p in sorted((clone / "content").glob("*.md"))]
        problems = ["the workflow has no upload step"] if upload is None else check_artifact(upload, base, slugs)
        for problem in problems:
            print(f"problem: {problem}")
        ok = not problems
        if ok:
            files = sum(1 for p in upload.rglob("*") if p.is_file())
            size = sum(p.stat().st_size for p in upload.rglob("*") if p.is_file())
            print(f"artifact: {upload.relative_to(clone)}/ holds {files} files, {size:,} bytes, base path {base}")
    if args.keep:
        print(f"kept: {clone}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print("pages proof: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The page weigher (generator/report.py): every way a module loads another, and what a page loads at first
mount (every figure mounted, nothing explored: the budget) apart from what only exploring loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.report import Weigher, budget_message, over_budget, summary_table
from tests.conftest import ARTICLE, copy_of_generator


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_module_files_follow_static_dynamic_worker_and_resolved_imports(tmp_path):
    site = tmp_path / "site"
    write(site, "assets/js/figures/k/index.js", 'import { a } from "../../lib/a.js";\nconst m = import("./lazy.js");\n')
    write(
        site,
        "assets/js/lib/a.js",
        'export const a = 1;\nconst w = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });\n'
        'const picture = new URL("./picture.png", import.meta.url);\n',
    )
    write(site, "assets/js/figures/k/lazy.js", "export const lazy = 2;\n")
    write(site, "assets/js/lib/worker.js", 'const tf = await import(self.tfUrl);\nimport.meta.resolve("tfjs");\n')
    write(site, "assets/js/lib/picture.png", "not a module")
    write(site, "vendor/tfjs/tf.js", "export const tf = 3;\n")
    weigher = Weigher(site, "/")
    files = weigher.module_files("/page/", "/assets/js/figures/k/index.js", {"tfjs": "/vendor/tfjs/tf.js"})
    names = sorted(f.relative_to(site).as_posix() for f in files)
    assert names == [
        "assets/js/figures/k/index.js",
        "assets/js/figures/k/lazy.js",
        "assets/js/lib/a.js",
        "assets/js/lib/worker.js",
        "vendor/tfjs/tf.js",
    ]


# ---- first mount and exploring ----------------------------------------------------------------------------


def synthetic_site(root: Path) -> Path:
    """A site under /repo/ with one page of two figures. Figure a explores a file, a folder of its own, a shared
    folder only it names (big) and the shared atlas that figure b loads at mount."""
    site = root / "site"
    write(
        site,
        "art/index.html",
        '<!doctype html><link rel="stylesheet" href="/repo/assets/site.css">'
        '<script type="module" src="/repo/assets/runtime.js"></script>'
        '<div data-figure="k" data-module="/repo/assets/k.js" data-config="/repo/figures/a-1/config.json"></div>'
        '<div data-figure="k" data-module="/repo/assets/k.js" data-config="/repo/figures/b-2/config.json"></div>',
    )
    write(site, "assets/site.css", "body { color: black; }\n")
    write(site, "assets/runtime.js", 'import "./k.js";\n')
    write(site, "assets/k.js", "export const k = 1;\n")
    a = {
        "points": "points.u16",
        "layouts": ["tsne.u16"],
        "tiles": "tiles/",
        "atlas": "../../artifacts/atlas-1/",
        "big": "../../artifacts/big-1/",
        "explore": ["tsne.u16", "tiles/", "../../artifacts/atlas-1/", "../../artifacts/big-1/", "missing/"],
    }
    write(site, "figures/a-1/config.json", json.dumps(a))
    for rel in ("points.u16", "tsne.u16", "tiles/0-0.png", "tiles/1/0-1.png", "fallback.png"):
        write(site, f"figures/a-1/{rel}", rel * 40)
    write(site, "figures/b-2/config.json", json.dumps({"atlas": "../../artifacts/atlas-1/labels.u8"}))
    write(site, "figures/b-2/fallback.png", "b" * 100)
    write(site, "artifacts/atlas-1/labels.u8", "0123456789" * 30)
    write(site, "artifacts/atlas-1/atlas-0.webp", "x" * 5000)
    write(site, "artifacts/big-1/sprites.bin", "y" * 9000)
    write(site, "other/unused.bin", "z" * 100)  # on no page
    return site


def names(site: Path, files) -> set[str]:
    return {f.relative_to(site).as_posix() for f in files}


def test_first_mount_leaves_out_what_a_figure_loads_only_by_exploring(tmp_path):
    site = synthetic_site(tmp_path)
    weigher = Weigher(site, "/repo/")
    page = site / "art/index.html"
    mount = names(site, weigher.mount_files(page))
    every = names(site, weigher.page_files(page))
    assert mount == {
        "art/index.html",
        "assets/site.css",
        "assets/runtime.js",
        "assets/k.js",
        "figures/a-1/config.json",
        "figures/a-1/points.u16",
        "figures/a-1/fallback.png",
        "figures/b-2/config.json",
        "figures/b-2/fallback.png",
        # a explores the shared atlas, b names it and so loads it at mount: first mount
        "artifacts/atlas-1/labels.u8",
        "artifacts/atlas-1/atlas-0.webp",
    }
    assert every - mount == {
        "figures/a-1/tsne.u16",
        "figures/a-1/tiles/0-0.png",
        "figures/a-1/tiles/1/0-1.png",
        "artifacts/big-1/sprites.bin",
    }
    weight = weigher.weigh(page)
    sizes = {rel: weigher.size(site / rel) for rel in every}
    assert weight["path"] == "art/index.html"
    assert weight["files"] == len(mount) and weight["explored_files"] == 4
    assert weight["bytes"] == sum(sizes[r][0] for r in mount)
    assert weight["gzip_bytes"] == sum(sizes[r][1] for r in mount)
    assert weight["explored_bytes"] == sum(sizes[r][0] for r in every - mount)
    assert weight["explored_gzip_bytes"] == sum(sizes[r][1] for r in every - mount)


def test_a_page_whose_figures_explore_nothing_loads_everything_at_first_mount(tmp_path):
    site = synthetic_site(tmp_path)
    config = site / "figures/a-1/config.json"
    config.write_text(json.dumps({k: v for k, v in json.loads(config.read_text()).items() if k != "explore"}))
    weigher = Weigher(site, "/repo/")
    weight = weigher.weigh(site / "art/index.html")
    assert weight["explored_files"] == weight["explored_bytes"] == weight["explored_gzip_bytes"] == 0
    assert weight["files"] == len(weigher.page_files(site / "art/index.html"))


@pytest.mark.parametrize(
    "explore, says",
    [
        ("tiles/", "must be a list of URLs"),
        (["/repo/figures/a-1/tiles/"], "must be relative to the config's folder"),
        (["https://example.org/x.bin"], "must be relative to the config's folder"),
        (["../../../../x.bin"], "leads outside the site"),
    ],
)
def test_an_explore_list_that_is_not_relative_urls_is_one_clear_error(tmp_path, explore, says):
    site = synthetic_site(tmp_path)
    write(site, "figures/a-1/config.json", json.dumps({"explore": explore}))
    with pytest.raises(BuildError, match=says) as raised:
        Weigher(site, "/repo/").weigh(site / "art/index.html")
    assert "figures/a-1/config.json" in str(raised.value)


def test_the_budget_counts_first_mount_only_and_says_so():
    light = {"path": "a/index.html", "gzip_bytes": 900, "explored_gzip_bytes": 50_000}
    heavy = {"path": "b/index.html", "gzip_bytes": 2048, "explored_gzip_bytes": 0}
    assert over_budget([light, heavy], 1024) == [heavy]
    message = budget_message(heavy, 1024)
    assert "b/index.html" in message and "2,048" in message
    assert "at first mount (every figure mounted, nothing explored)" in message
    assert "[build] page_budget_kb = 1" in message
    assert "exploring" in budget_message({**heavy, "explored_gzip_bytes": 7000}, 1024)


def test_the_summary_line_shows_first_mount_and_exploring():
    page = {
        "path": "a/index.html",
        "bytes": 5000,
        "gzip_bytes": 1200,
        "files": 9,
        "explored_bytes": 80_000,
        "explored_gzip_bytes": 30_000,
        "explored_files": 4,
    }
    line = summary_table([], [page], 1.0).splitlines()[-1]
    assert "1,200 B gzip at first mount, + 30,000 B gzip by exploring" in line


def test_payload_explore_lists_each_url_once_sorted_in_config(tmp_path):
    from PIL import Image

    from generator.payload import Payload
    from generator.pipeline import Context

    fallback = Image.new("L", (4, 4))
    out = Payload(Context(params={}, inputs={}, out=tmp_path))
    assert out.explore("tiles/") == "tiles/"
    out.explore("../../artifacts/atlas-1a2b3c4d5e/")
    out.explore("tiles/")
    out.finish({"tiles": "tiles/"}, alt="x", fallback=fallback, sources=[])
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["explore"] == ["../../artifacts/atlas-1a2b3c4d5e/", "tiles/"]
    with pytest.raises(ValueError, match="relative"):
        out.explore("/figures/x/")

    plain = tmp_path / "plain"
    plain.mkdir()
    Payload(Context(params={}, inputs={}, out=plain)).finish({}, alt="x", fallback=fallback, sources=[])
    assert "explore" not in json.loads((plain / "config.json").read_text())


def test_strict_fails_over_budget_at_first_mount_but_not_for_explored_bytes(project, tmp_path):
    """A real build whose image-grid figure lists its sprite sheet as explored (a copy of the generator that
    says so): the report counts grid.png as explored, and --strict holds only the first mount to the budget."""
    code = tmp_path / "code"
    copy_of_generator(code)
    kind = code / "generator/figures/image_grid.py"
    text = kind.read_text()
    assert "\n    return Payload(ctx).finish(" in text
    explored = '\n    out = Payload(ctx)\n    out.explore("grid.png")\n    return out.finish('
    kind.write_text(text.replace("\n    return Payload(ctx).finish(", explored))
    project.write("content/test-article.md", ARTICLE.replace("kind: image-grid", "kind: image-grid\nper_class: 10"))

    def build(budget_kb: int, *args: str):
        project.write("site.toml", f'[site]\ntitle = "Test site"\n[build]\npage_budget_kb = {budget_kb}\n')
        cmd = [sys.executable, str(code / "build.py"), "--config", str(project.root / "site.toml"), "--scale", "tiny"]
        return subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=project.root, timeout=900)

    done = build(100_000)
    assert done.returncode == 0, done.stderr[-3000:]
    report = project.report()
    page = next(p for p in report["pages"] if p["path"] == "test-article/index.html")
    grid = next((project.out / "figures").glob("image-grid-*/grid.png"))
    assert page["explored_files"] == 1 and page["explored_bytes"] == grid.stat().st_size
    assert "B gzip at first mount, + " in done.stderr
    mount_kb = -(-page["gzip_bytes"] // 1024)  # the smallest budget the first mount fits
    assert page["gzip_bytes"] + page["explored_gzip_bytes"] > mount_kb * 1024, "the test needs a bigger grid.png"

    done = build(mount_kb, "--strict")
    assert done.returncode == 0, done.stderr[-3000:]
    done = build(mount_kb - 1, "--strict")
    assert done.returncode == 1
    assert "at first mount (every figure mounted, nothing explored)" in done.stderr
    assert "page_budget_kb" in done.stderr and "test-article/index.html" in done.stderr


def test_the_browser_helper_matches_requests_under_explore_urls():
    """tests/browser/first_mount.py's matching (its browser use is in tests/browser/test_site.py)."""
    pytest.importorskip("playwright")
    from tests.browser.first_mount import under_explore

    config = "http://h/repo/figures/a/config.json"
    explore = {config: ["http://h/repo/figures/a/tsne.u16", "http://h/repo/artifacts/atlas-1/"]}
    urls = [
        "http://h/repo/figures/a/config.json",
        "http://h/repo/figures/a/tsne.u16?v=2",
        "http://h/repo/figures/a/tsne.u16.bak",
        "http://h/repo/artifacts/atlas-1/tiles/3/1-2.webp",
        "http://h/repo/artifacts/atlas-10/labels.u8",
    ]
    assert under_explore(urls, explore) == [(urls[1], config), (urls[3], config)]
    assert under_explore(urls, {config: []}) == []

"""Building through `python build.py` at tiny scale: caching, atomic output, bad input."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT, copy_of_generator


def ran(report):
    return [s["name"] for s in report["stages"] if not s["cached"]]


def test_build_writes_a_complete_site(project):
    project.build(check=True)
    out = project.out
    for rel in (
        "index.html",
        "404.html",
        "sitemap.xml",
        "feed.xml",
        "favicon.svg",
        "credits/index.html",
        "test-article/index.html",
        "build-report.json",
        "vendor/tfjs/tf.fesm.min.js",
        "vendor/d3/d3.js",
    ):
        assert (out / rel).is_file(), rel
    article = (out / "test-article/index.html").read_text()
    assert 'class="katex"' in article, "math is rendered to HTML at build time"
    assert 'property="og:title"' in article and 'name="twitter:card"' in article
    assert 'data-figure="image-grid"' in article and 'class="figure-fallback"' in article
    assert "A test article" in (out / "index.html").read_text()
    assert "MNIST" in (out / "credits/index.html").read_text()
    report = project.report()
    page = next(p for p in report["pages"] if p["path"] == "test-article/index.html")
    assert page["gzip_bytes"] > 0 and page["bytes"] >= page["gzip_bytes"]
    assert {"name", "key", "cached", "seconds"} <= set(report["stages"][0])


def test_noop_rebuild_runs_no_stage_and_imports_no_tensorflow(project):
    project.build(check=True)
    probe = (
        "import sys, runpy; sys.argv = ['build.py', '--config', sys.argv[1], '--scale', 'tiny', '-q'];"
        "import build; code = build.main(sys.argv[1:]);"
        "print('TF' if 'tensorflow' in sys.modules else 'noTF'); sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(project.root / "site.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("noTF")
    assert ran(project.report()) == []


def test_prose_edit_rerenders_only_that_page(project):
    project.build(check=True)
    path = project.root / "content/test-article.md"
    path.write_text(path.read_text().replace("Some prose", "Some edited prose"))
    project.build(check=True)
    assert ran(project.report()) == ["render test-article"]
    assert "Some edited prose" in (project.out / "test-article/index.html").read_text()


def test_math_edit_reruns_math_and_render_only(project):
    project.build(check=True)
    path = project.root / "content/test-article.md"
    path.write_text(path.read_text().replace("$x^2$", "$y^3$"))
    project.build(check=True)
    assert sorted(ran(project.report())) == ["math test-article (1)", "render test-article"]


def test_base_url_prefixes_every_link(project):
    project.build("--base-url", "/repo/", check=True)
    html = (project.out / "test-article/index.html").read_text()
    assert 'href="/repo/assets/css/site.css"' in html and 'data-config="/repo/figures/' in html
    assert '"three": "/repo/vendor/three/three.module.js"' in html


def test_a_failing_build_leaves_the_previous_site(project):
    project.build(check=True)
    before = (project.out / "test-article/index.html").read_text()
    project.write("content/broken.md", "---\ntitle: Broken\n---\n\n```figure\nkind: nope\n```\n")
    done = project.build()
    assert done.returncode == 1
    assert "content/broken.md:5: unknown figure kind 'nope'" in done.stderr
    assert (project.out / "test-article/index.html").read_text() == before
    assert not list(project.root.glob("._site.tmp-*")), "the staging directory is cleaned up"


BAD_INPUTS = {
    "missing title": (
        "content/bad.md",
        "---\ndescription: x\n---\ntext\n",
        r"content/bad.md:1: front matter needs a 'title",
    ),
    "invalid yaml": ("content/bad.md", "---\ntitle: [x\n---\n", r"content/bad.md:2: invalid YAML in front matter"),
    "unknown kind": (
        "content/bad.md",
        "---\ntitle: B\n---\n```figure\nkind: pie\n```\n",
        "content/bad.md:4: unknown figure kind 'pie'",
    ),
    "wrong option type": (
        "content/bad.md",
        "---\ntitle: B\n---\n```figure\nkind: image-grid\nper_class: x\n```\n",
        "content/bad.md:6: figure option 'per_class' is 'x'; allowed: an integer from 1 to 10",
    ),
    "out of range": (
        "content/bad.md",
        "---\ntitle: B\n---\n```figure\nkind: image-grid\nper_class: 99\n```\n",
        "content/bad.md:6: figure option 'per_class' is 99",
    ),
    "duplicate slug": (
        "content/other.md",
        "---\ntitle: B\nslug: test-article\n---\n",
        "two articles have the slug 'test-article'",
    ),
    "broken link": (
        "content/bad.md",
        "---\ntitle: B\n---\nSee [nothing](/nowhere/).\n",
        "content/bad.md:4: '/nowhere/' points at nothing",
    ),
    "broken anchor": (
        "content/bad.md",
        "---\ntitle: B\n---\nSee [x](test-article.md#no-such-heading).\n",
        "no element with id 'no-such-heading'",
    ),
    "missing image": (
        "content/bad.md",
        "---\ntitle: B\n---\n\n![a plot](plot.png)\n",
        "content/bad.md:5: image 'plot.png' not found",
    ),
    "site.toml type": ("site.toml", "[build]\nseed = 'x'\n", "site.toml:2: [build] seed is 'x'; allowed: an integer"),
    "bad math": ("content/bad.md", "---\ntitle: B\n---\n\n$\\frac{1$\n", "content/bad.md:5: math"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_gives_one_clear_message_and_keeps_the_site(project, case):
    project.build(check=True)
    before = (project.out / "index.html").read_text()
    rel, text, message = BAD_INPUTS[case]
    project.write(rel, text)
    done = project.build()
    assert done.returncode == 1, done.stderr
    assert message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert sum(line.startswith("error:") for line in done.stderr.splitlines()) == 1
    assert (project.out / "index.html").read_text() == before


def test_unknown_scale_is_rejected_with_the_choices(project):
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--config", str(project.root / "site.toml"), "--scale", "bogus"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "invalid choice: 'bogus' (choose from tiny, default, full)" in done.stderr.replace(
        "'tiny', 'default', 'full'", "tiny, default, full"
    )


def test_out_pointing_at_a_file_is_rejected(project, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("keep me")
    done = project.build("--out", str(target))
    assert done.returncode == 1 and "option --out" in done.stderr and "existing file" in done.stderr
    assert target.read_text() == "keep me"


def test_missing_content_directory(project):
    import shutil

    shutil.rmtree(project.root / "content")
    done = project.build()
    assert done.returncode == 1 and "no content directory" in done.stderr


def test_strict_turns_the_page_budget_into_an_error(project):
    project.write("site.toml", "[build]\npage_budget_kb = 1\n")
    warned = project.build(check=True)
    assert "budget" in warned.stderr
    done = project.build("--strict")
    assert done.returncode == 1 and "page_budget_kb" in done.stderr


def test_report_counts_the_figure_payload(project):
    project.build(check=True)
    report = project.report()
    page = next(p for p in report["pages"] if p["path"] == "test-article/index.html")
    figure_dir = next((project.out / "figures").iterdir())
    payload = sum(f.stat().st_size for f in figure_dir.iterdir())
    runtime = (project.out / "assets/js/runtime.js").stat().st_size
    assert page["bytes"] > payload + runtime


def test_report_counts_a_kinds_stylesheet_and_the_files_it_imports(project, tmp_path):
    """The page weight follows <link rel=stylesheet> to a kind's style.css and its @import chain, once each;
    the link check refuses an @import that points at nothing."""

    project.build(check=True)
    plain = next(p for p in project.report()["pages"] if p["path"] == "test-article/index.html")
    assert "assets/js/figures/image-grid/style.css" in (project.out / "test-article/index.html").read_text()

    code = tmp_path / "code"  # a copy of the generator whose image-grid style.css imports two role files
    copy_of_generator(code)
    style = code / "assets/js/figures/image-grid/style.css"
    added = '@import url("../../../css/test-role.css");\n'
    style.write_text(added + style.read_text())
    role = code / "assets/css/test-role.css"
    role.write_text('@import "test-role-2.css";\n.test-role { color: red; }\n')
    role2 = code / "assets/css/test-role-2.css"
    role2.write_text('@import url(test-role.css);\n@import url("../js/figures/image-grid/style.css");\n')

    def build():
        cmd = [sys.executable, str(code / "build.py"), "--config", str(project.root / "site.toml"), "--scale", "tiny"]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=project.root, timeout=600)

    done = build()
    assert done.returncode == 0, done.stderr[-3000:]
    page = next(p for p in project.report()["pages"] if p["path"] == "test-article/index.html")
    assert page["files"] == plain["files"] + 2
    assert page["bytes"] == plain["bytes"] + len(added) + role.stat().st_size + role2.stat().st_size

    role2.write_text('@import url("missing.css");\n')
    done = build()
    assert done.returncode == 1
    assert "assets/css/test-role-2.css: @import 'missing.css' points at nothing" in done.stderr

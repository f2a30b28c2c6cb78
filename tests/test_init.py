"""A site of one's own: ``python build.py --init DIR`` writes a project that builds at once with
``--config DIR/site.toml`` (the commands it prints work as printed), refuses a folder that holds files
with one message and writes nothing; its commented ``[datasets.*]`` example names every key the schema
allows, and uncommented over a folder of images it builds (the tutorial's path, docs/own-data.md)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, Project

INIT_FILES = {"site.toml", "content/first-article.md", ".gitignore"}


def init(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--init", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def listing(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


def printed_commands(stdout: str) -> list[list[str]]:
    """The commands --init prints after "Next:", as argument lists (comments dropped)."""
    lines = stdout.split("Next:\n", 1)[1].splitlines()
    return [shlex.split(line, comments=True) for line in lines if "build.py" in line]


def test_init_writes_a_project_whose_printed_command_builds_it(tmp_path, shared_cache):
    done = init(tmp_path, "my-site")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "my-site"
    assert {p for p in listing(folder) if "." in Path(p).name} == INIT_FILES
    assert (folder / ".gitignore").read_text().split("\n")[1:3] == ["_site/", ".cache/"]
    build, serve = printed_commands(done.stdout)
    assert build[1:] == [str(ROOT / "build.py"), "--config", "my-site/site.toml"]
    assert serve == [*build, "--serve"]

    (folder / ".cache").symlink_to(shared_cache, target_is_directory=True)
    built = subprocess.run(
        [sys.executable, *build[1:], "--scale", "tiny", "-q"], capture_output=True, text=True, cwd=tmp_path, timeout=900
    )
    assert built.returncode == 0, built.stderr[-4000:]
    site = folder / "_site"
    page = (site / "first-article" / "index.html").read_text()
    assert 'data-figure="image-grid"' in page
    assert 'class="data-note"' in page and "MNIST" in page
    # only the project's own articles: none of the repository's demo articles
    articles = {p.parent.name for p in site.glob("*/index.html")} - {"credits"}
    assert articles == {"first-article"}
    assert "<title>My site</title>" in (site / "index.html").read_text()


def test_init_takes_an_absolute_folder_and_creates_its_parents(tmp_path):
    folder = tmp_path / "a" / "b"
    done = init(ROOT, str(folder))
    assert done.returncode == 0, done.stderr
    assert INIT_FILES <= listing(folder)
    assert printed_commands(done.stdout)[0][-1] == str(folder / "site.toml")


def test_init_accepts_an_empty_folder_and_a_fresh_git_repository(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    for name in ("empty", "repo"):
        done = init(tmp_path, name)
        assert done.returncode == 0, done.stderr
        assert INIT_FILES <= listing(tmp_path / name)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"notes.txt": "mine"}, r"already holds files \(notes\.txt\); allowed: a new or empty folder"),
        ({"content/old.md": "mine"}, r"already holds files \(content\)"),
        ({".gitignore": "mine"}, r"already holds files \(\.gitignore\)"),
    ],
)
def test_init_refuses_a_folder_that_holds_files_and_writes_nothing(tmp_path, setup, message):
    folder = tmp_path / "site"
    for rel, text in setup.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    before = {p: (folder / p).read_bytes() for p in listing(folder) if (folder / p).is_file()}
    done = init(tmp_path, "site")
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert re.search(rf"^error: option --init site: {message}", done.stderr), done.stderr
    assert "Traceback" not in done.stderr
    assert {p: (folder / p).read_bytes() for p in listing(folder) if (folder / p).is_file()} == before
    assert listing(tmp_path) == {"site", *(f"site/{p}" for p in listing(folder))}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["a-file"], r"option --init a-file: is a file"),
        (["a-file/site"], r"option --init a-file/site: is under .*a-file, which is a file"),
        (["new", "--scale", "tiny"], r"option --init: takes no other options \(given: --scale\)"),
        (["new", "--config", "x.toml", "--serve"], r"takes no other options \(given: --config, --serve\)"),
    ],
)
def test_init_refuses_what_it_cannot_use_with_one_message(tmp_path, args, message):
    (tmp_path / "a-file").write_text("")
    done = init(tmp_path, *args)
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert re.search(message, done.stderr), done.stderr
    assert listing(tmp_path) == {"a-file"}


def test_the_commented_dataset_example_names_every_key_the_schema_allows(tmp_path):
    from generator.config import DATASET_SCHEMA
    from generator.init import site_toml

    text = site_toml('A "quoted" site')
    settings = tomllib.loads(text)
    assert settings["site"]["title"] == 'A "quoted" site' and "datasets" not in settings
    lines = text.splitlines()
    start = lines.index("# [datasets.my-images]")
    uncommented = "\n".join(lines[:start] + [line.removeprefix("# ") for line in lines[start:]])
    table = tomllib.loads(uncommented)["datasets"]["my-images"]
    assert list(table) == [key for key in DATASET_SCHEMA if key != "classes"]  # classes stays commented
    assert "# # classes = " in text
    assert all(DATASET_SCHEMA[key].check(value) is None for key, value in table.items()), table


def test_the_commented_model_example_trains_on_the_dataset_example_and_names_every_key(tmp_path):
    from generator.config import MODEL_SCHEMA
    from generator.init import site_toml

    text = site_toml("A site")
    assert "models" not in tomllib.loads(text)
    lines = text.splitlines()
    start = lines.index("# [datasets.my-images]")
    settings = tomllib.loads("\n".join(lines[:start] + [line.removeprefix("# ") for line in lines[start:]]))
    table = settings["models"]["my_ae"]
    doubly = {"hidden", "file", "encoder", "decoder"}  # another architecture's key, and the file form's keys
    assert list(table) == [key for key in MODEL_SCHEMA if key not in doubly]
    assert all(f"# # {key} = " in text for key in doubly)
    assert table["dataset"] in settings["datasets"]
    assert all(MODEL_SCHEMA[key].check(value) is None for key, value in table.items()), table


def test_the_reference_is_the_one_the_schema_writes():
    """docs/datasets-reference.md and docs/figures-reference.md are generated (python -m generator.reference): they
    say what the schema and the figure kinds' options say."""
    from generator import reference

    assert reference.TARGET.read_text(encoding="utf-8") == reference.render(), (
        "docs/datasets-reference.md is out of date: run python -m generator.reference"
    )
    figures = reference.FIGURES_TARGET.read_text(encoding="utf-8")
    assert figures == reference.render_figures(), (
        "docs/figures-reference.md is out of date: run python -m generator.reference"
    )
    from generator.figures import kinds

    assert all(f"## `{kind}`" in figures for kind in kinds())
    assert reference.main(["--check"]) == 0


def test_the_tutorials_path_from_init_to_a_page_of_ones_own_images(tmp_path, shared_cache):
    """docs/own-data.md: --init, images in class folders, the example tables uncommented, the figure blocks
    pointed at them: the build makes a page with the author's images, places them by the author's model
    (trained on them) and credits them."""
    from PIL import Image

    assert init(tmp_path, "site").returncode == 0
    project = Project(tmp_path / "site")
    rng = np.random.default_rng(0)
    for label, (name, size) in enumerate([("cats", (40, 30)), ("dogs", (64, 64))]):
        for i in range(12):
            pixels = rng.integers(0, 256, (*size, 3), dtype=np.uint8)
            pixels[..., label] = 255  # cats red, dogs green: colour images, so inferred as rgb
            path = project.root / "data" / "my-images" / name / f"{i}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(pixels).save(path)
    settings = project.root / "site.toml"
    lines = settings.read_text().splitlines()
    start = lines.index("# [datasets.my-images]")
    settings.write_text("\n".join(lines[:start] + [line.removeprefix("# ") for line in lines[start:]]) + "\n")
    # section 8: the tutorial's own script trains a model elsewhere, and its table reads the file
    guide = (ROOT / "docs" / "own-data.md").read_text()
    script = re.search(r"```python\n(# my-site/train_ae\.py.*?)```", guide, re.S).group(1)
    (project.root / "train_ae.py").write_text(script)
    subprocess.run([sys.executable, str(project.root / "train_ae.py")], check=True, capture_output=True)
    table = re.search(r"```toml\n(\[models\.my_keras\].*?)```", guide, re.S).group(1)
    settings.write_text(settings.read_text() + "\n" + table)
    article = project.root / "content" / "first-article.md"
    article.write_text(
        article.read_text().replace("dataset: mnist", "dataset: my-images").replace("[mnist]", "[my-images]")
        + "\n```figure\nkind: latent-layouts\ndataset: my-images\nlayouts: [my_ae, my_keras, pca]\n```\n"
    )
    (project.root / ".cache").symlink_to(shared_cache, target_is_directory=True)

    done = project.build("--strict", check=True)
    assert "Traceback" not in done.stderr
    page = (project.out / "first-article" / "index.html").read_text()
    assert 'data-figure="image-grid"' in page and "My images" in page
    config = json.loads(next((project.out / "figures").rglob("image-grid*/config.json")).read_text())
    assert config["labels"] == ["cats", "dogs"]
    layouts = json.loads(next((project.out / "figures").rglob("latent-layouts*/config.json")).read_text())
    assert [layout["id"] for layout in layouts["layouts"]] == ["my_ae", "my_keras", "pca"]
    assert [layout["title"] for layout in layouts["layouts"][:2]] == ["My autoencoder", "Trained in a notebook"]
    listed = (project.out / "credits" / "index.html").read_text()
    assert "My images" in listed and "CC BY 4.0" in listed and "Photographs by A. Author" in listed

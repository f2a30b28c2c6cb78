"""latent-layouts on an author's own images: a tiny build of RGB 24 x 32 class-folder pictures gives RGB
atlases, a config.json with ``color``, ``classes`` and ``cell_aspect``, a colour fallback and an alt text
naming the data set and its classes; unlabelled pictures get no labels file and a fallback of the pictures
themselves; the encoder and VAE layouts on them are an error naming the article's line. MNIST's payload keeps
its gray atlases and every key it had. The pages themselves are walked by the browser tests."""

from __future__ import annotations

import json
import re

import numpy as np
from PIL import Image

from generator.figures.latent_layouts import describe

SITE = """\
[site]
title = "Test site"

[datasets.blocks]
path = "data/blocks"
title = "Coloured blocks"
credit = "The tests"
licence = "CC0 1.0"

[datasets.loose]
path = "data/loose"
title = "Loose pictures"
"""
CLASSES = ["blue", "green", "red"]
PRIMARY = {"blue": (30, 40, 220), "green": (30, 200, 40), "red": (220, 30, 40)}


def article(figure: str) -> str:
    return f"---\ntitle: T\n---\n\nText.\n\n```figure\n{figure}\n```\n"


def pictures(root, per_class: int = 16) -> None:
    """Class folders of 24 x 32 RGB pictures: a block of the class's colour on noise; and a flat folder."""
    rng = np.random.default_rng(0)
    for name in CLASSES:
        folder = root / "data" / "blocks" / name
        folder.mkdir(parents=True)
        for i in range(per_class):
            pixels = rng.integers(0, 60, (24, 32, 3), dtype=np.uint8)
            top, left = rng.integers(0, 8), rng.integers(0, 12)
            pixels[top : top + 16, left : left + 20] = PRIMARY[name]
            Image.fromarray(pixels, "RGB").save(folder / f"{i}.png")
    flat = root / "data" / "loose"
    flat.mkdir(parents=True)
    for i in range(30):
        Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8), "RGB").save(flat / f"{i}.png")


def figure_dir(project, slug: str = "test-article"):
    """The payload folder of the page's only latent-layouts figure."""
    html = (project.out / slug / "index.html").read_text()
    match = re.search(r'data-figure="latent-layouts"[^>]*data-config="([^"]+)config\.json"', html)
    assert match, "no latent-layouts figure on the page"
    return project.out / match.group(1).lstrip("/"), html


def test_rgb_class_folders_give_colour_atlases_and_config(project):
    project.write("site.toml", SITE)
    pictures(project.root)
    project.write(
        "content/test-article.md", article("kind: latent-layouts\ndataset: blocks\nlayouts: [pca, umap, tsne]")
    )
    project.build(check=True)
    folder, html = figure_dir(project)
    config = json.loads((folder / "config.json").read_text())
    assert config["dataset"] == "blocks" and config["count"] == 3 * 16
    assert config["color"] == "rgb" and config["look"] == "image"
    assert config["classes"] == CLASSES
    assert config["cell_aspect"] == [24, 32]
    assert [layout["id"] for layout in config["layouts"]] == ["pca", "umap", "tsne"]
    assert config["initial"] == "pca" and len(config["palette"]) == 10
    labels = (folder / config["labels"]).resolve().read_bytes()
    assert sorted(set(labels)) == [0, 1, 2] and len(labels) == config["count"]
    for layout in config["layouts"]:
        assert (folder / layout["file"]).stat().st_size == 4 * config["count"]

    atlas = config["atlas"]
    cell = atlas["cell"]
    with Image.open((folder / atlas["base"] / atlas["files"][0]).resolve()) as sheet:
        assert sheet.mode == "RGB"
        pixels = np.asarray(sheet.convert("RGB")).astype(int)
    # image 0 is a picture of a class (train split first): a block of a primary colour, fitted to the square cell
    # keeping its 24:32 aspect, so the rows above and below the picture are black padding
    first = pixels[:cell, :cell]
    fitted_h = round(24 * cell / 32)
    pad = (cell - fitted_h) // 2
    assert not first[: pad - 1].any() and not first[pad + fitted_h + 1 :].any()
    spread = first.max(axis=2) - first.min(axis=2)
    assert (spread > 120).mean() > 0.2, "the sprite is not in colour"

    with Image.open(folder / "fallback.png") as fallback:
        rgb = np.asarray(fallback.convert("RGB")).astype(int)
    assert ((rgb.max(axis=2) - rgb.min(axis=2)) > 60).mean() > 0.001, "the fallback is not in colour"
    alt = re.search(r'class="figure-fallback"[^>]*alt="([^"]*)"', html).group(1)
    assert alt.startswith("A scatter plot of 48 images from Coloured blocks placed by PCA")
    assert "coloured by class (blue, green, red)" in alt


def test_unlabelled_pictures_have_no_labels_and_draw_their_images(project):
    project.write("site.toml", SITE)
    pictures(project.root, per_class=2)
    project.write("content/test-article.md", article("kind: latent-layouts\ndataset: loose\nlayouts: [pca]"))
    project.build(check=True)
    folder, html = figure_dir(project)
    config = json.loads((folder / "config.json").read_text())
    assert config["labels"] is None and config["classes"] == []
    assert config["color"] == "rgb" and config["count"] == 30
    assert "each drawn as its image (there are no labels)" in html
    with Image.open(folder / "fallback.png") as fallback:
        rgb = np.asarray(fallback.convert("RGB")).astype(int)
    # the points are drawn as their pictures (colour noise), not as dots of one colour
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 20
    assert ((rgb.max(axis=2) - rgb.min(axis=2)) > 60).mean() > 0.01, "the fallback does not show the pictures"


def test_encoder_on_author_data_names_the_line_and_what_is_allowed(project):
    project.write("site.toml", SITE)
    pictures(project.root, per_class=2)
    project.write("content/test-article.md", article("kind: latent-layouts\ndataset: blocks\nlayouts: [pca, vae]"))
    done = project.build()
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    message = next(line for line in done.stderr.splitlines() if line.startswith("error:"))
    assert re.search(r"content/test-article\.md:7\b", message), message
    assert "'vae' needs a model trained on mnist" in message and "[models.<name>]" in message, message
    assert message.endswith("allowed: umap, tsne, pca"), message


def test_an_unknown_dataset_lists_the_registry(project):
    project.write("site.toml", SITE)
    pictures(project.root, per_class=2)
    project.write("content/test-article.md", article("kind: latent-layouts\ndataset: nope\nlayouts: [pca]"))
    done = project.build()
    assert done.returncode == 1, done.stderr
    message = next(line for line in done.stderr.splitlines() if line.startswith("error:"))
    assert re.search(r"content/test-article\.md:7\b", message), message
    assert "'mnist', 'fashion-mnist', 'faces', 'blocks', 'loose'" in message, message


def test_mnist_keeps_gray_atlases_and_every_key(project):
    project.write("content/test-article.md", article("kind: latent-layouts\nlayouts: [pca]"))
    project.build(check=True)
    folder, html = figure_dir(project)
    config = json.loads((folder / "config.json").read_text())
    kept = {"dataset", "count", "initial", "layouts", "classes", "palette", "labels", "atlas", "alt"}
    assert set(config) == kept | {"color", "look", "cell_aspect"}
    assert config["color"] == "gray" and config["look"] == "ink" and config["cell_aspect"] == [28, 28]
    assert config["classes"] == [str(d) for d in range(10)] and config["labels"].endswith("labels.u8")
    with Image.open((folder / config["atlas"]["base"] / config["atlas"]["files"][0]).resolve()) as sheet:
        pixels = np.asarray(sheet.convert("RGB"))  # WebP keeps no single-channel mode: gray reads back as R = G = B
    assert pixels.any() and (pixels == pixels[..., :1]).all()
    assert f"A scatter plot of {config['count']:,} MNIST digits placed by PCA, coloured by digit class 0 to 9" in html


def test_alt_text_wording():
    assert describe(70_000, "MNIST", "UMAP", [str(d) for d in range(10)], digits=True) == (
        "A scatter plot of 70,000 MNIST digits placed by UMAP, coloured by digit class 0 to 9; "
        "digits that look alike sit close together."
    )
    assert describe(3, "Shapes", "t-SNE", ["a", "b"]) == (
        "A scatter plot of 3 images from Shapes placed by t-SNE, coloured by class (a, b); "
        "images that look alike sit close together."
    )


def test_gray_photos_are_drawn_as_they_are_not_as_ink(project):
    """Only MNIST-like data (white strokes on black) is drawn as ink in the class colour; gray photos keep their look."""
    project.write("site.toml", SITE + '\n[datasets.grey]\npath = "data/grey.npz"\nlicence = "CC0 1.0"\n')
    pictures(project.root)  # every declared dataset must exist
    rng = np.random.default_rng(1)
    np.savez(
        project.root / "data" / "grey.npz", x=rng.integers(0, 256, (40, 20, 16), dtype=np.uint8), y=np.arange(40) % 2
    )
    project.write("content/test-article.md", article("kind: latent-layouts\ndataset: grey\nlayouts: [pca]"))
    project.build(check=True)
    config = json.loads((figure_dir(project)[0] / "config.json").read_text())
    assert config["color"] == "gray" and config["look"] == "image" and config["cell_aspect"] == [20, 16]

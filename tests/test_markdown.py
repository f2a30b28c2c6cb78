"""Articles: front matter, figure blocks (errors with line numbers), includes, links."""

import re
from pathlib import Path

import pytest

from generator.errors import ContentError
from generator.markdown import read_article, read_articles, render_body, rewrite_link

GOOD_FIGURE = "```figure\nkind: image-grid\ndataset: mnist\n```\n"


def article(tmp_path: Path, body: str, front: str = "title: T\n", name: str = "a.md") -> Path:
    path = tmp_path / name
    path.write_text(f"---\n{front}---\n{body}")
    return path


def test_front_matter_missing_title(tmp_path):
    with pytest.raises(ContentError, match=r"a.md:1: front matter needs a 'title: …'"):
        read_article(article(tmp_path, "text", front="description: x\n"))


def test_invalid_yaml_in_front_matter_names_the_line(tmp_path):
    with pytest.raises(ContentError, match=r"a.md:3: invalid YAML in front matter"):
        read_article(article(tmp_path, "x", front="title: T\ndate: [2020\n"))


def test_bad_date_in_front_matter(tmp_path):
    with pytest.raises(ContentError, match=r"a.md:3: 'date' is 'soon'; allowed: a date YYYY-MM-DD"):
        read_article(article(tmp_path, "x", front="title: T\ndate: soon\n"))


def test_unknown_figure_kind_lists_valid_kinds(tmp_path):
    path = article(tmp_path, "\npara\n\n```figure\nkind: pie-chart\n```\n")
    with pytest.raises(ContentError, match=r"a.md:7: unknown figure kind 'pie-chart'; valid kinds: .*image-grid"):
        read_article(path)


def test_figure_option_of_wrong_type_names_its_line(tmp_path):
    path = article(tmp_path, "```figure\nkind: image-grid\ndataset: mnist\nper_class: many\n```\n")
    with pytest.raises(
        ContentError, match=r"a.md:7: figure option 'per_class' is 'many'; allowed: an integer from 1 to 10"
    ):
        read_article(path)


def test_figure_option_out_of_range(tmp_path):
    path = article(tmp_path, "```figure\nkind: image-grid\ncount: 1000\n```\n")
    with pytest.raises(ContentError, match=r"a.md:6: figure option 'count' is 1000; allowed: an integer from 1 to 100"):
        read_article(path)


def test_unknown_figure_option_lists_valid_options(tmp_path):
    path = article(tmp_path, "```figure\nkind: image-grid\ndatset: mnist\n```\n")
    with pytest.raises(
        ContentError, match=r"a.md:6: figure kind 'image-grid' has no option 'datset'; valid options: .*dataset"
    ):
        read_article(path)


def test_invalid_yaml_in_figure_block(tmp_path):
    path = article(tmp_path, "```figure\nkind: image-grid\ncaption: [unclosed\n```\n")
    with pytest.raises(ContentError, match=r"a.md:\d+: invalid YAML in figure block"):
        read_article(path)


def test_missing_image_names_file_and_line(tmp_path):
    path = article(tmp_path, "text\n\n![a cat](images/cat.png)\n")
    with pytest.raises(ContentError, match=r"a.md:6: image 'images/cat.png' not found"):
        read_article(path)


def test_duplicate_slugs(tmp_path):
    article(tmp_path, "x", name="one.md", front="title: One\nslug: same\n")
    article(tmp_path, "x", name="two.md", front="title: Two\nslug: same\n")
    with pytest.raises(ContentError, match="two articles have the slug"):
        read_articles(tmp_path)


def test_file_names_must_make_good_urls(tmp_path):
    with pytest.raises(ContentError, match="becomes the URL"):
        read_article(article(tmp_path, "x", name="My Article.md"))


def test_missing_content_directory(tmp_path):
    with pytest.raises(ContentError, match="no content directory"):
        read_articles(tmp_path / "content")


def test_include_shows_the_named_function(tmp_path):
    path = article(tmp_path, "```include\nsource: generator/markdown.py\nname: rewrite_link\n```\n")
    parsed = read_article(path)
    assert parsed.includes[0].code.startswith("def rewrite_link(")
    body, _ = render_body(parsed, [], [], "/", set())
    assert "generator/markdown.py" in body and 'class="highlight"' in body


def test_include_of_an_unknown_name_is_an_error(tmp_path):
    path = article(tmp_path, "```include\nsource: generator/markdown.py\nname: no_such_function\n```\n")
    with pytest.raises(ContentError, match="defines no function or class 'no_such_function'"):
        read_article(path)


def test_headings_get_anchors_and_a_toc(tmp_path):
    parsed = read_article(
        article(tmp_path, "## One\n\ntext[^1]\n\n### Two\n\n[^1]: a note\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    )
    body, toc = render_body(parsed, [], [], "/", set())
    assert [t["id"] for t in toc] == ["one", "two"]
    assert 'id="one"' in body and "<table>" in body and "footnote" in body


def test_code_is_highlighted_at_build(tmp_path):
    parsed = read_article(article(tmp_path, "```python\nx = 1\n```\n"))
    body, _ = render_body(parsed, [], [], "/", set())
    assert '<div class="highlight">' in body


def test_math_is_collected_with_lines(tmp_path):
    parsed = read_article(article(tmp_path, "inline $a+b$\n\n$$\nc\n$$\n"))
    assert [(tex, display) for tex, display, _ in parsed.math] == [("a+b", False), ("c", True)]
    assert parsed.math[0][2] == 4


def test_links_follow_the_base_url():
    assert rewrite_link("/credits/", "/repo/", set()) == "/repo/credits/"
    assert rewrite_link("other.md#x", "/repo/", {"other"}) == "/repo/other/#x"
    assert rewrite_link("https://example.org/", "/repo/", set()) == "https://example.org/"
    assert rewrite_link("#local", "/repo/", set()) == "#local"


# --- every problem is one ContentError naming the file and line --------------------------------


@pytest.mark.parametrize(
    "front, message",
    [
        ("title: T\ndate: 2026-13-45\n", r"a.md:3: 'date' is '2026-13-45'; allowed: a date YYYY-MM-DD"),
        ("title: T\ndate: 2026-01-02 25:00:00\n", r"a.md:3: 'date' is '2026-01-02 25:00:00'; allowed: a date"),
        ("title: T\ndate: !!timestamp x\n", r"a.md:3: 'date' is 'x'; allowed: a date"),
        ("title: T\ntitle: U\n", r"a.md:3: invalid YAML in front matter: the key 'title' is given twice"),
        (
            "title: T\nauthors: " + "[" * 2000 + "]" * 2000 + "\n",
            r"a.md:2: invalid YAML in front matter: .*nest too deeply",
        ),
        ("title: T\ndraft: " + "1" * 5000 + "\n", r"a.md:3: 'draft' is '1111.*…; allowed: true or false"),
        ("title: T\n1: x\n", None),  # a non-string key is an unknown key (a warning), not a crash
        ("title: T\nslug: 404\n", r"a.md:3: 'slug' is 404; allowed: a string"),
    ],
)
def test_odd_front_matter_is_one_clear_error(tmp_path, front, message):
    path = article(tmp_path, "x\n", front=front)
    if message is None:
        assert "a.md:3: unknown front-matter key 1 ignored" in read_article(path).warnings[0]
    else:
        with pytest.raises(ContentError, match=message):
            read_article(path)


def test_a_date_with_a_time_becomes_a_date(tmp_path):
    import datetime as dt

    assert read_article(article(tmp_path, "x", front="title: T\ndate: 2026-01-02 10:00:00\n")).meta["date"] == dt.date(
        2026, 1, 2
    )


@pytest.mark.parametrize("kind", ["[image-grid]", "{a: 1}", "3", "null", "2026-13-45"])
def test_a_figure_kind_that_is_not_a_known_name_lists_the_kinds(tmp_path, kind):
    path = article(tmp_path, f"```figure\nkind: {kind}\n```\n")
    with pytest.raises(
        ContentError,
        match=r"a.md:4: (unknown figure kind .*|a figure block needs 'kind: …'); "
        r"valid kinds: .*image-grid",
    ):
        read_article(path)


def test_a_figure_block_without_kind_says_so(tmp_path):
    with pytest.raises(ContentError, match=r"a.md:4: a figure block needs 'kind: …'; valid kinds"):
        read_article(article(tmp_path, "```figure\ndataset: mnist\n```\n"))


@pytest.mark.parametrize(
    "value",
    ["[1, 2]", "{a: 1}", "null", ".nan", ".inf", "2026-01-02", "1" * 5000, "true", "'7'", "3.5", "[[[]]]", "&a [*a]"],
)
def test_a_figure_option_of_any_wrong_yaml_type_is_one_error(tmp_path, value):
    path = article(tmp_path, f"```figure\nkind: image-grid\ndataset: mnist\nper_class: {value}\n```\n")
    with pytest.raises(
        ContentError, match=r"a.md:7: figure option 'per_class' is .*; allowed: an integer from 1 to 10"
    ):
        read_article(path)


def test_a_key_given_twice_in_a_figure_block(tmp_path):
    path = article(tmp_path, "```figure\nkind: image-grid\ndataset: mnist\ndataset: fashion-mnist\n```\n")
    with pytest.raises(ContentError, match=r"a.md:7: invalid YAML in figure block: the key 'dataset' is given twice"):
        read_article(path)


FIG = "```figure\nkind: image-grid\ndataset: mnist\n{extra}```\n\n"


@pytest.mark.parametrize(
    "body, message",
    [
        (
            FIG.format(extra="id: one\n") + FIG.format(extra="id: one\n"),
            r"a.md:10: the id 'one' of a figure is already used on line 4",
        ),
        (
            FIG.format(extra="") + FIG.format(extra="id: fig-1\n"),
            r"a.md:9: the id 'fig-1' of a figure is already used on line 4",
        ),
        (
            "## Results\n\n" + FIG.format(extra="id: results\n"),
            r"a.md:6: the id 'results' of a figure is already used on line 4",
        ),
        (FIG.format(extra="id: 1st\n"), r"a.md:7: figure option 'id' is '1st'; allowed: a letter followed by"),
        (FIG.format(extra="id: 'a b'\n"), r"a.md:7: figure option 'id' is 'a b'; allowed: a letter"),
    ],
)
def test_figure_ids_must_be_valid_and_unique(tmp_path, body, message):
    with pytest.raises(ContentError, match=message):
        read_article(article(tmp_path, body))


def test_distinct_figure_ids_are_fine(tmp_path):
    parsed = read_article(article(tmp_path, FIG.format(extra="id: one\n") + FIG.format(extra="")))
    assert [f.anchor for f in parsed.figures] == ["one", "fig-2"]


def include(tmp_path: Path, source: str, name: str = "f") -> Path:
    return article(tmp_path, f"```include\nsource: {source}\nname: {name}\n```\n")


@pytest.mark.parametrize(
    "source",
    [
        "README.md",
        "site.toml",
        "no/such.py",
        "../outside.py",
        "/etc/passwd",
        "generator",
        ".venv/bin/activate",
        "x" * 5000 + ".py",
        "'a\\0b.py'",
    ],
)
def test_only_python_files_of_the_project_can_be_included(tmp_path, source):
    with pytest.raises(ContentError, match=r"a.md:4: include source .* is not a readable .py file of this project"):
        read_article(include(tmp_path, source))


def test_an_included_file_that_is_not_valid_python_is_an_error(tmp_path, monkeypatch):
    import generator.markdown as markdown

    (tmp_path / "bad.py").write_text("def f(:\n")
    (tmp_path / "content").mkdir()
    monkeypatch.setattr(markdown, "ROOT", tmp_path)
    with pytest.raises(ContentError, match=r"a.md:4: include source bad.py is not valid Python"):
        read_article(include(tmp_path / "content", "bad.py"))


@pytest.mark.parametrize("name", ["'a b'", "'f()'", "'.f'", "'f.'", "1", "[f]", "'import os'"])
def test_an_include_name_must_be_a_dotted_name(tmp_path, name):
    with pytest.raises(ContentError, match=r"a.md:(4|6): (include name|'name' is)"):
        read_article(include(tmp_path, "generator/markdown.py", name))


def test_an_include_block_with_an_unknown_key(tmp_path):
    path = article(tmp_path, "```include\nsource: generator/markdown.py\nnmae: rewrite_link\n```\n")
    with pytest.raises(ContentError, match=r"a.md:6: unknown key 'nmae'; an include block holds 'source: "):
        read_article(path)


@pytest.mark.parametrize(
    "slug",
    [
        "credits",
        "404",
        "index",
        "assets",
        "vendor",
        "figures",
        "artifacts",
        "feed",
        "sitemap",
        "favicon",
        "build-report",
    ],
)
def test_a_slug_taken_by_a_generated_page_is_an_error(tmp_path, slug):
    with pytest.raises(
        ContentError, match=rf"a.md:3: the slug '{slug}' is taken by a page or folder the site generates"
    ):
        read_article(article(tmp_path, "x", front=f"title: T\nslug: '{slug}'\n"))
    with pytest.raises(ContentError, match=rf"{slug}.md: the slug '{slug}' is taken"):
        read_article(article(tmp_path, "x", name=f"{slug}.md"))


def test_unknown_front_matter_keys_are_warned_once_and_are_errors_under_strict(tmp_path, caplog):
    article(tmp_path, "x", front="title: T\nauthor: Me\n")
    read_articles(tmp_path)
    assert caplog.text.count("a.md:3: unknown front-matter key 'author' ignored") == 1
    with pytest.raises(
        ContentError, match=r"a.md:3: unknown front-matter key 'author' \(known: .*\) \(an error under --strict\)"
    ):
        read_articles(tmp_path, strict=True)


def test_unknown_front_matter_key_is_reported_once_by_a_build(project):
    project.write("content/test-article.md", "---\ntitle: T\nauthor: Me\n---\ntext\n")
    done = project.build()
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("unknown front-matter key 'author'") == 1, done.stderr
    done = project.build("--strict")
    assert done.returncode == 1 and "test-article.md:3: unknown front-matter key 'author'" in done.stderr


@pytest.mark.parametrize(
    "body, line, message",
    [
        ("para\n\nsee ref[^9] here\n", 6, "footnote [^9] is not defined"),
        ("para\nline two with $x and no end\n", 5, "a '$' opens inline math that is never closed"),
    ],
)
def test_undefined_footnotes_and_unclosed_dollars_warn_with_the_line(tmp_path, body, line, message):
    path = article(tmp_path, body)
    warnings = read_article(path).warnings
    assert len(warnings) == 1 and f"a.md:{line}: {message}" in warnings[0]
    with pytest.raises(ContentError, match=rf"a.md:{line}: {re.escape(message)}.*an error under --strict"):
        read_article(path, strict=True)


def test_escaped_dollars_defined_footnotes_and_code_do_not_warn(tmp_path):
    parsed = read_article(article(tmp_path, "costs \\$5, $x$ and `$y` and \\[^1] and ok[^2]\n\n[^2]: a note\n"))
    assert parsed.warnings == []


@pytest.mark.parametrize("src", ["../secret.png", "x" * 5000 + ".png"])
def test_images_must_be_readable_files_in_the_content_folder(tmp_path, src):
    (tmp_path / "secret.png").write_bytes(b"png")
    (tmp_path / "content").mkdir()
    path = article(tmp_path / "content", f"![a]({src})\n")
    with pytest.raises(ContentError, match=r"a.md:4: image '.*(is outside the content folder|not found)"):
        read_article(path)


def test_raw_html_in_a_caption_is_escaped_and_markdown_kept():
    from generator.render import inline_markdown

    html = inline_markdown("<script>alert(1)</script> *x* <img src=x onerror=alert(1)>")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <em>x</em>" in html


def test_a_caption_cannot_inject_a_script_into_the_page(project):
    project.write(
        "content/test-article.md",
        "---\ntitle: '<b>T</b>'\ndescription: '<i>d</i>'\n---\n\n"
        "```figure\nkind: image-grid\ndataset: mnist\n"
        "caption: '<script>alert(1)</script> *x*'\nalt: '\"><script>alert(2)</script>'\n```\n",
    )
    project.build(check=True)
    page = (project.out / "test-article" / "index.html").read_text()
    assert "<script>alert" not in page and "<b>T</b>" not in page and "<i>d</i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <em>x</em>" in page


def test_a_broken_link_names_the_article_line_and_suggests_a_target(project):
    project.write("content/other-article.md", "---\ntitle: O\n---\n\n## Intro\n")
    project.write(
        "content/test-article.md",
        "---\ntitle: T\n---\n\n## First section\n\n"
        "See [o](other-articel.md) and [f](#first-sektion)\nand [i](other-article.md#intr).\n",
    )
    done = project.build()
    assert done.returncode == 1
    assert (
        "test-article.md:7: 'other-articel.md' points at nothing (no test-article/other-articel.md); "
        "did you mean 'other-article.md'?" in done.stderr
    )
    assert (
        "test-article.md:7: '#first-sektion': no element with id 'first-sektion' on that page; "
        "did you mean '#first-section'?" in done.stderr
    )
    assert (
        "test-article.md:8: '/other-article/#intr': no element with id 'intr' on that page; "
        "did you mean '#intro'?" in done.stderr
    )
    assert "Traceback" not in done.stderr

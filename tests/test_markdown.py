"""Articles: front matter, figure blocks (errors with line numbers), includes, links."""

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
    with pytest.raises(ContentError, match=r"a.md:7: figure option 'per_class' is 'many'; allowed: an integer from 1 to 10"):
        read_article(path)


def test_figure_option_out_of_range(tmp_path):
    path = article(tmp_path, "```figure\nkind: image-grid\ncount: 1000\n```\n")
    with pytest.raises(ContentError, match=r"a.md:6: figure option 'count' is 1000; allowed: an integer from 1 to 100"):
        read_article(path)


def test_unknown_figure_option_lists_valid_options(tmp_path):
    path = article(tmp_path, "```figure\nkind: image-grid\ndatset: mnist\n```\n")
    with pytest.raises(ContentError, match=r"a.md:6: figure kind 'image-grid' has no option 'datset'; valid options: .*dataset"):
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
    parsed = read_article(article(tmp_path, "## One\n\ntext[^1]\n\n### Two\n\n[^1]: a note\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"))
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

"""site.toml validation: types, ranges, unknown keys, flags."""

import json
from pathlib import Path

import pytest

from generator.config import load_config
from generator.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "site.toml").write_text(text)
    return tmp_path


def test_defaults_without_a_file(tmp_path):
    cfg = load_config(tmp_path)
    assert cfg.scale == "default"
    assert cfg.base_url == "/"
    assert cfg.section("models.mnist_ae")["latent_dim"] == 2
    assert cfg.preset["mnist_count"] == 10_000


def test_wrong_type_names_key_value_line_and_allowed(tmp_path):
    write(tmp_path, '[site]\ntitle = "x"\n\n[models.mnist_ae]\nepochs = "many"\n')
    with pytest.raises(
        ConfigError, match=r"site.toml:5: \[models.mnist_ae\] epochs is 'many'; allowed: an integer from 1 to 10000"
    ):
        load_config(tmp_path)


def test_out_of_range_is_an_error(tmp_path):
    write(tmp_path, "[atlas]\nside = 3000\n")
    with pytest.raises(ConfigError, match=r"side is 3000; allowed: one of 256, 512, 1024, 2048, 4096"):
        load_config(tmp_path)


def test_every_error_is_reported_at_once(tmp_path):
    write(tmp_path, '[build]\nscale = "huge"\nseed = -1\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "scale is 'huge'" in str(info.value) and "seed is -1" in str(info.value)


def test_unknown_key_is_a_warning_naming_it(tmp_path, caplog):
    write(tmp_path, "[site]\ntitel = 'typo'\n")
    cfg = load_config(tmp_path)
    assert "unknown key [site] titel" in caplog.text
    assert cfg.warnings and "site.toml:2" in cfg.warnings[0]


def test_base_url_must_be_a_slash_delimited_path(tmp_path):
    with pytest.raises(ConfigError, match="option --base-url: is 'repo'"):
        load_config(tmp_path, overrides={"site.base_url": "repo"})


def test_flags_overlay_the_file_and_none_flags_do_not(tmp_path):
    write(tmp_path, '[build]\nscale = "full"\n[site]\nbase_url = "/a/"\n')
    cfg = load_config(tmp_path, overrides={"build.scale": "tiny", "site.base_url": None})
    assert cfg.scale == "tiny" and cfg.base_url == "/a/"


def test_invalid_toml_names_the_file(tmp_path):
    write(tmp_path, "[site\n")
    with pytest.raises(ConfigError, match=r"site.toml:1: is not valid TOML: Expected ']'"):
        load_config(tmp_path)


def test_the_shipped_site_toml_is_valid_and_warning_free():
    cfg = load_config(Path(__file__).resolve().parent.parent)
    assert cfg.warnings == ()


# --- every problem is one ConfigError naming the file (and line) or the option -----------------


def test_a_missing_config_file_given_explicitly_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"option --config .*nope.toml: no such settings file"):
        load_config(tmp_path, path=tmp_path / "nope.toml")


def test_a_settings_file_that_is_a_folder_is_an_error(tmp_path):
    (tmp_path / "site.toml").mkdir()
    with pytest.raises(ConfigError, match=r"site.toml: is a folder; allowed: a settings file"):
        load_config(tmp_path)


def test_a_settings_file_that_is_not_utf8_names_the_line(tmp_path):
    (tmp_path / "site.toml").write_bytes(b'[site]\ntitle = "caf\xe9"\n')
    with pytest.raises(ConfigError, match=r"site.toml:2: is not UTF-8 text"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[site]\na = " + "[" * 3000 + "]" * 3000, r"site.toml:2: is not valid TOML: arrays or tables nest too deeply"),
        ("[build]\nseed = " + "1" * 5000, r"site.toml:2: is not valid TOML: a number has more than 4300 digits"),
        ("site = 3\n", r"site.toml:1: \[site\] is 3; allowed: a table"),
        ("[[site]]\ntitle = 'x'\n", r"site.toml:1: \[site\] is \[\{'title': 'x'\}\]; allowed: a table"),
        (
            "[layouts]\numap_min_dist = nan\n",
            r"site.toml:2: \[layouts\] umap_min_dist is nan; allowed: a number from 0 to 1",
        ),
        ('[site]\n"title" = 3\n', r"site.toml:2: \[site\] title is 3; allowed: a string"),
    ],
)
def test_odd_toml_is_one_clear_error(tmp_path, text, message):
    write(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path)


@pytest.mark.parametrize(
    "base",
    [
        '/a"b/',
        "/a b/",
        "/<x>/",
        "/a\\b/",
        "/a?b/",
        "/a#b/",
        "/caf\u00e9/",
        "/a\n/",
        "//",
        "/a//b/",
        "/../",
        "/./",
        "a/",
        "/a",
    ],
)
def test_base_url_allows_only_a_safe_path(tmp_path, base):
    write(tmp_path, f"[site]\nbase_url = {json.dumps(base)}\n")
    with pytest.raises(
        ConfigError, match=r"site.toml:2: \[site\] base_url is .*; allowed: a path that starts and ends"
    ):
        load_config(tmp_path)
    with pytest.raises(ConfigError, match=r"option --base-url: is .*allowed: a path"):
        load_config(tmp_path / "elsewhere", overrides={"site.base_url": base})


@pytest.mark.parametrize("base", ["/", "/repo/", "/a/b.c/~x_y-z/"])
def test_base_url_accepts_plain_paths(tmp_path, base):
    assert load_config(tmp_path, overrides={"site.base_url": base}).base_url == base


@pytest.mark.parametrize(
    "url, ok",
    [
        ("", True),
        ("https://user.github.io", True),
        ("http://localhost:8000/", True),
        ("javascript:alert(1)", False),
        ("https://x.io/path", False),
        ("user.github.io", False),
        ('https://x.io"', False),
    ],
)
def test_site_url_is_an_http_origin_or_empty(tmp_path, url, ok):
    write(tmp_path, f"[site]\nurl = {json.dumps(url)}\n")
    if ok:
        assert load_config(tmp_path)["site.url"] == url
    else:
        with pytest.raises(ConfigError, match=r"site.toml:2: \[site\] url is .*allowed: '' or an absolute http"):
            load_config(tmp_path)


def test_data_paths_in_the_file_are_relative_to_its_folder_and_flags_to_the_cwd(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "other.toml").write_text('[data]\nmnist = "data/mnist.npz"\nceleba = "/abs/faces"\n')
    monkeypatch.chdir(tmp_path)
    cfg = load_config(project, path=project / "other.toml", overrides={"data.fashion_mnist": "fm", "data.celeba": None})
    assert cfg["data.mnist"] == str(project / "data" / "mnist.npz")
    assert cfg["data.celeba"] == "/abs/faces"
    assert cfg["data.fashion_mnist"] == str(tmp_path / "fm")
    assert load_config(project)["data.mnist"] == ""  # '' keeps meaning "the offline default"


def test_a_missing_config_flag_fails_the_build(project):
    done = project.build("--config", str(project.root / "sitee.toml"))
    assert done.returncode == 1
    assert "sitee.toml: no such settings file" in done.stderr and "Traceback" not in done.stderr

"""site.toml validation: types, ranges, unknown keys, flags."""

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
    with pytest.raises(ConfigError, match=r"site.toml:5: \[models.mnist_ae\] epochs is 'many'; allowed: an integer from 1 to 10000"):
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
    with pytest.raises(ConfigError, match="site.toml: is not valid TOML"):
        load_config(tmp_path)


def test_the_shipped_site_toml_is_valid_and_warning_free():
    cfg = load_config(Path(__file__).resolve().parent.parent)
    assert cfg.warnings == ()

"""Property-based fuzzing of the parsers: site.toml, front matter, figure blocks and includes.

In the spirit of scikit-learn's ``generate_invalid_param_val``, bad values are driven by the schema:
for every declared key or option, values of the wrong type, out of range, not among the choices, of
the wrong length, plus random YAML/TOML junk. The only allowed outcomes are success, or a
:class:`BuildError` whose every line names the file and line (``site.toml:3``, ``x.md:7``) or the
option. Examples are derandomized, so the tests never flake.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.config import SCHEMA, load_config
from generator.errors import BuildError
from generator.figures import COMMON_OPTIONS, kinds
from generator.markdown import FRONT_MATTER, read_article
from generator.schema import Field

FUZZ = settings(
    max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# --- values -----------------------------------------------------------------------------------

TEXT = st.text(max_size=12)
SCALARS = st.one_of(
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63),
    st.just(10**400),
    st.floats(),
    TEXT,
    st.dates(),
    st.datetimes(),
)
TOML_VALUES = st.recursive(
    SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(TEXT, kids, max_size=2)), max_leaves=5
)
YAML_VALUES = st.recursive(
    st.one_of(st.none(), SCALARS),
    lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(TEXT, kids, max_size=2)),
    max_leaves=5,
)


# Written as they are, unquoted: text the YAML/TOML parsers themselves may choke on.
RAW_YAML = st.one_of(
    st.sampled_from(
        [
            "2026-13-45",
            "2026-02-30",
            "2026-01-02 25:00:00",
            "2026-01-02T10:00:00+99:00",
            "1" * 5000,
            "0x" + "f" * 5000,
            "1e999",
            ".nan",
            "-.inf",
            "!!binary '@@'",
            "!!timestamp x",
            "!!int x",
            "!!float x",
            "!!python/name:os.system",
            "&a [*a]",
            "*nope",
            "[" * 300 + "]" * 300,
            "[unclosed",
            "{a: 1, a: 2}",
            "'quote",
            "|",
            ">-",
            "? [a]",
            "!!set {a, b}",
            "!!omap [a]",
            "<<: 1",
            "{<<: [1]}",
            "@x",
            "`x",
            "%x",
            "190:20:30",
            "~",
            "null",
            "0o7",
            "1_000",
            "\t",
            "|\n  ```\n",
            "\n- a\n- b",
        ]
    ),
    st.text(max_size=15),
)
RAW_TOML = st.one_of(
    st.sampled_from(
        [
            "1979-13-27",
            "1979-05-27T25:00:00",
            "nan",
            "+inf",
            "1" * 5000,
            "0x" + "f" * 5000,
            "[" * 3000 + "]" * 3000,
            "'''x'''",
            '"""x"""',
            "[[1]",
            "{a = 1, a = 2}",
            "{a = 1,}",
            "1__0",
            "0b2",
            "'\\x00'",
            '"\\ud800"',
            "true false",
        ]
    ),
    st.text(max_size=15),
)


def invalid(spec: Field, junk: st.SearchStrategy) -> st.SearchStrategy:
    """Values that ``spec`` should refuse (a few may be valid: that is fine, success is allowed)."""
    bad = [junk]
    if spec.kind in ("int", "float") and spec.min is not None:
        bad += [
            st.sampled_from([spec.min - 1, spec.max + 1, spec.min - 0.5, spec.max * 2 + 1, -spec.max - 1]),
            st.integers(max_value=math.ceil(spec.min) - 1),
            st.integers(min_value=math.floor(spec.max) + 1),
            st.sampled_from([math.nan, math.inf, -math.inf]),
        ]
    if spec.kind == "int":
        bad.append(st.floats(min_value=spec.min or 0, max_value=spec.max or 1).map(lambda v: v + 0.5))
    if spec.choices:
        bad += [TEXT, st.sampled_from([str(c).upper() + "x" for c in spec.choices])]
    if spec.kind == "ints":
        member = st.integers(int(spec.min), int(spec.max))
        bad += [
            st.lists(member, max_size=6),
            st.lists(st.integers(), min_size=1, max_size=3),
            st.lists(st.floats(), min_size=1, max_size=3),
        ]
    if spec.kind == "strs":
        choices = st.sampled_from(spec.choices) if spec.choices else TEXT
        bad += [st.just([]), choices.map(lambda c: [c, c]), st.lists(TEXT, min_size=1, max_size=3)]
    if spec.kind in ("str", "url-path", "url", "id"):
        bad += [TEXT, st.sampled_from(['/a"b/', "/a b/", "/../", "//", "javascript:x", "1st", "</script>", "\x00"])]
    if spec.kind == "bool":
        bad.append(st.sampled_from(["yes", "no", 0, 1, "true"]))
    if spec.default is not None:
        bad.append(st.just(spec.default))
    return st.one_of(bad)


def names_where(message: str, file: str, options) -> bool:
    """Every line of the message names ``file:<line>`` or one of ``options``."""
    return all(
        re.search(rf"{re.escape(file)}:\d+", line) or any(o in line for o in options) for line in message.splitlines()
    )


# --- site.toml --------------------------------------------------------------------------------


def toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + "}"


KEYS = [(section, name, spec) for section, fields in SCHEMA.items() for name, spec in fields.items()]


@st.composite
def site_toml(draw) -> str:
    entries = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=6, unique_by=lambda k: k[:2]))
    sections: dict[str, list[str]] = {}
    for section, name, spec in entries:
        value = draw(RAW_TOML) if draw(st.integers(0, 3)) == 0 else toml(draw(invalid(spec, TOML_VALUES)))
        sections.setdefault(section, []).append(f"{name} = {value}")
    if draw(st.booleans()):  # an unknown key or section
        sections.setdefault(draw(st.sampled_from([*SCHEMA, "nope"])), []).append(f"tpyo = {toml(draw(TOML_VALUES))}")
    lines = [line for section, body in sections.items() for line in (f"[{section}]", *body)]
    if draw(st.integers(0, 4)) == 0:  # a line of junk
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=20)))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(text=site_toml())
def test_site_toml(workdir, text):
    (workdir / "site.toml").write_text(text, encoding="utf-8")
    try:
        cfg = load_config(workdir)
    except BuildError as exc:
        event("refused")
        options = [f"[{section}] {name}" for section, name, _ in KEYS] + [f"[{section}]" for section in SCHEMA]
        assert names_where(str(exc), "site.toml", options), str(exc)
        return
    event("accepted")
    for section, name, spec in KEYS:  # whatever was accepted is valid
        if not (section == "data" and name in ("mnist", "fashion_mnist", "celeba")):
            assert spec.check(cfg[f"{section}.{name}"]) is None


# --- articles ---------------------------------------------------------------------------------

FRONT_FIELDS = {
    "title": Field("str", "A title", ""),
    "description": Field("str", "", ""),
    "date": Field("str", "2026-01-02", ""),
    "authors": Field("strs", ["A"], ""),
    "thumbnail": Field("str", None, ""),
    "draft": Field("bool", False, ""),
    "slug": Field("str", "x", ""),
}
assert set(FRONT_FIELDS) == set(FRONT_MATTER)


def block(pairs: dict, extra: str, raw: dict | None = None) -> str:
    """YAML for ``pairs``, then ``raw`` ({key: text written unquoted}), then a junk line ``extra``."""
    text = yaml.safe_dump(pairs, sort_keys=False, allow_unicode=True) if pairs else ""
    return text + "".join(f"{key}: {value}\n" for key, value in (raw or {}).items()) + extra


def raw_values(draw, names) -> dict:
    """A few of ``names`` with unquoted raw YAML values (they may repeat keys already given: that is an error)."""
    chosen = draw(st.lists(st.sampled_from(sorted(names)), max_size=2, unique=True)) if names else []
    return {name: draw(RAW_YAML) for name in chosen}


@st.composite
def front_matter(draw) -> str:
    keys = draw(st.lists(st.sampled_from(sorted(FRONT_FIELDS)), max_size=5, unique=True))
    pairs = {key: draw(invalid(FRONT_FIELDS[key], YAML_VALUES)) for key in keys}
    if "title" not in pairs and draw(st.booleans()):
        pairs["title"] = "A title"
    if draw(st.integers(0, 4)) == 0:
        pairs[draw(TEXT)] = draw(YAML_VALUES)  # an unknown (or odd) key
    junk = draw(st.text(max_size=20)) + "\n" if draw(st.integers(0, 5)) == 0 else ""
    return block(pairs, junk, raw_values(draw, FRONT_FIELDS))


@st.composite
def figure_block(draw) -> tuple[str, list[str]]:
    available = kinds()
    kind = draw(st.one_of(st.sampled_from(sorted(available)), YAML_VALUES))
    schema = {**COMMON_OPTIONS, **(available[kind].OPTIONS if isinstance(kind, str) and kind in available else {})}
    schema.pop("kind")
    names = draw(st.lists(st.sampled_from(sorted(schema)), max_size=4, unique=True))
    pairs = {"kind": kind, **{name: draw(invalid(schema[name], YAML_VALUES)) for name in names}}
    if draw(st.integers(0, 4)) == 0:
        pairs[draw(TEXT)] = draw(YAML_VALUES)
    junk = draw(st.text(max_size=20)) + "\n" if draw(st.integers(0, 5)) == 0 else ""
    return block(pairs, junk, raw_values(draw, schema)), list(schema) + ["kind"]


SOURCES = [
    "generator/markdown.py",
    "build.py",
    "README.md",
    "generator",
    "../outside.py",
    "/etc/passwd",
    "site.toml",
    "generator/figures/__init__.py",
    "node_modules/x.py",
]
NAMES = ["rewrite_link", "Article.where", "Article", "read_article", "nope", "a b", "f()", "Article..where"]


@st.composite
def include_block(draw) -> str:
    pairs = {
        "source": draw(st.one_of(st.just(SOURCES[0]), st.sampled_from(SOURCES), TEXT, YAML_VALUES)),
        "name": draw(st.one_of(st.just(NAMES[0]), st.sampled_from(NAMES), TEXT, YAML_VALUES)),
    }
    for key in ("source", "name"):
        if draw(st.integers(0, 5)) == 0:
            del pairs[key]
    if draw(st.integers(0, 5)) == 0:
        pairs[draw(TEXT)] = draw(YAML_VALUES)
    return block(pairs, "", raw_values(draw, ["source", "name"]))


def read(workdir: Path, front: str, body: str, options=()) -> None:
    """Read one article: it must parse, or fail with a message that says where."""
    path = workdir / "x.md"
    path.write_text(f"---\n{front}---\n\nSome text.\n\n{body}", encoding="utf-8")
    try:
        parsed = read_article(path)
    except BuildError as exc:
        event("refused")
        assert names_where(str(exc), "x.md", [f"'{o}'" for o in options]), str(exc)
        return
    event("accepted")
    cfg = load_config(workdir / "defaults")
    for fig in parsed.figures:  # what build.plan does next: cross-option checks raise BuildError
        try:
            kinds()[fig.kind].request(fig.options, cfg)
        except BuildError:
            pass


@FUZZ
@given(front=front_matter())
def test_front_matter(workdir, front):
    read(workdir, front, "", options=list(FRONT_FIELDS))


@FUZZ
@given(figure=figure_block())
def test_figure_blocks(workdir, figure):
    text, options = figure
    read(workdir, "title: T\n", f"```figure\n{text}```\n", options)


@FUZZ
@given(include=include_block())
def test_include_blocks(workdir, include):
    read(workdir, "title: T\n", f"```include\n{include}```\n", ["source", "name"])


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    value=YAML_VALUES,
    spec=st.sampled_from(
        [s for _, _, s in KEYS]
        + list(COMMON_OPTIONS.values())
        + [s for m in kinds().values() for s in m.OPTIONS.values()]
    ),
)
def test_field_check_never_raises(value, spec):
    problem = spec.check(value)
    assert problem is None or (problem.startswith("is ") and "allowed: " in problem and len(problem) < 600)

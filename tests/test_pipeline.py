"""The content-hash cache: golden keys, reuse, damage detection, --clean."""

import json

import pytest

from generator import pipeline
from generator.pipeline import Pipeline, Request, Stage, cache_key, canonical

CALLS: list[dict] = []


def _double(ctx):
    CALLS.append(ctx.params)
    (ctx.out / "out.txt").write_text(str(ctx.params["n"] * 2))
    return {"n": ctx.params["n"]}


def _plus_one(ctx):
    CALLS.append(ctx.params)
    n = int(ctx.inputs["x"].file("out.txt").read_text())
    (ctx.out / "out.txt").write_text(str(n + 1))


@pytest.fixture(autouse=True)
def stages(monkeypatch):
    """Two tiny stages with no source files or libraries, so their keys are golden."""
    registry = {
        "double": Stage("double", _double, lambda p: {}, (), (), lambda p: "double"),
        "plus-one": Stage(
            "plus-one", _plus_one, lambda p: {"x": Request("double", {"n": p["n"]})}, (), (), lambda p: "plus-one"
        ),
    }
    monkeypatch.setattr(pipeline, "REGISTRY", registry)
    CALLS.clear()
    return registry


def test_canonical_json_ignores_key_order():
    assert canonical({"b": 1, "a": [1, {"d": 2, "c": 3}]}) == '{"a":[1,{"c":3,"d":2}],"b":1}'


def test_golden_cache_keys(stages):
    # Changing these means every user's cache is invalidated: do it on purpose only (SCHEMA_VERSION 2: measured
    # times left out of content digests, so the same inputs give the same keys and site).
    assert (
        cache_key(stages["double"], {"n": 2}, {}) == "1985057fb2b15b97ebbc54dac44ccb3208f31184ed43b0b2af36e117635aa560"
    )
    assert cache_key(stages["double"], {"n": 3}, {}) != cache_key(stages["double"], {"n": 2}, {})
    assert cache_key(stages["plus-one"], {"n": 2}, {"x": "abc"}) != cache_key(
        stages["plus-one"], {"n": 2}, {"x": "abd"}
    )


def test_library_versions_and_source_change_the_key(stages):
    st = stages["double"]
    with_lib = Stage(st.name, st.run, st.inputs, ("numpy",), (), st.label)
    with_source = Stage(st.name, st.run, st.inputs, (), ("generator/errors.py",), st.label)
    keys = {cache_key(s, {"n": 2}, {}) for s in (st, with_lib, with_source)}
    assert len(keys) == 3


def test_second_run_reuses_everything(tmp_path):
    first = Pipeline(tmp_path).get(Request("plus-one", {"n": 4}))
    assert first.file("out.txt").read_text() == "9" and len(CALLS) == 2
    second = Pipeline(tmp_path)
    again = second.get(Request("plus-one", {"n": 4}))
    assert len(CALLS) == 2, "a second run with nothing changed must run no stage"
    assert again.digest == first.digest and all(r.cached for r in second.records)


def test_upstream_change_reruns_downstream(tmp_path):
    Pipeline(tmp_path).get(Request("plus-one", {"n": 4}))
    Pipeline(tmp_path).get(Request("plus-one", {"n": 5}))
    assert len(CALLS) == 4


@pytest.mark.parametrize("damage", ["truncate", "corrupt", "delete", "manifest"])
def test_damaged_entry_is_detected_and_recomputed(tmp_path, damage, caplog):
    art = Pipeline(tmp_path).get(Request("double", {"n": 21}))
    target = art.file("out.txt")
    if damage == "truncate":
        target.write_text("4")
    elif damage == "corrupt":
        target.write_text("99")
    elif damage == "delete":
        target.unlink()
    else:
        art.file("manifest.json").write_text("{not json")
    again = Pipeline(tmp_path).get(Request("double", {"n": 21}))
    assert again.file("out.txt").read_text() == "42"
    assert len(CALLS) == 2
    assert "damaged" in caplog.text


def test_clean_ignores_the_cache(tmp_path):
    Pipeline(tmp_path).get(Request("double", {"n": 1}))
    Pipeline(tmp_path, clean=True).get(Request("double", {"n": 1}))
    assert len(CALLS) == 2


def test_failed_stage_leaves_no_entry(tmp_path, stages):
    def boom(ctx):
        (ctx.out / "half.txt").write_text("x")
        raise RuntimeError("boom")

    stages["double"].run = boom
    with pytest.raises(RuntimeError):
        Pipeline(tmp_path).get(Request("double", {"n": 1}))
    assert not any((tmp_path / "double").iterdir())


def test_manifest_lists_sizes_and_hashes(tmp_path):
    art = Pipeline(tmp_path).get(Request("double", {"n": 2}))
    manifest = json.loads(art.file("manifest.json").read_text())
    assert manifest["files"]["out.txt"]["bytes"] == 1
    assert len(manifest["files"]["out.txt"]["sha256"]) == 64
    assert manifest["meta"] == {"n": 2}

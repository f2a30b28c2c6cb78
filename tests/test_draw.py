"""Tests for generator.draw's tick values: the fallback images must show the ticks the page draws."""

import json
import math
import random
import shutil
import subprocess

import pytest

from generator.draw import nice_ticks

from .conftest import ROOT

PLOT_AXES = ROOT / "assets" / "js" / "lib" / "plot-axes.js"

# Reads [[lo, hi, count], ...] from stdin, prints niceTicks of each as JSON.
NODE_SCRIPT = f"""
import {{ readFileSync }} from "node:fs";
import {{ niceTicks }} from {json.dumps(PLOT_AXES.as_uri())};
const cases = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map(([lo, hi, count]) => niceTicks(lo, hi, count))));
"""

TABLE = [
    (0, 1, 5),
    (0, 10, 5),
    (0, 100, 2),
    (-1, 1, 4),
    (0.1, 0.35, 5),
    (-355.5, -305.5, 9),
    (-0.25, 0.3, 6),
    (0, 0.7, 7),
    (-0.3, 0.3, 6),  # the lower end is a tick only with a tolerance (-0.3 / 0.1 = -2.9999999999999996)
    (0.3, 0.9, 7),
    (0.0001002, 0.0001452, 2),  # the step 0.00005 has no multiple inside: one rung finer
    (0.51, 0.59, 1),
    (-0.0005, 0, 5),  # 10 ** -4 is an ulp low in V8: both sides use the correctly rounded power
    (0.000225, 0.000825, 3),
    (-0.0499, 0.0231, 8),  # zero is exactly zero
    (1, 30, 8),  # epochs (zoo_curves, loss-chart)
    (1, 200, 6),
    (0.0123, 0.0871, 5),  # losses
    (1e-9, 7e-9, 4),
    (123456.7, 123999.1, 5),
    (-2e6, 3.5e7, 6),
    (1, 1 + 2**-40, 3),
    (3, 3, 5),
    (5, 1, 5),
    (0, 5e-324, 5),
]


def _random_cases(n: int = 400) -> list[tuple[float, float, int]]:
    rng = random.Random(11)
    cases = []
    for i in range(n):
        scale = 10.0 ** rng.randint(-12, 12)
        if i % 2:  # round ends, where float noise decides which ticks survive
            lo = round(rng.uniform(-10, 10)) * scale / rng.choice((1, 4))
            hi = lo + rng.randint(1, 20) * scale / rng.choice((1, 4))
        else:
            lo = rng.uniform(-5, 5) * scale
            hi = lo + rng.uniform(0.001, 1) * scale
        cases.append((lo, hi, rng.randint(1, 12)))
    return cases


def test_ticks_match_plot_axes_js():
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    cases = TABLE + _random_cases()
    done = subprocess.run(
        ["node", "--input-type=module", "-e", NODE_SCRIPT],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)
    mismatches = [(case, want, nice_ticks(*case)) for case, want in zip(cases, page) if nice_ticks(*case) != want]
    assert not mismatches, f"{len(mismatches)} of {len(cases)} differ, e.g. (case, js, python): {mismatches[:3]}"


def test_ends_that_are_ticks_are_kept_and_short_ranges_get_ticks():
    assert nice_ticks(-0.3, 0.3, 6) == [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]
    assert nice_ticks(0.0001002, 0.0001452, 2) == [0.00012, 0.00014]
    assert nice_ticks(1e-14, 5e-14, 4) == [1e-14, 2e-14, 3e-14, 4e-14, 5e-14], "12 significant digits, not decimals"
    zero = nice_ticks(-0.25, 0.3, 6)[2]
    assert zero == 0 and math.copysign(1, zero) == 1


def test_other_steps_and_degenerate_ranges():
    assert nice_ticks(0, 1, 4, steps=(1, 2, 2.5, 5)) == [0, 0.25, 0.5, 0.75, 1]
    assert nice_ticks(3, 3) == [3]
    assert nice_ticks(5, 1) == [5]
    assert nice_ticks(0, math.inf) == [0]
    assert nice_ticks(0, math.nan) == [0]


@pytest.mark.parametrize("steps", [(1, 2, 5), (1, 2, 2.5, 5)])
def test_ticks_are_round_evenly_spaced_and_inside(steps):
    for lo, hi, count in _random_cases(1000):
        ticks = nice_ticks(lo, hi, count, steps=steps)
        where = f"nice_ticks({lo}, {hi}, {count}, steps={steps}) = {ticks}"
        span = hi - lo
        assert ticks, where
        assert ticks[0] >= lo - span * 1e-9 and ticks[-1] <= hi + span * 1e-9, where
        if count >= 2:
            assert len(ticks) - 1 <= count, where
        if len(ticks) >= 2:
            step = ticks[1] - ticks[0]
            mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
            assert any(abs(mantissa - m) < 1e-6 for m in steps), where
            assert all(abs(b - a - step) <= step * 1e-6 for a, b in zip(ticks, ticks[1:])), where

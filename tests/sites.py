"""Comparing two built sites, for the tests and the benchmarks that prove two builds give the same site."""

from __future__ import annotations

import filecmp
from pathlib import Path

#: Files a build writes that legitimately differ between two builds of the same inputs (times, what ran).
PER_BUILD = ("build-report.json",)


def differing(a: Path, b: Path, ignore: tuple[str, ...] = PER_BUILD) -> list[str]:
    """The files that differ between two site folders or are in one only (relative paths), ``ignore`` aside."""
    found: list[str] = []
    todo = [("", filecmp.dircmp(a, b, ignore=list(ignore)))]
    while todo:
        prefix, c = todo.pop()
        found += [prefix + n for n in c.left_only + c.right_only]
        found += [
            prefix + n for n in c.common_files if not filecmp.cmp(f"{c.left}/{n}", f"{c.right}/{n}", shallow=False)
        ]
        todo += [(f"{prefix}{name}/", sub) for name, sub in c.subdirs.items()]
    return sorted(found)

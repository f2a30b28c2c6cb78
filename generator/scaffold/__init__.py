"""Start a new figure kind: ``python -m generator.scaffold <kind>``.

Writes the files of a working minimal kind from the templates beside this module: the
Python module (options, request, payload stage), the HTML template, and the front end's
``index.js`` and ``style.css``. The figure draws bars of values computed at build time,
works by keyboard and has alt text; the author then makes it their own
(docs/architecture.md, "Adding a figure kind"). Existing names and names that are not
lowercase words joined by hyphens are refused with one message, before anything is written.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent / "templates"
NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
MAX_LENGTH = 40
# template file -> (where it goes, relative to the code's root; what it is)
FILES = {
    "figure.py.txt": ("generator/figures/{module}.py", "what it needs and the payload it writes"),
    "template.html.txt": ("generator/templates/figures/{kind}.html", "its static HTML"),
    "index.js.txt": ("assets/js/figures/{kind}/index.js", "mount(el, config): the live figure"),
    "style.css.txt": ("assets/js/figures/{kind}/style.css", "its styles, linked by every page that shows it"),
}


class ScaffoldError(Exception):
    """A kind name that cannot be used; the message says why and what is allowed."""


def targets(kind: str, root: Path = ROOT) -> dict[str, Path]:
    """Template file name -> the path it is written to for ``kind``."""
    module = kind.replace("-", "_")
    return {template: root / where.format(kind=kind, module=module) for template, (where, _) in FILES.items()}


def check_name(kind: str, root: Path = ROOT) -> None:
    """Raise :class:`ScaffoldError` unless ``kind`` is a free, well-formed kind name."""
    if not NAME.fullmatch(kind) or len(kind) > MAX_LENGTH:
        raise ScaffoldError(
            f"{kind!r} is not a figure kind name; allowed: lowercase letters and digits, starting with "
            f"a letter, words joined by single hyphens, at most {MAX_LENGTH} characters "
            "(e.g. 'loss-landscape')"
        )
    module = kind.replace("-", "_")
    if keyword.iskeyword(module):
        raise ScaffoldError(f"{kind!r} is a Python keyword and cannot name the kind's module; choose another name")
    taken = [path for path in targets(kind, root).values() if path.exists()]
    taken += [
        path
        for path in sorted((root / "generator" / "figures").glob("*.py"))
        if re.search(rf"^KIND\s*=\s*[\"']{re.escape(kind)}[\"']", path.read_text(encoding="utf-8"), re.M)
    ]
    if taken:
        where = ", ".join(sorted({path.relative_to(root).as_posix() for path in taken}))
        raise ScaffoldError(f"{kind!r} is taken: {where} already exist(s); choose another name")


def render(template: str, kind: str) -> str:
    """The text of one template for ``kind``."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    return text.replace("@KIND@", kind).replace("@MODULE@", kind.replace("-", "_"))


def scaffold(kind: str, root: Path = ROOT) -> list[Path]:
    """Write the files of a new figure kind under ``root``; return their paths (nothing is written on error)."""
    check_name(kind, root)
    written = []
    for template, path in targets(kind, root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(template, kind), encoding="utf-8")
        written.append(path)
    return written


def next_steps(kind: str) -> str:
    """What to do after scaffolding, for the command's output."""
    return "\n".join(
        [
            "Next:",
            '  1. Describe it in README.md\'s "Figure kinds" table (tests/test_contract.py checks the row):',
            f"     | `{kind}` | what it shows. | `bars` |",
            "  2. Use it in an article and watch it while you work:",
            f"     ```figure\n     kind: {kind}\n     ```",
            "     python build.py --serve",
            '  3. Make it yours: docs/architecture.md, "Adding a figure kind".',
        ]
    )

"""``python -m generator.scaffold <kind>``: write the files of a new figure kind (see the package's docstring)."""

from __future__ import annotations

import argparse
import sys

from . import FILES, ROOT, ScaffoldError, next_steps, scaffold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator.scaffold",
        description="Write the files of a new figure kind: a working minimal figure to make your own.",
    )
    parser.add_argument("kind", help="the new kind's name: lowercase words joined by hyphens, e.g. loss-landscape")
    args = parser.parse_args(argv)
    try:
        written = scaffold(args.kind)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote the figure kind '{args.kind}':")
    width = max(len(path.relative_to(ROOT).as_posix()) for path in written)
    for path, (_, what) in zip(written, FILES.values()):
        print(f"  {path.relative_to(ROOT).as_posix():<{width}}  {what}")
    print(next_steps(args.kind))
    return 0


if __name__ == "__main__":
    sys.exit(main())

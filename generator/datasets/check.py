"""Cheap checks of user-supplied data, run before any stage: ``check_source(name, path, minimum)``.

They read only IDX headers, .npz array headers, labels and the first few CelebA
images, so a wrong file is reported in about a second, not after training. The
loaders apply the same rules (``base.image_problem``, ``base.label_problem``) to
the arrays they read, so a file that changes between the check and the load
still ends in one :class:`DataError`, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import DataError

from . import faces, fashion, mnist
from .base import TITLE, count_problem
from .idx import check_idx_folder


def check_source(name: str, path: str | Path, minimum: int | None = None) -> int:
    """Check user data for dataset ``name`` at ``path``; return its image count.

    Raises :class:`DataError` naming the file and what is allowed (callers add the option
    with ``base.with_option``). ``minimum`` is the fewest images a build may use.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError("does not exist; give an existing path or leave it empty for the offline default", where=str(p))
    try:
        if name == "faces":
            return faces.check_celeba(p, minimum)
        hint = mnist.HINT if name == "mnist" else fashion.HINT
        if p.is_dir():
            n_train, n_test = check_idx_folder(p, TITLE[name], hint)
        elif name == "mnist" and p.is_file() and p.suffix.lower() == ".npz":
            n_train, n_test = mnist.inspect_npz(p)
        elif name == "mnist":
            raise DataError(f"is neither a .npz file nor a folder. {hint}", where=str(p))
        else:
            raise DataError(f"is not a folder. {hint}", where=str(p))
    except OSError as exc:  # permissions, I/O errors
        reason = exc.strerror or str(exc)
        raise DataError(
            f"cannot be read ({reason}); check the file and its permissions", where=str(exc.filename or p)
        ) from None
    problem = count_problem(name, n_train, n_test, minimum)
    if problem:
        raise DataError(problem, where=str(p))
    return n_train + n_test

"""Keep TensorFlow's start-up chatter out of the terminal (unless ``-v``).

``import tensorflow`` writes absl and oneDNN lines straight to file descriptor 2
from C++ ("All log messages before absl::InitializeLog() …", "oneDNN custom
operations are on …"), before any Python logging setting can apply, and
``TF_CPP_MIN_LOG_LEVEL`` does not stop them. :func:`install` wraps the first
import of ``tensorflow`` so that descriptor 2 goes to a temporary file while the
module initialises; afterwards every captured line except those known start-up
notices is written back, so a Python-level error is never swallowed. (A crash
inside TensorFlow's own import, which kills the process before the replay, is
seen only with ``-v``; ``TF_CPP_MIN_LOG_LEVEL=3`` also hides TensorFlow's C++
ERROR lines, as it always has here: ``-v`` shows everything.)
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import re
import sys
import tempfile
from contextlib import contextmanager

NOISE = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on"
    r"|Unable to register cu(DNN|FFT|BLAS) factory|computation placer already registered"
    r"|TF-TRT Warning|cuda drivers on your machine|rebuild TensorFlow with the appropriate compiler flags"
    r"|This TensorFlow binary is optimized"
)


@contextmanager
def filtered_stderr():
    """Send descriptor 2 to a file for the duration; replay what is not start-up noise."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = [
                line
                for line in capture.read().decode("utf-8", "replace").splitlines(keepends=True)
                if line.strip() and not NOISE.search(line)
            ]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


class _QuietLoader(importlib.abc.Loader):
    """Runs the real loader of ``tensorflow`` inside :func:`filtered_stderr`."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        _remove_finder()  # once is enough: later imports find the module in sys.modules
        with filtered_stderr():
            self._loader.exec_module(module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _QuietFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def _remove_finder() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _QuietFinder)]


def install() -> None:
    """Silence TensorFlow's C++ logging and its start-up notices for this process."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" not in sys.modules and not any(isinstance(f, _QuietFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietFinder())

"""The build's log lines on stderr: one format in the build's process and in the workers of ``--jobs``.

While progress bars are drawn, a log line must not land on a bar's line. This process's bars are cleared
and redrawn around it (``tqdm.write``); another process's bar (a worker of ``--jobs`` draws on a line of
its own, then moves the cursor back up) may have left the cursor mid-line, so the line starts with a
carriage return.
"""

from __future__ import annotations

import logging
import sys

NOISY = ("tensorflow", "absl", "numba", "h5py")


class LineHandler(logging.StreamHandler):
    """Each record on a line of its own, around the progress bars of this and other processes."""

    def __init__(self, bars: bool):
        super().__init__(sys.stderr)
        self.bars = bars

    def emit(self, record: logging.LogRecord) -> None:
        if not self.bars:
            super().emit(record)
            return
        try:
            message = self.format(record)
            from tqdm import tqdm

            tqdm.write("\r" + message, file=self.stream)
        except Exception:  # as logging does: a broken stream never stops the build
            self.handleError(record)


def setup_logging(verbosity: int) -> None:
    """-1: warnings only (--quiet, no bars); 0: a line per stage, with bars; 1: debug, with logger names."""
    level = {-1: logging.WARNING, 0: logging.INFO, 1: logging.DEBUG}[verbosity]
    handler = LineHandler(bars=verbosity >= 0)
    handler.setFormatter(
        logging.Formatter("%(levelname)s: %(message)s" if verbosity < 1 else "%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.ERROR)
    logging.getLogger("generator").setLevel(level)

"""One exception base for everything the build reports to an author.

Every error names *where* (a file and line, or an option) and *what is allowed*.
``build.py`` catches :class:`BuildError` once at the top, prints the message and
exits non-zero; the previous site is never touched.
"""

from __future__ import annotations


class BuildError(Exception):
    """Base class: a problem the author can fix, reported as one clear message."""

    def __init__(self, message: str, *, where: str | None = None):
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)


class ConfigError(BuildError):
    """site.toml or a command-line option is wrong."""


class ContentError(BuildError):
    """An article, its front matter or one of its figure blocks is wrong."""


class DataError(BuildError):
    """A dataset cannot be found or read."""


class ModelError(BuildError):
    """An author's model file cannot be read, has layers the page cannot run, or does not fit its data set."""


class ExportError(BuildError):
    """A model cannot be exported (for example an unsupported layer type)."""


class LinkError(BuildError):
    """The generated site has a broken link, anchor or asset reference."""


class BudgetError(BuildError):
    """A page is over its weight budget under --strict."""


def internal_error(exc: BaseException) -> str:
    """The one message for an exception that is not a :class:`BuildError`: a bug in the generator."""
    return (
        f"internal error ({type(exc).__name__}: {exc}). This is a bug in the generator, not in your site; "
        "please report it with the output of the same command run with -v."
    )

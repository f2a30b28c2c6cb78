"""Figure kinds: one module per kind, discovered by name.

A figure kind is three pieces sharing one name:

- ``generator/figures/<kind_with_underscores>.py`` declares ``KIND``, its
  ``OPTIONS`` (a dict of :class:`generator.schema.Field`), ``request(options,
  cfg)`` returning the :class:`generator.pipeline.Request` for its payload, and
  registers the payload stage (``figure:<kind>``) that writes its data files
  and finishes with :meth:`generator.payload.Payload.finish` (``config.json``,
  ``fallback.png``, the meta the template reads);
- ``generator/templates/figures/<kind>.html``, the static HTML;
- ``assets/js/figures/<kind>/index.js`` exporting ``mount(el, config)``.

This package holds only kinds: a kind imports what it shares with others from
:mod:`generator.payload` (finishing, sharing, credits, upstream requests),
:mod:`generator.draw` (fallback images), :mod:`generator.plane` (code planes and
decoders) or :mod:`generator.toy_draw`, never from another kind. Every module
here that defines ``KIND`` is a kind. Every kind also accepts the common options below.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from ..schema import Field

COMMON_OPTIONS = {
    "kind": Field("str", None, "The figure kind."),
    "caption": Field("str", "", "Caption under the figure (inline Markdown)."),
    "alt": Field("str", "", "Text alternative for the static image (a default is generated)."),
    "id": Field("id", "", "Anchor id of the figure (default fig-<n>); unique in its article."),
}

_kinds: dict[str, ModuleType] | None = None


def kinds() -> dict[str, ModuleType]:
    """Every figure kind, by name, imported once."""
    global _kinds
    if _kinds is None:
        _kinds = {}
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
            module = importlib.import_module(f"{__name__}.{info.name}")
            if hasattr(module, "KIND"):
                _kinds[module.KIND] = module
    return _kinds

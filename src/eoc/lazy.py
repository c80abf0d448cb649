"""Public names of a package imported from their modules on first use (PEP 562).

A package that the command line imports for its defaults (``options``) need not import scipy or
numba with it::

    _EXPORTS = {"Options": "options", "solve": "grid"}
    __all__ = sorted(_EXPORTS)
    __getattr__, __dir__ = lazy.exports(__name__, _EXPORTS, globals())
"""

from __future__ import annotations

import importlib


def exports(package: str, names: dict[str, str], namespace: dict):
    """(``__getattr__``, ``__dir__``) for ``package``: public name → the submodule that defines it;
    ``namespace`` is the package's ``globals()``, listed by ``__dir__`` beside the lazy names."""

    def __getattr__(name: str):
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{names[name]}"), name)

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__

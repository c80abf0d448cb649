"""eoc: the edge of chaos in randomly initialised LSTMs and their rate model.

Conventions (gains, time units, the DMFT equations) follow ``docs/science.md``; where the
draft paper disagrees, the docstrings say so.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eoc")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

from eoc.errors import InputError

#: Readers of the merged files (eoc.contract), loaded on first use: importing eoc loads no numpy,
#: so the command line can size the thread pools first.
_READERS = ("open_simulations", "open_dmft", "open_dataset")

__all__ = ["InputError", "__version__", *_READERS]


def __getattr__(name: str):
    if name in _READERS:
        from eoc import contract

        return getattr(contract, name)
    raise AttributeError(f"module 'eoc' has no attribute {name!r}")

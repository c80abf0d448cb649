"""eoc: the edge of chaos in randomly initialised LSTMs and their rate model.

Conventions (gains, time units, the DMFT equations) follow ``shared/design/science.md``; where the
draft paper disagrees, the docstrings say so.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eoc")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

from eoc.errors import InputError  # noqa: E402

__all__ = ["InputError", "__version__"]

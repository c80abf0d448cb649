"""Fields of an options dataclass that document themselves, so that a command line can be generated.

An options class is a frozen dataclass that validates itself in ``__post_init__`` (e.g.
:class:`eoc.simulate.options.Options`). Each field is declared with :func:`option`, which stores
its help text and command-line details in the field's metadata; :mod:`eoc.cli.arguments` turns the
fields into argparse arguments (name, type, default, help) and the parsed arguments back into the
options object, so a default or a help text is written once, beside the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

#: Metadata keys of a field made by :func:`option`.
HELP, GROUP, FLAG, METAVAR, DEFAULT_TEXT = "help", "group", "flag", "metavar", "default_text"


def option(
    default: Any = dataclasses.MISSING,
    *,
    help: str,
    default_factory: Callable[[], Any] | Any = dataclasses.MISSING,
    group: str | None = None,
    flag: str | None = None,
    metavar: str | None = None,
    default_text: str | None = None,
):
    """A dataclass field with its documentation.

    ``help``: one line for the command line (the default is appended); ``group``: the title of the
    command line's argument group (None: the main group); ``flag``: the option's name on the command
    line (default ``--`` + the field name with ``_`` → ``-``); ``metavar``: argparse's metavar;
    ``default_text``: how the default is shown when the value itself would mislead (e.g. a default
    that depends on another option). A field without ``default`` or ``default_factory`` is required.
    """
    metadata = {HELP: help, GROUP: group, FLAG: flag, METAVAR: metavar, DEFAULT_TEXT: default_text}
    return dataclasses.field(default=default, default_factory=default_factory, metadata=metadata)

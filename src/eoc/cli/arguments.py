"""Command-line arguments generated from an options dataclass (fields made by :func:`eoc.options.option`).

The type of a field decides the argument: ``int``, ``float``, ``str`` (also ``X | None``) take one
value; ``list[X]`` takes one or more (``nargs="+"``); ``dict[str, X]`` is a repeatable
``NAME=VALUE`` option. Fields without a default are required; the help shows the default.
"""

from __future__ import annotations

import argparse
import dataclasses
import types
import typing

from eoc import options as fields


def _value_type(annotation):
    """(kind, element type) of a field's annotation: kind is "one", "list" or "dict"."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        (annotation,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        origin = typing.get_origin(annotation)
    if origin is list:
        return "list", typing.get_args(annotation)[0]
    if origin is dict:
        return "dict", typing.get_args(annotation)[1]
    return "one", annotation


def _pair(element, metavar: str):
    def parse(text: str) -> tuple[str, object]:
        name, sep, value = text.partition("=")
        try:
            if not sep:
                raise ValueError
            return name, element(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {metavar}, got {text!r}") from None

    return parse


def _default_help(field: dataclasses.Field) -> str:
    text = field.metadata.get(fields.DEFAULT_TEXT)
    if text is not None:
        return f" (default {text})"
    if field.default is not dataclasses.MISSING and field.default is not None:
        return f" (default {field.default})"
    return ""


def add_arguments(parser: argparse.ArgumentParser, cls) -> None:
    """Add one argument per field of the options dataclass ``cls`` (argument groups by title)."""
    hints = typing.get_type_hints(cls)
    groups: dict[str | None, argparse._ActionsContainer] = {None: parser}
    for field in dataclasses.fields(cls):
        meta = field.metadata
        group_title = meta.get(fields.GROUP)
        if group_title not in groups:
            groups[group_title] = parser.add_argument_group(group_title)
        kind, element = _value_type(hints[field.name])
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        flag = meta.get(fields.FLAG) or "--" + field.name.replace("_", "-")
        arguments = dict(dest=field.name, help=meta.get(fields.HELP, "") + _default_help(field))
        if meta.get(fields.METAVAR):
            arguments["metavar"] = meta[fields.METAVAR]
        if kind == "dict":
            arguments.update(type=_pair(element, meta.get(fields.METAVAR) or "NAME=VALUE"), action="append", default=[])
        else:
            arguments.update(type=element, nargs="+" if kind == "list" else None)
            if required:
                arguments["required"] = True
            else:
                arguments["default"] = field.default
        groups[group_title].add_argument(flag, **arguments)


def options_from(args: argparse.Namespace, cls):
    """The options object of the parsed ``args`` (validated by the object itself)."""
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        value = getattr(args, field.name)
        values[field.name] = dict(value) if _value_type(hints[field.name])[0] == "dict" else value
    return cls(**values)


def command_arguments(options) -> list[str]:
    """The command-line arguments that :func:`add_arguments`' parser reads back as ``options``
    (the inverse of :func:`options_from`): every field whose value is not None, a list as its
    values after the flag, a dict as one ``NAME=VALUE`` flag per item. Floats are written with
    ``repr``, which reads back to the same float."""
    arguments = []
    for field in dataclasses.fields(options):
        value = getattr(options, field.name)
        flag = field.metadata.get(fields.FLAG) or "--" + field.name.replace("_", "-")
        if value is None:
            continue
        if isinstance(value, dict):
            for name, item in value.items():
                arguments += [flag, f"{name}={item!r}"]
        elif isinstance(value, list | tuple):
            arguments += [flag, *map(repr, value)]
        else:
            arguments += [flag, value if isinstance(value, str) else repr(value)]
    return arguments

"""Checks of user input that run before any work starts.

Each check raises :class:`eoc.errors.InputError` with a message that names the parameter and the
offending value, so that a mistyped sweep fails at once instead of after hours on a cluster.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from eoc.errors import InputError


def _as_float(name: str, value) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(x):
        raise InputError(f"{name} must be finite, got {value!r}")
    return x


def positive(name: str, value) -> float:
    """Return ``value`` as a float, checking that it is finite and > 0."""
    x = _as_float(name, value)
    if x <= 0:
        raise InputError(f"{name} must be > 0, got {value!r}")
    return x


def nonnegative(name: str, value) -> float:
    """Return ``value`` as a float, checking that it is finite and >= 0."""
    x = _as_float(name, value)
    if x < 0:
        raise InputError(f"{name} must be >= 0, got {value!r}")
    return x


def finite(name: str, value) -> float:
    """Return ``value`` as a float, checking that it is finite."""
    return _as_float(name, value)


def integer(name: str, value, *, minimum: int) -> int:
    """Return ``value`` as an int, checking that it is integral and >= ``minimum``."""
    if isinstance(value, bool) or not _is_number(value) or not float(value).is_integer():
        raise InputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    n = int(value)
    if n < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return n


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def grid(name: str, values: Iterable, check) -> list[float]:
    """Validate a non-empty list of values with ``check(name, value)``; return them as floats."""
    values = list(values) if not isinstance(values, (str, bytes)) else [values]
    if not values:
        raise InputError(f"{name} must hold at least one value, got an empty list")
    checked = [check(name, v) for v in values]
    if len(set(checked)) != len(checked):
        raise InputError(f"{name} has repeated values: {values!r}")
    return checked


def choice(name: str, value, allowed: Sequence[str]) -> str:
    """Check that ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise InputError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value


def config_numbers(config, schema: dict, *, path: str = "config") -> None:
    """Check the numbers of a configuration beyond what JSON Schema checks: every number finite
    (``.inf`` and ``.nan`` pass a schema's ``minimum``) and every ``type: integer`` value an int
    (JSON Schema accepts 64.0 as an integer; a sweep would then name its files ``N64.0``).

    Walks ``config`` along ``schema`` (``properties``, ``additionalProperties``, ``items``, ``$ref``
    into ``$defs``, and the branch of an ``anyOf`` whose type is the value's: a mapping follows the
    ``object`` branch, anything else the other); raises InputError naming the key
    (``config.dmft.g[1]``) and the value.
    """
    definitions = schema.get("$defs", {})

    def resolve(node):
        while "$ref" in node:
            node = {**definitions[node["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def branch(value, node):
        node = resolve(node)
        if "anyOf" not in node:
            return node
        wanted = isinstance(value, dict)
        return next((b for b in map(resolve, node["anyOf"]) if (b.get("type") == "object") == wanted), {})

    def walk(value, node, where):
        node = branch(value, node)
        if isinstance(value, dict):
            others = node.get("additionalProperties") or {}
            for key, item in value.items():
                walk(item, node.get("properties", {}).get(key, others), f"{where}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, node.get("items", {}), f"{where}[{index}]")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise InputError(f"{where} must be a finite number, got {value!r}")
            if node.get("type") == "integer":
                raise InputError(f"{where} must be an integer (written without a decimal point), got {value!r}")

    walk(config, schema, path)

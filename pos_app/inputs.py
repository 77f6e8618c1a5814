"""Hostile-input guards shared by HTTP bodies, query strings, paths and Socket.IO commands (pure).

What a schema cannot see, checked once before any schema runs: nesting deeper than any real
request, NUL characters (PostgreSQL refuses them in text), lone UTF-16 surrogates (no database
can store them), integers beyond 64 bits and non-finite numbers. Each answers a 422 naming the
field instead of a 500 from the database driver.
"""

from __future__ import annotations

import json
import math
import re

from pos_app.errors import BadRequest, ValidationFailed

MAX_DEPTH = 16  # the deepest real request (an order's lines' modifiers) is 4 levels
INT64 = 2**63 - 1
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


def parse_json(raw: bytes | str):
    """The JSON value of a request body; 400 `invalid_json` for anything unparseable."""
    try:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        return json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError as err:
        raise BadRequest(
            f"the JSON is nested too deeply (at most {MAX_DEPTH} levels)", code="invalid_json"
        ) from err
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequest("the body is not valid JSON", code="invalid_json") from err


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def check_value(data, where: str = "") -> None:
    """Raise ValidationFailed naming the first field that no database could take."""
    problem = find_problem(data, where)
    if problem is not None:
        field, message = problem
        raise ValidationFailed(f"{field or 'the body'}: {message}", {field or "_schema": [message]})


# In a JSON text that parsed, a NUL or a lone surrogate can only come from an escape (a raw
# NUL is not JSON, a raw surrogate not UTF-8). A text without such an escape needs only its
# nesting and numbers checked, by a walk that builds no field names (8 ms for a batch of 500
# events, where the naming walk took 60; taking the strings out of the text with a regex and
# counting brackets was tried: 64 ms); the few with one (an emoji escaped as a surrogate
# pair) get the walk that names the field.
_MAYBE_BAD_TEXT = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def check_json(text: str, data) -> None:
    """`check_value` of `data` parsed from the JSON `text`, faster for the usual body."""
    if _MAYBE_BAD_TEXT.search(text) is None and _plain(data):
        return
    check_value(data)  # the walk that names the field


def _plain(data) -> bool:
    """Whether `data` is nested at most MAX_DEPTH deep and its numbers are in range (its
    strings are not looked at: the text was)."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH or (depth == MAX_DEPTH and value):  # its items: one deeper
            return False
        for item in value.values() if type(value) is dict else value:
            kind = type(item)
            if kind is dict or kind is list:
                stack.append((item, depth + 1))
            elif kind is int:
                if not -INT64 - 1 <= item <= INT64:
                    return False
            elif kind is float and not math.isfinite(item):
                return False
    return True


def find_problem(data, where: str = "") -> tuple[str, str] | None:
    """(field path, message) of the first unusable value in `data`, or None (iterative)."""
    stack = [(data, where, 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return path, f"nested too deeply (at most {MAX_DEPTH} levels)"
        if isinstance(value, str):
            message = text_problem(value)
            if message:
                return path, message
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if not -INT64 - 1 <= value <= INT64:
                return path, "number out of range"
        elif isinstance(value, float):
            if not math.isfinite(value):
                return path, "not a finite number"
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                message = text_problem(str(key))
                if message:
                    return path or "_schema", f"a field name is not usable: {message}"
                stack.append((item, name, depth + 1))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                stack.append((item, f"{path}.{index}" if path else str(index), depth + 1))
    return None


def number_pattern(maximum: int) -> str:
    """A regex of the decimal numbers 0 to `maximum`, without leading zeros.

    A route converter whose regex takes only numbers in range lets a larger one match no rule
    at all (404). Werkzeug checks a converter's range only after choosing a rule by method, so
    a range check there turns PATCH /items/2147483648 into a 405 that offers GET.
    """
    digits = str(maximum)
    choices = ["0", rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else ["0"]
    for i, digit in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            rest = len(digits) - i - 1
            tail = rf"\d{{{rest}}}" if rest else ""
            choices.append(f"{digits[:i]}[{low}-{int(digit) - 1}]{tail}")
    choices.append(digits)
    return "(?:" + "|".join(choices) + ")"


def text_problem(text: str) -> str | None:
    """Why a string cannot be stored (a NUL, a lone surrogate), or None."""
    match = _BAD_CHARS.search(text)
    if match is None:
        return None
    if match.group() == "\x00":
        return "NUL characters are not allowed"
    return "not valid Unicode text (a lone surrogate)"

"""The fast path of the hostile-input check (`inputs.check_json`, taken by every JSON body)
refuses exactly what the field-naming walk (`inputs.find_problem`) refuses: nesting at and
around the limit with every kind of innermost value, NUL and lone surrogates escaped in
values and in keys, numbers past 64 bits and floats that are not finite, and the look-alikes
it must let through (an escaped emoji, a UUID with 'e123' in it, an escaped backslash)."""

from __future__ import annotations

import json

import pytest

from pos_app import inputs
from pos_app.errors import ValidationFailed

INNER = ("", "1", '"x"', "{}", "[]", "1e999", "-1e999", "99999999999999999999", '"\\u0000"')
CASES = [
    '{"a":' + "[" * depth + inner + "]" * depth + "}" for depth in range(10, 20) for inner in INNER
] + [
    '{"a":"\\ud800"}',
    '{"a":"\\uDFFF x"}',
    '{"a":"\\uD83D\\uDE00"}',
    '{"\\u0000":1}',
    '{"a":{"b\\u0000":1}}',
    '{"a":"8e123f1c-0000-4000-8000-000000000000"}',
    '{"a":"\\\\u0000"}',
    '{"a":9223372036854775807}',
    '{"a":9223372036854775808}',
    '{"a":-9223372036854775808}',
    '{"a":1.5e308}',
    '{"a":[{"b":[{"c":"\\u0000"}]}]}',
    '{"a":"\\u0645\\u0634\\u0627\\u0648\\u064a"}',
]


@pytest.mark.parametrize("text", CASES)
def test_the_fast_check_refuses_what_the_walk_refuses(text):
    data = json.loads(text)
    walk = inputs.find_problem(data)
    try:
        inputs.check_json(text, data)
        fast = None
    except ValidationFailed as err:
        fast = err
    assert (walk is None) == (fast is None), (text, walk)
    if fast is not None:  # and names the same field, with the same words
        assert fast.fields == inputs_fields(walk)


def inputs_fields(problem: tuple[str, str]) -> dict:
    field, message = problem
    return {field or "_schema": [message]}

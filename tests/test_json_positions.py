"""Where JSON that Python's parser reads but JSON does not (smm.workspace.files.parse_json: a key twice, as a bad
merge leaves it; NaN or Infinity; a number of more than 4,300 digits) is named: the line and column of the
second key in the object that holds it twice, of the constant or number itself, never of the same text in a
string or in another object (the first version looked for the text's second occurrence anywhere)."""

from __future__ import annotations

import pytest

from smm.workspace.files import parse_json

CASES = [
    ('{\n "a": {"state": 1},\n "b": {"state": 1},\n "c": {"state": 1, "state": 2}\n}', (4, 20), 'the key "state" is there twice'),
    ('{"state": 1, "child": {"state": 2},\n "state": 3}', (2, 2), 'the key "state" is there twice'),
    ('{"茶": 1,\n "茶": 2}', (2, 2), 'the key "茶" is there twice'),
    ('{"\\u8336": 1,\n "茶": 2}', (2, 2), 'the key "茶" is there twice'),  # the same key, written two ways
    ('{"t": "{\\"a\\": 1, ", "a": 1,\n "a": 2}', (2, 2), 'the key "a" is there twice'),
    ('[{"a": 1}, {"a": 1},\n {"a": 1, "a": 1}]', (2, 11), 'the key "a" is there twice'),
    ('{"t": " NaN here",\n "n": NaN}', (2, 7), "NaN is not a JSON number"),
    ('{"t": "-Infinity",\n "n": -Infinity}', (2, 7), "-Infinity is not a JSON number"),
    ('{"t": "' + "1" * 5000 + '",\n "n": ' + "2" * 5000 + "}", (2, 7), "a number of more than 4,300 digits"),
    ('{"a": 1, "b": {"a": 2}}', None, None),  # guard: one key in each object
]


@pytest.mark.parametrize(("text", "where", "what"), CASES)
def test_what_json_does_not_allow_is_named_where_it_is(text, where, what):
    value, problem = parse_json(text)
    assert problem == (None if where is None else (*where, what))

"""Reading a post takes shortcuts where the plain path's answer is known: each is compared with
the plain path on every input of a table."""

from __future__ import annotations


# -- a post's body with no text but comments -------------------------------------------------------

BODY_PIECES = ["<!-- note -->", "<!-- split -->", "text", "`<!-- code -->`", "```\n<!-- fenced -->\n```", "<!--", "-->",
               " ", "\n", "\n\n", "\t", "\u3000", "\xa0", "<", "<!-", "x<!-- y -->", "<!-- a --><!-- b -->", "`"]


def test_a_body_of_comments_alone_is_found_as_before():
    """parse_post strips a body's comments only when it starts with one (text first is text):
    post.empty-body exactly where stripping every body found none, on every body of up to 3 pieces."""
    import itertools

    from smm.content.comments import strip_comments
    from smm.content.post import _no_text

    for size in range(4):
        for pieces in itertools.product(BODY_PIECES, repeat=size):
            body = "".join(pieces)
            assert _no_text(body) == (not strip_comments(body)[0].strip()), repr(body)


# -- JSON nested too deep: looked for only where the brackets could nest that deep ------------------

JSON_NESTING = [  # (text, max_depth, (value, problem) as parse_json returned it before the shortcut)
    ('[[1]]', 2, ([[1]], None)),
    ('[[[1]]]', 2, (None, (1, 3, "nested more than 2 levels deep"))),
    ('{"a": [{"b": []}]}', 4, ({"a": [{"b": []}]}, None)),
    ('{"a": [{"b": []}]}', 3, (None, (1, 14, "nested more than 3 levels deep"))),
    ('{"a": "[[[[{{{{"}', 2, ({"a": "[[[[{{{{"}, None)),  # brackets in a string nest nothing
    ('{"a": "\\"[[[["}', 1, ({"a": '"[[[['}, None)),
    ('[\n[\n[]]]', 2, (None, (3, 1, "nested more than 2 levels deep"))),
    ('[[]', 2, (None, (1, 4, "Expecting ',' delimiter"))),
    ('[' * 40 + ']' * 40, 32, (None, (1, 33, "nested more than 32 levels deep"))),
    ('[' * 32 + ']' * 32, 32, ([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], None)),
    ('[]' * 40, 1, (None, (1, 3, "Extra data"))),
]


def test_json_nested_too_deep_is_found_as_before():
    from smm.workspace.files import parse_json

    for text, depth, expected in JSON_NESTING:
        assert parse_json(text, depth) == expected, text

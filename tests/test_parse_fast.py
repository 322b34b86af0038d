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

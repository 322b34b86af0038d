"""Outside-in review of the inbox, replies and listening: hostile settings, data files and times."""

from __future__ import annotations

import pytest

# --- brand/listening.yml: phrases as matching reads them --------------------------------------------

# (brand/listening.yml, the error rule smm check reports, its line)
LISTENING_CASES = [
    # a phrase of invisible characters only: matching drops them (a crash, exit 3; a hashtag matched every `#`)
    ('keywords: ["\\u200b"]\n', "listening.empty", 1),
    ('keywords: [Acme]\nexclude: ["\\u200b"]\n', "listening.empty", 2),
    ('hashtags: ["\\u00ad"]\n', "listening.empty", 1),
    ('competitors:\n  "\\u2060": {}\n', "listening.empty", 2),  # its name is its keyword
    ('competitors:\n  Globex:\n    keywords: ["\\u200b\\u200d"]\n', "listening.empty", 3),
    # one phrase for two subjects, as matching compares them: width, white space, invisible characters
    ('keywords: [Acme]\ncompetitors:\n  Globex:\n    keywords: ["ＡＣＭＥ"]\n', "listening.duplicate", 4),
    ('keywords: ["acme tea"]\ncompetitors:\n  Globex:\n    keywords: ["Acme  Tea"]\n', "listening.duplicate", 4),
    ('keywords: [Acme]\ncompetitors:\n  Globex:\n    keywords: ["Ac\\u00adme"]\n', "listening.duplicate", 4),
    ('keywords: [Acme]\ncompetitors:\n  ＡＣＭＥ: {}\n', "listening.duplicate", 3),
    ('keywords: [Straße]\ncompetitors:\n  Globex:\n    keywords: [STRASSE]\n', "listening.duplicate", 4),  # (guard)
    ('keywords: ["Ac\\u200bme", 阿克米]\ncompetitors:\n  Globex: {}\n', None, None),  # (guard: visible letters)
]


@pytest.mark.parametrize("text,rule,line", LISTENING_CASES)
def test_listening_phrases_are_checked_as_matching_reads_them(make_repo, smm, text, rule, line):
    make_repo(calendar=None, files={"brand/listening.yml": text})
    code, found, _ = smm.json("check")
    errors = [(d["rule"], d["line"]) for d in found if d["severity"] == "error"]
    assert errors == ([(rule, line)] if rule else []), found
    assert code == (1 if rule else 0)
    code, out, err = smm("report", "--now", "2026-12-05T12:00:00+00:00")  # never exit 3
    assert code == (1 if rule else 0), err

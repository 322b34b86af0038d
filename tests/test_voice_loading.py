"""Loading rules: Vale rule files unchanged, unsupported fields and kinds, self-tests (specs),
broken rules, rule ids, brand/voice.yml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_voice import brief, check, load, post, voice_repo

FIXTURES = Path(__file__).parent / "fixtures" / "voice"


def vale_repo(tmp_path, posts: dict[str, str]) -> Path:
    root = voice_repo(tmp_path, posts=posts)
    shutil.copytree(FIXTURES / "vale", root / "brand" / "voice" / "Vale")
    return root


def test_vale_rule_files_load_unchanged(tmp_path):
    root = vale_repo(tmp_path, {"p.md": post("x")})
    voice, problems = load(root)
    assert problems == []
    assert sorted(r.id for r in voice.rules) == [
        "voice.Vale.Acronyms", "voice.Vale.Headings", "voice.Vale.Nonword", "voice.Vale.Repetition",
        "voice.Vale.SentenceLength", "voice.Vale.Spelling", "voice.Vale.Terms", "voice.Vale.Weasel"]
    terms = next(r for r in voice.rules if r.name == "Vale.Terms")
    assert (terms.kind, terms.level, terms.ignorecase, terms.link) == (
        "substitution", "error", True, "https://example.com/style/terms")


def test_vale_rule_files_find_what_vale_finds(tmp_path):
    body = ("We utilise GitHub and github e-mail, very very much. It is really fairly good.\n\n"
            "The World Health Organization (WHO) and the WHO. NASA uses an API.\n\n"
            "One two three four five six seven eight nine ten.\n\n"
            "Our advisor and another adviser met at the center, not the centre.")
    root = vale_repo(tmp_path, {"p.md": post(body, title='"The art of tea."')})
    found = check(root)
    summary = sorted((d.line, d.column, d.rule.split(".")[-1], d.severity) for d in found)
    assert summary == [
        (2, 9, "Headings", "warning"),  # $title: "The Art of Tea."
        (2, 22, "Nonword", "warning"),  # end punctuation in the heading
        (6, 4, "Terms", "error"),  # utilise
        (6, 23, "Terms", "error"),  # github (GitHub is already right)
        (6, 30, "Terms", "error"),  # e-mail
        (6, 38, "Repetition", "error"),  # very very
        (6, 38, "Weasel", "warning"),  # the first very; the second is in "very much", an exception
        (6, 43, "SentenceLength", "warning"),  # the 9th of 10 words (max 8)
        (6, 60, "Weasel", "warning"),  # really
        (6, 67, "Weasel", "warning"),  # fairly
        (8, 50, "Acronyms", "warning"),  # NASA: never defined; WHO is, API is an exception
        (10, 41, "SentenceLength", "warning"),
        (12, 25, "Spelling", "error"),  # adviser after advisor
        (12, 44, "SentenceLength", "warning"),
        (12, 60, "Spelling", "error"),  # centre after center
    ]
    headings = found[0]
    assert headings.message.startswith("suggestion: ") and "The Art of Tea" in headings.hint


def test_unsupported_kind_and_fields_are_warnings_naming_them(tmp_path):
    root = voice_repo(tmp_path, posts={"p.md": post("synergy")})
    shutil.copytree(FIXTURES / "unsupported", root / "brand" / "voice", dirs_exist_ok=True)
    voice, problems = load(root)
    assert [(d.file, d.line, d.column, d.severity, d.rule) for d in problems] == [
        ("brand/voice/Extra.yml", 6, 1, "warning", "voice.rule-unsupported"),
        ("brand/voice/Extra.yml", 7, 1, "warning", "voice.rule-unsupported"),
        ("brand/voice/Spellcheck.yml", 1, 10, "warning", "voice.rule-unsupported"),
    ]
    assert "field `selector`" in problems[0].message
    assert "field `swap`" in problems[1].message and "substitution" in problems[1].hint
    assert "`spelling`" in problems[2].message and "skipped" in problems[2].message
    assert [r.id for r in voice.rules] == ["voice.Extra"]  # the rule still works, fields ignored
    assert brief(check(root, voice)) == [(6, 1, "voice.Extra")]


def test_field_typo_gets_did_you_mean(tmp_path):
    root = voice_repo(tmp_path, {"T.yml": "extends: existence\nmessage: x\ntokens: [a]\nignorecas: true\n"})
    [d] = load(root)[1]
    assert d.rule == "voice.rule-unsupported" and d.hint == "did you mean `ignorecase`?"


def test_specs_refuse_a_rule_that_never_matches(tmp_path):
    rules = {
        "Good.yml": "extends: substitution\nmessage: x\nignorecase: true\nswap: {github: GitHub}\n"
                    "specs:\n  - from: 用github发布\n    to: 用GitHub发布\n  - text: GitHub\n    matches: false\n",
        # `\bgithub\b` as Vale would write it: fine here, but the spec says what was meant
        "Wrong.yml": "extends: substitution\nmessage: x\nswap: {Github: GitHub}\n"
                     "specs:\n  - from: use github\n    to: use GitHub\n",
        "Never.yml": "extends: existence\nmessage: x\ntokens: ['第一(?=名)']\nnonword: true\n"
                     "specs:\n  - text: 销量第一\n    matches: true\n",
    }
    root = voice_repo(tmp_path, rules)
    voice, problems = load(root)
    assert [r.id for r in voice.rules] == ["voice.Good"]
    assert [(d.file, d.line, d.column, d.rule, d.severity) for d in problems] == [
        ("brand/voice/Never.yml", 6, 5, "voice.rule-spec", "error"),
        ("brand/voice/Wrong.yml", 5, 5, "voice.rule-spec", "error"),
    ]
    assert "“use github” becomes “use github”, not “use GitHub”" in problems[1].message
    assert "finds nothing in “销量第一”" in problems[0].message


@pytest.mark.parametrize("rule,message", [
    ("extends: existance\nmessage: x\n", "`extends: existance` is not a rule kind"),
    ("extends: existence\nmessage: x\n", "an existence rule needs `tokens`"),
    ("extends: existence\nmessage: x\ntokens: ['(unclosed']\n", "is not a valid regular expression"),
    ("extends: substitution\nmessage: x\n", "needs `swap`"),
    ("extends: occurrence\nmessage: x\ntoken: a\n", "needs `max` or `min`"),
    ("extends: capitalization\nmessage: x\nmatch: $shout\n", "is not one of $title"),
    ("extends: conditional\nmessage: x\nfirst: a\n", "needs `first` and `second`"),
    ("extends: consistency\nmessage: x\n", "needs `either`"),
])
def test_broken_rules_are_errors(tmp_path, rule, message):
    root = voice_repo(tmp_path, {"Bad.yml": rule})
    voice, problems = load(root)
    assert voice.rules == []
    assert len(problems) == 1 and problems[0].is_error and message in problems[0].message, problems
    assert problems[0].file == "brand/voice/Bad.yml"


def test_bad_token_points_at_the_token(tmp_path):
    root = voice_repo(tmp_path, {"Bad.yml": "extends: existence\nmessage: x\ntokens:\n  - fine\n  - '[oops'\n"})
    [d] = load(root)[1]
    assert (d.rule, d.line, d.column) == ("voice.rule-invalid", 5, 5)


def test_schema_errors_in_a_rule_file(tmp_path):
    root = voice_repo(tmp_path, {"Bad.yml": "extends: existence\nmessage: x\nlevel: critical\ntokens: [a]\n"})
    [d] = load(root)[1]
    assert (d.rule, d.line, d.column) == ("schema.enum", 3, 8)


def test_rule_ids_and_file_names(tmp_path):
    root = voice_repo(tmp_path, {"Style/Sub Name.yml": "extends: existence\nmessage: x\ntokens: [a]\n",
                                 "emoji.yml": "extends: existence\nmessage: x\ntokens: [a]\n",
                                 "Ok.yaml": "extends: existence\nmessage: x\ntokens: [a]\n",
                                 "README.md": "not a rule"})
    voice, problems = load(root)
    assert voice.rules == []
    assert sorted((d.file, d.rule, d.severity) for d in problems) == [
        ("brand/voice/Ok.yaml", "voice.rule-file", "warning"),
        ("brand/voice/Style/Sub Name.yml", "voice.rule-name", "error"),
        ("brand/voice/emoji.yml", "voice.rule-name", "error"),
    ]


def test_yaml_11_words_stay_words(tmp_path):
    # Vale reads YAML 1.2: `no`, `on` and `yes` are words there, not booleans
    rule = "extends: substitution\nmessage: \"'%s' not '%s'\"\nlevel: warning\nignorecase: true\nswap:\n  nope: no\n  yup: yes\n"
    root = voice_repo(tmp_path, {"T.yml": rule}, {"p.md": post("nope, yup")})
    assert [d.message for d in check(root)] == ["'no' not 'nope'", "'yes' not 'yup'"]


def test_voice_yml_problems(tmp_path):
    root = voice_repo(tmp_path, {"A.yml": "extends: existence\nmessage: x\ntokens: [a]\n"},
                      voice_yml="emoji: {max: lots}\n")
    voice, problems = load(root)
    assert [(d.file, d.line, d.rule) for d in problems] == [("brand/voice.yml", 1, "schema.type")]
    root = voice_repo(tmp_path / "2", {"A.yml": "extends: existence\nmessage: x\ntokens: [a]\n"},
                      voice_yml="disable: [A, Nope]\nlevels: {Typo: error, A: warning}\n")
    voice, problems = load(root)
    assert [(d.line, d.column, d.rule) for d in problems] == [(2, 10, "voice.unknown-rule"), (1, 14, "voice.unknown-rule")]
    assert voice.rules[0].level == "warning"


def test_every_setting_field_and_rule_id_is_documented():
    import json
    import re
    from importlib import resources

    from conftest import ROOT

    from smm.voice.rules import COMMON_FIELDS, KIND_FIELDS, KINDS

    doc = (ROOT / "README.md").read_text(encoding="utf-8")
    schema = json.loads(resources.files("smm.schemas").joinpath("voice.schema.json").read_text())
    keys = []
    for key, spec in schema["properties"].items():
        keys.append(key)
        keys += [f"{key}.{sub}" for sub in spec.get("properties", {}) if sub not in ("level", "enabled")]
    fields = set(COMMON_FIELDS).union(*KIND_FIELDS.values(), KINDS)
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "smm" / "voice").glob("*.py"))
    rule_ids = set(re.findall(r'"(voice\.[a-z][a-z-]+)"', source))
    missing = [k for k in keys + sorted(fields) + sorted(rule_ids) if f"`{k}`" not in doc]
    assert rule_ids and not missing, f"README.md lacks: {missing}"

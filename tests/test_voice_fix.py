"""`--fix`: substitution fixes written in place (body, title, alt, override text, hashtags),
the rest of each file byte for byte the same, nothing else fixed."""

from __future__ import annotations

from test_voice import load, post, posts_of, voice_repo

from smm.voice import apply_fixes, fix_posts

TERMS = """\
extends: substitution
message: "Use '%s' instead of '%s'."
level: error
ignorecase: true
swap:
  github: GitHub
  utilise: use
  commence: start|begin
  foo: "bar: baz"
"""
TAGS = "extends: substitution\nmessage: x\nlevel: warning\nscope: hashtags\nignorecase: true\nswap: {teatip: TeaTips}\n"
CLICK = "extends: existence\nmessage: x\nlevel: error\ntokens: [click here]\n"


def fix(tmp_path, text: str, rules=None) -> tuple[str, list[str]]:
    root = voice_repo(tmp_path, rules or {"Terms.yml": TERMS, "Tags.yml": TAGS, "Click.yml": CLICK}, {"p.md": text})
    voice, problems = load(root)
    assert problems == []
    changed = apply_fixes(root, posts_of(root), voice)
    return (root / "content" / "p.md").read_text(encoding="utf-8"), changed


def test_fixes_body_title_alt_override_and_hashtags(tmp_path):
    text = (
        "---\n"
        "title: Use github   # a comment stays\n"
        "publish_at: 2026-12-01T12:00\n"
        "platforms: [mastodon]\n"
        "hashtags: [teatip, \"#TEATIP\", Other]\n"
        "media:\n"
        "  - file: a.png\n"
        "    alt: 'We utilise the kettle''s light'\n"
        "overrides:\n"
        "  mastodon:\n"
        "    text: |\n"
        "      First line\n"
        "      then utilise github\n"
        "---\n"
        "We utilise ｇｉｔｈｕｂ; 用github发布. Click here. We commence. `utilise` https://github.com/x\n"
    )
    fixed, changed = fix(tmp_path, text)
    assert changed == ["content/p.md"]
    assert fixed == text.replace("Use github", "Use GitHub").replace("[teatip, \"#TEATIP\"", "[TeaTips, \"#TeaTips\"") \
        .replace("We utilise the kettle", "We use the kettle").replace("then utilise github", "then use GitHub") \
        .replace("We utilise ｇｉｔｈｕｂ; 用github发布", "We use GitHub; 用GitHub发布")
    # nothing left to fix; existence rules and two-way substitutions are never "fixed"
    again, changed = fix(tmp_path, fixed)
    assert changed == [] and again == fixed
    assert "Click here" in fixed and "We commence" in fixed


def test_quoted_and_escaped_title(tmp_path):
    text = post("body", title='"He said \\"utilise\\" \\u2014 github"')
    fixed, _ = fix(tmp_path, text)
    assert fixed == text.replace('\\"utilise\\"', '\\"use\\"').replace("github", "GitHub")


def test_folded_alt_text(tmp_path):
    text = post("body", media="\n  - file: a.png\n    alt: >-\n      A kettle we\n      utilise daily")
    fixed, _ = fix(tmp_path, text)
    assert fixed == text.replace("utilise daily", "use daily")


def test_a_fix_that_would_break_the_yaml_is_not_made(tmp_path):
    text = post("foo in the body", title="foo title")  # plain `title: bar: baz title` is not YAML
    fixed, changed = fix(tmp_path, text)
    assert changed == ["content/p.md"]
    assert fixed == text.replace("foo in the body", "bar: baz in the body")


def test_disabled_rules_are_not_fixed(tmp_path):
    body = "utilise\n<!-- smm-disable Terms -->\nutilise\n<!-- smm-enable Terms -->\nutilise"
    fixed, _ = fix(tmp_path, post(body))
    assert fixed == post("use\n<!-- smm-disable Terms -->\nutilise\n<!-- smm-enable Terms -->\nuse")
    text = post("utilise", voice="{disable: [Terms]}")
    assert fix(tmp_path / "2", text) == (text, [])


def test_crlf_files_are_left_alone(tmp_path):
    text = post("We utilise it").replace("\n", "\r\n")
    root = voice_repo(tmp_path, {"Terms.yml": TERMS})
    (root / "content" / "p.md").write_bytes(text.encode())
    voice, _ = load(root)
    assert apply_fixes(root, posts_of(root), voice) == []
    assert (root / "content" / "p.md").read_bytes() == text.encode()


def test_fix_report(tmp_path):
    root = voice_repo(tmp_path, {"Terms.yml": TERMS}, {"p.md": post("x github", title="utilise")})
    voice, _ = load(root)
    fixes = fix_posts(root, posts_of(root), voice)
    assert [str(f) for f in fixes] == [
        "content/p.md:2:8: voice.Terms: “utilise” → “use”",
        "content/p.md:6:3: voice.Terms: “github” → “GitHub”",
    ]
    assert (root / "content" / "p.md").read_text() == post("x github", title="utilise")  # a plan only

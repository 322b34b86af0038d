"""Social cards (brand/cards/*.yml → PNG): line breaking by 禁则, auto-fitting, template
diagnostics, `smm cards`, cards in previews and publish records, and golden pictures.

The goldens are PNGs in tests/golden/cards/, compared pixel for pixel; after a deliberate change
to the drawing, regenerate them with `SMM_UPDATE_GOLDEN=1 pytest tests/test_cards.py` and look at them.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from conftest import ROOT, post_text
from PIL import Image

from smm.cards import draw, fonts
from smm.cards.linebreak import CLOSING, OPENING, wrap
from smm.cards.templates import Cards, load_cards, make
from smm.workspace.repo import load_repo

GOLDEN = ROOT / "tests" / "golden" / "cards"
FIXTURE = ROOT / "tests" / "fixtures" / "cards"
UPDATE = os.environ.get("SMM_UPDATE_GOLDEN") == "1"

QUOTE = """\
sizes: {default: [1200, 675], instagram: [1080, 1080]}
background: {color: "#1f3d2b"}
logo: {file: brand/cards/logo.png, box: [0.06, 0.07, 0.1, 0.14]}
text: {box: [0.06, 0.25, 0.88, 0.5], font: Noto Serif CJK, weight: bold, size: {min: 36, max: 88}, color: "#f4ecd6", valign: middle}
subtitle: {box: [0.06, 0.8, 0.88, 0.12], size: {min: 20, max: 34}, color: "#c9b98f"}
"""


def _card_repo(make_repo, template: str = QUOTE, posts: dict | None = None, name: str = "quote") -> Path:
    return make_repo(posts or {}, files={f"brand/cards/{name}.yml": template,
                                         "brand/cards/logo.png": (FIXTURE / "logo.png").read_bytes(),
                                         "brand/cards/background.png": (FIXTURE / "background.png").read_bytes()})


def _card_post(text: str = "好水配好茶", card: str = "quote", extra: str = "", **fields) -> str:
    media = f"\n  - card: {card}\n    text: {text}{extra}"
    return post_text("A post with a card", media=media, **fields)


# -- line breaking -------------------------------------------------------------------------------

def _width(text: str) -> int:
    """One unit per character: lines of a fixed number of characters make the cases readable."""
    return len(text)


@pytest.mark.parametrize("text,width,lines", [
    # closing punctuation never starts a line: it goes with the character before it
    ("一二三四，五六", 4, ["一二三", "四，五六"]),
    ("一二三四。", 4, ["一二三", "四。"]),
    ("一二三四」五", 4, ["一二三", "四」五"]),
    ("一二三四！？", 4, ["一二三", "四！？"]),
    ("一二三四……", 4, ["一二三", "四……"]),
    ("一二三四：五六", 4, ["一二三", "四：五六"]),
    ("一二三、四", 3, ["一二", "三、四"]),
    # opening punctuation never ends a line: it goes with the character after it
    ("一二三「四五」", 4, ["一二三", "「四五」"]),
    ("一二三（四）", 4, ["一二三", "（四）"]),
    ("一二三《四》", 4, ["一二三", "《四》"]),
    # a Latin word is never split; a space between words is where a line breaks
    ("用GitHub发布", 6, ["用", "GitHub", "发布"]),
    ("Winter blend is here", 8, ["Winter", "blend is", "here"]),
    ("well-known tea", 10, ["well-known", "tea"]),
    ("茶 3.5% off", 6, ["茶 3.5%", "off"]),
    # mixed: Latin punctuation after CJK is closing punctuation too
    ("一二三四!", 4, ["一二三", "四!"]),
    # the text's own line breaks stay
    ("一二\n三四", 10, ["一二", "三四"]),
    # a word wider than the line stays whole (the caller then finds the text does not fit)
    ("Supercalifragilistic", 5, ["Supercalifragilistic"]),
])
def test_line_breaking_keeps_words_whole_and_follows_kinsoku(text, width, lines):
    assert wrap(text, width, _width) == lines


@pytest.mark.parametrize("text", [
    "冬日限定拼配茶，今天上市。（限量）「好喝」！Winter Blend is here, finally: 80°C 的水。",
    "一、二、三。四，五；六：七？八！九）十」十一』十二》",
    "「《（“开头的引号”）》」与结尾。。。……",
])
@pytest.mark.parametrize("width", [2, 3, 4, 5, 7, 11])
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(text, width):
    found = wrap(text, width, _width)
    assert "".join(found).replace(" ", "") == text.replace(" ", "")
    for line in found[1:]:
        assert line[0] not in CLOSING, found
    for line in found[:-1]:
        assert line[-1] not in OPENING, found


# -- fitting -------------------------------------------------------------------------------------

def test_text_takes_the_largest_size_that_fits():
    spec = {"box": [0, 0, 1, 1], "size": {"min": 10, "max": 200}}
    short, long = draw.fit("茶", spec, (400, 200)), draw.fit("冬日限定拼配茶今天上市" * 3, spec, (400, 200))
    assert short.size > long.size >= 10
    face = fonts.font("Noto Sans CJK", "regular", long.size + 1)  # one pixel larger no longer fits
    assert len(wrap("冬日限定拼配茶今天上市" * 3, 400, face.getlength)) * (long.size + 1) * 1.3 > 200 - (long.size + 1) * 0.5


# -- template and post diagnostics ---------------------------------------------------------------

@pytest.mark.parametrize("template,rule,line", [
    (QUOTE.replace("[0.06, 0.25, 0.88, 0.5]", "[0.5, 0.25, 0.88, 0.5]"), "card.box", 4),
    (QUOTE.replace("{min: 36, max: 88}", "{min: 90, max: 88}"), "card.size-range", 4),
    (QUOTE.replace("brand/cards/logo.png", "brand/cards/nope.png"), "card.file", 3),
    (QUOTE.replace("brand/cards/logo.png", "platforms.yml"), "card.file", 3),
    (QUOTE.replace("background: {color:", "background: {colour:"), "schema.unknown-field", 2),
    (QUOTE.replace('"#f4ecd6"', '"green"'), "schema.pattern", 4),
    (QUOTE.replace("Noto Serif CJK", "Comic Sans"), "schema.enum", 4),
    (QUOTE.replace("text: {box", "title: {box"), "schema.required", 1),
])
def test_broken_templates_are_reported_where_they_are_wrong(make_repo, smm, template, rule, line):
    _card_repo(make_repo, template, {"a.md": _card_post()})
    code, out, _ = smm("check")
    assert code == 1
    assert f"brand/cards/quote.yml:{line}:" in out and f"[{rule}]" in out, out
    assert "card.unknown" not in out  # the post is not told the template it names is unknown


@pytest.mark.parametrize("post,rule,where", [
    (_card_post(card="nope"), "card.unknown", ":6:"),
    (_card_post(text="这段文字太长了" * 40), "card.text-overflow", ":7:"),
    (_card_post(text="Pneumonoultramicroscopicsilicovolcanoconiosis" * 2), "card.text-overflow", ":7:"),
    (_card_post(extra="\n    file: content/media/a.png"), "schema.not", ":8:"),
    (post_text("A post", media="\n  - card: quote"), "schema.required", ":6:"),
])
def test_card_entries_in_posts_are_checked(make_repo, smm, post, rule, where):
    _card_repo(make_repo, posts={"a.md": post})
    code, out, _ = smm("check")
    assert code == 1
    assert f"content/a.md{where}" in out and f"[{rule}]" in out, out


def test_a_template_no_post_could_name_is_reported(make_repo, smm):
    _card_repo(make_repo, name="Big Quote")
    code, out, _ = smm("check")
    assert code == 1 and "brand/cards/Big Quote.yml:1:1: error[card.name]" in out


def test_a_subtitle_without_a_box_is_reported(make_repo, smm):
    template = QUOTE.replace("subtitle: {box", "# subtitle: {box")
    _card_repo(make_repo, template, {"a.md": _card_post(extra="\n    subtitle: 副标题")})
    code, out, _ = smm("check")
    assert code == 1 and "[card.no-subtitle-box]" in out


def test_overflow_is_per_size_of_each_network(make_repo, smm):
    """A text that fits the wide card may not fit the square one (and is reported for that account)."""
    template = QUOTE.replace("instagram: [1080, 1080]", "bluesky: [400, 400]")
    _card_repo(make_repo, template, {"a.md": _card_post(text="冬日限定拼配茶今天上市" * 5, platforms="[mastodon, bluesky]")})
    code, out, _ = smm("check")
    assert code == 1 and "does not fit card `quote` at 400×400" in out and "at 1200×675" not in out


def run_with_fonts_from(folder: Path, monkeypatch, run):
    """`run()` with the card fonts of `folder` alone (no system font, nothing Pillow finds by name)."""
    monkeypatch.setattr(fonts, "FOLDERS", ())
    monkeypatch.setenv("SMM_FONTS_DIR", str(folder))
    monkeypatch.setenv("XDG_DATA_DIRS", str(folder / "none"))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "none"))
    fonts.font.cache_clear()
    try:
        return run()
    finally:
        fonts.font.cache_clear()


def test_a_missing_font_names_the_package(make_repo, smm, monkeypatch, tmp_path):
    _card_repo(make_repo, posts={"a.md": _card_post()})
    code, out, _ = run_with_fonts_from(tmp_path / "no-fonts", monkeypatch, lambda: smm("check"))
    assert code == 1 and "[card.font-missing]" in out and "fonts-noto-cjk" in out and "noto-cjk" in out


# -- making the pictures ---------------------------------------------------------------------------

def test_smm_cards_draws_each_card_once_per_size(make_repo, smm, tmp_path):
    template = QUOTE.replace("instagram: [1080, 1080]", "bluesky: [1080, 1080]")
    root = _card_repo(make_repo, template, {"a.md": _card_post(platforms="[feed, mastodon, bluesky]")})
    code, out, err = smm("cards")
    assert code == 0, err
    files = sorted(p.name for p in (root / "data" / "cards").iterdir())
    assert len(files) == 2 and files[0].startswith("quote-1080x1080-") and files[1].startswith("quote-1200x675-")
    assert "feed, mastodon" in out and "bluesky" in out
    with Image.open(root / "data" / "cards" / files[0]) as image:
        assert image.size == (1080, 1080) and image.format == "PNG"
    code, out, _ = smm("cards", "--out", str(tmp_path / "out"))
    assert code == 0 and sorted(p.name for p in (tmp_path / "out").iterdir()) == files


def test_smm_cards_fails_on_overflow(make_repo, smm):
    _card_repo(make_repo, posts={"a.md": _card_post(text="太长" * 300)})
    code, _, err = smm("cards")
    assert code == 1 and "card.text-overflow" in err


def test_a_card_is_a_picture_in_the_preview_with_its_text_as_alt(make_repo, smm):
    _card_repo(make_repo, posts={"a.md": _card_post(text="好水配好茶", extra="\n    subtitle: 云叶茶")})
    code, out, _ = smm("preview", "--format", "json")
    assert code == 0
    media = [a["media"] for p in __import__("json").loads(out) for a in p["accounts"]]
    assert all(m[0]["file"].startswith("data/cards/quote-1200x675-") and m[0]["alt"] == "好水配好茶 — 云叶茶" for m in media)


def test_the_same_card_gives_the_same_bytes_and_the_same_record_digest(make_repo):
    from smm.publish.attempts import content_of
    from smm.render.rendered import Renderer

    root = _card_repo(make_repo, posts={"a.md": _card_post()})
    repo = load_repo(root)
    renderer = Renderer(root, repo.config, repo.brand)
    first = renderer.render(repo.posts[0], "mastodon")
    data = (root / first.media[0].file).read_bytes()
    (root / first.media[0].file).unlink()  # drawn again from scratch
    again = Renderer(root, repo.config, repo.brand).render(repo.posts[0], "mastodon")
    assert (root / again.media[0].file).read_bytes() == data
    assert content_of(first, root) == content_of(again, root)
    with Image.open(io.BytesIO(data)) as image:
        assert not image.info or set(image.info) <= {"dpi"}  # no time stamps, no text chunks


def test_changing_the_text_makes_a_new_picture(make_repo):
    root = _card_repo(make_repo)
    cards, _ = load_cards(root)
    one = make(root, cards, {"card": "quote", "text": "一"}, "mastodon", "mastodon")
    two = make(root, cards, {"card": "quote", "text": "二"}, "mastodon", "mastodon")
    assert one.file != two.file and (root / one.file).read_bytes() != (root / two.file).read_bytes()


# -- golden pictures -----------------------------------------------------------------------------

GOLDEN_CASES = {
    "mixed-wide": (QUOTE, {"text": "好水配好茶：80°C 的水，让 Winter Blend 的香气慢慢展开。", "subtitle": "Cloudleaf Tea 云叶茶 · Brewing tips"}, "mastodon"),
    "mixed-square": (QUOTE, {"text": "「冬日限定」拼配茶，今天上市！Limited winter blend, out today.", "subtitle": "云叶茶"}, "instagram"),
    "centred-image": ("""\
background: {image: brand/cards/background.png}
text: {box: [0.1, 0.1, 0.8, 0.8], font: Noto Sans CJK, size: {min: 20, max: 120}, color: "#ffffff", align: center, valign: middle}
""", {"text": "一二三四五六七八九十，（括号）与 English words 混排。"}, "mastodon"),
    "right-bottom": ("""\
sizes: {default: [600, 400]}
background: {color: "#fff"}
text: {box: [0.05, 0.05, 0.9, 0.9], size: {min: 12, max: 40}, color: "#333", align: right, valign: bottom, weight: bold}
""", {"text": "第一行\n第二行，很长很长很长很长很长很长很长很长很长很长。"}, "mastodon"),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_cards(make_repo, tmp_path, name):
    template, texts, platform = GOLDEN_CASES[name]
    root = _card_repo(make_repo, template)
    cards, found = load_cards(root)
    assert not found and isinstance(cards, Cards)
    item = {"card": "quote", **texts}
    first = make(root, cards, item, platform, platform, tmp_path / "one")
    second = make(root, cards, item, platform, platform, tmp_path / "two")
    assert not first.problems
    data = Path(first.file).read_bytes()
    assert Path(second.file).read_bytes() == data  # the same bytes every time
    golden = GOLDEN / f"{name}.png"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
    assert golden.exists(), f"no golden picture {golden}; run with SMM_UPDATE_GOLDEN=1"
    with Image.open(io.BytesIO(data)) as actual, Image.open(golden) as expected:
        assert (actual.mode, actual.size) == (expected.mode, expected.size)
        assert actual.tobytes() == expected.tobytes(), f"{name}: pixels differ from {golden}"


def test_publishing_sends_the_card_as_a_picture_once(make_repo, smm):
    import json

    platforms = "timezone: UTC\naccounts:\n  local: {platform: local, path: .local/local}\n"
    root = _card_repo(make_repo, posts={"a.md": _card_post(text="好水配好茶", platforms="[local]",
                                                         publish_at="2026-12-01T12:00")})
    (root / "platforms.yml").write_text(platforms, encoding="utf-8")
    code, out, err = smm("publish", "--now", "2026-12-01T12:05")
    assert code == 0, out + err
    sent = json.loads((root / ".local/local/posts.json").read_text(encoding="utf-8"))
    assert [p["media"] for p in sent] == [["好水配好茶"]]
    cards = list((root / "data/cards").iterdir())
    assert len(cards) == 1 and cards[0].name.startswith("quote-1200x675-")
    code, _, _ = smm("publish", "--now", "2026-12-01T12:35")
    assert code == 0 and len(json.loads((root / ".local/local/posts.json").read_text(encoding="utf-8"))) == 1


@pytest.mark.parametrize("field,value,line", [("text", "A revolutionary tea", 7), ("subtitle", "Cutting-edge 茶", 8)])
def test_the_brand_voice_reads_card_texts(make_repo, smm, field, value, line):
    rule = ("extends: existence\nmessage: \"'%s' is hype\"\nlevel: error\nignorecase: true\n"
            "tokens: [revolutionary, cutting-edge]\n")
    extra = f"\n    subtitle: {value}" if field == "subtitle" else ""
    text = value if field == "text" else "好水配好茶"
    _card_repo(make_repo, posts={"a.md": _card_post(text=text, extra=extra)})
    make_repo.write("brand/voice/Hype.yml", rule)
    code, out, _ = smm("check")
    assert code == 1 and f"content/a.md:{line}:" in out and "[voice.Hype]" in out, out

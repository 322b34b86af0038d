"""Card templates (brand/cards/<name>.yml), each read and checked once, and a post's card media
entry made into a picture in the repository (data/cards/<name>-<digest>.png) that is then
published, previewed and recorded like any other media file."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from smm.cards import fonts
from smm.check.diagnostics import ERROR, Diagnostic
from smm.content import media
from smm.workspace.config import load_yaml_file
from smm.workspace.files import inside, open_regular, write_atomic
from smm.workspace.positions import Positions
from smm.workspace.settings import CARDS_DIR

OUTPUT_DIR = "data/cards"
DEFAULT_SIZES = {"default": [1200, 675]}
DRAWING_VERSION = "1"  # bump when the drawing changes: card file names change with it
TEXT_BOXES = ("text", "subtitle")
CARD_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")  # as a post's `card:` may name it


@dataclass(frozen=True)
class Card:
    name: str
    file: str
    data: dict
    positions: Positions = field(compare=False, repr=False)

    def size(self, account: str, platform: str) -> tuple[int, int]:
        """Width and height for an account: by its name, its network's, else `default`."""
        sizes = {**DEFAULT_SIZES, **self.data.get("sizes", {})}
        width, height = sizes.get(account) or sizes.get(platform) or sizes["default"]
        return width, height


@dataclass(frozen=True)
class Cards:
    """The templates without errors by name, the names of those with errors (reported in their file),
    and the pictures every template names (what their checks read besides brand/cards/)."""

    templates: dict[str, Card] = field(default_factory=dict)
    broken: frozenset[str] = frozenset()
    pictures: tuple[str, ...] = ()


def load_cards(root: Path) -> tuple[Cards, list[Diagnostic]]:
    """Every brand/cards/*.yml, schema-checked, with its boxes, sizes and pictures checked."""
    folder = root / CARDS_DIR
    names = sorted(p.name for p in folder.iterdir() if p.suffix == ".yml") if folder.is_dir() else []
    templates, broken, found, pictures = {}, set(), [], []
    for name in names:
        file = f"{CARDS_DIR}/{name}"
        if not CARD_NAME.fullmatch(name[:-4]):
            found.append(Diagnostic(file, 1, 1, ERROR, "card.name", f"`{name}`: no post could name this template",
                                    "name it with lowercase letters, digits, `-` and `_` (`quote.yml`): a post says `card: quote`"))
            continue
        loaded = load_yaml_file(root, file, "card")
        pictures += _pictures(loaded.data)
        problems = loaded.diagnostics or _meaning(root, file, loaded.data, loaded.positions)
        found += problems
        if any(d.is_error for d in problems):
            broken.add(name[:-4])
        else:
            templates[name[:-4]] = Card(name[:-4], file, loaded.data, loaded.positions)
    return Cards(templates, frozenset(broken), tuple(sorted(set(pictures)))), found


def _pictures(data) -> list[str]:
    """The background image and logo file a card template names (whatever else is wrong with it)."""
    if not isinstance(data, dict):
        return []
    named = [(data.get("background"), "image"), (data.get("logo"), "file")]
    return [part[key] for part, key in named if isinstance(part, dict) and isinstance(part.get(key), str)]


def _meaning(root: Path, file: str, data: dict, positions: Positions) -> list[Diagnostic]:
    """What the schema cannot say: boxes inside the card, size ranges the right way round, pictures usable."""
    found = []

    def problem(path, rule, message, hint=None):
        found.append(Diagnostic.at(file, positions.at(path), ERROR, rule, message, hint))

    boxes = [(("logo", "box"), data.get("logo", {}).get("box"))] + [((b, "box"), data.get(b, {}).get("box")) for b in TEXT_BOXES]
    for path, box in boxes:
        if box and (box[0] + box[2] > 1.0001 or box[1] + box[3] > 1.0001 or not box[2] or not box[3]):
            problem(path, "card.box", f"`{'.'.join(path)}` {box} is not inside the card",
                    "`[left, top, width, height]` as fractions of the card: left + width and top + height at most 1")
    for box in TEXT_BOXES:
        sizes = data.get(box, {}).get("size")
        if sizes and sizes["min"] > sizes["max"]:
            problem((box, "size"), "card.size-range", f"`{box}.size`: min {sizes['min']} is over max {sizes['max']}")
    pictures = [(("background", "image"), data.get("background", {}).get("image")), (("logo", "file"), data.get("logo", {}).get("file"))]
    for path, picture in pictures:
        if picture:
            why = _unusable_picture(root, picture)
            if why:
                problem(path, "card.file", f"`{picture}` {why}", "paths are from the repository root, e.g. `brand/cards/logo.png`")
    return found


def _unusable_picture(root: Path, file: str) -> str | None:
    path, outside = inside(root, file)
    if outside:
        return outside
    if not os.path.isfile(path):
        return "does not exist"
    info = media.inspect(path)
    if info.problem:
        return info.problem
    return None if info.mime in ("image/png", "image/jpeg", "image/webp", "image/gif") else f"is {info.mime}, not a PNG, JPEG, WebP or GIF picture"


@dataclass(frozen=True)
class Made:
    """A card entry made into a picture: its file (None when it could not be made), its alt text,
    and (path under the entry, rule, message, hint) for each problem."""

    file: str | None
    alt: str | None
    problems: tuple = ()


def make(root: Path, cards: Cards, item: dict, account: str, platform: str, folder: Path | None = None) -> Made:
    """The picture for a post's media entry `card: NAME` as this account gets it: a file under
    data/cards/ (drawn when not there yet), or drawn again into `folder` when given."""
    name = item["card"]
    alt = item.get("alt") or " — ".join(" ".join(item[box].split("\n")) for box in TEXT_BOXES if item.get(box))
    card = cards.templates.get(name)
    if card is None:
        if name in cards.broken:  # its errors are reported in its file; the post waits for them (never sent without it)
            return Made(None, alt, ((("card",), "card.broken", f"card template `{name}` has errors "
                                     f"({CARDS_DIR}/{name}.yml): the card cannot be drawn",
                                     f"fix {CARDS_DIR}/{name}.yml (smm check names its errors)"),))
        known = ", ".join(sorted(cards.templates)) or f"none: add {CARDS_DIR}/{name}.yml"
        return Made(None, alt, ((("card",), "card.unknown", f"no card template `{name}` ({CARDS_DIR}/{name}.yml)",
                                 f"templates: {known}"),))
    texts = {box: item[box] for box in TEXT_BOXES if item.get(box) and box in card.data}
    problems = [(("subtitle",), "card.no-subtitle-box", f"card `{name}` has no `subtitle` box: the subtitle is not shown",
                 f"add `subtitle:` to {card.file}, or remove it here")] if item.get("subtitle") and "subtitle" not in card.data else []
    size = card.size(account, platform)
    file = f"{OUTPUT_DIR}/{file_name(root, card, texts, size)}"
    if folder is None and os.path.isfile(root / file):  # drawn before (and maybe published): kept, so its digest stays
        return Made(file, alt, tuple(problems))
    from smm.cards import draw  # (the drawing and its line breaking: only where a card is drawn)

    try:
        unfit = undrawable(card, texts) + overflows(card, texts, size)
        if unfit:
            return Made(None, alt, tuple(problems + unfit))
        target = (folder or root / OUTPUT_DIR) / Path(file).name
        write_atomic(target, draw.render(root, card.data, texts, size), root)
        return Made(str(target) if folder else file, alt, tuple(problems))
    except fonts.FontMissing as exc:
        return Made(None, alt, tuple(problems) + ((("card",), "card.font-missing", str(exc), fonts.INSTALL_HINT),))


def undrawable(card: Card, texts: dict) -> list[tuple]:
    """`card.glyph-missing` for each text with characters its box's font has no glyph for (emoji,
    Arabic, Hebrew, Thai, control characters): the card would show an empty box for each."""
    found = []
    for box, text in texts.items():
        family = card.data[box].get("font", "Noto Sans CJK")
        missing = fonts.undrawable(text, family, card.data[box].get("weight", "regular"))
        if missing:
            shown = ", ".join(f"U+{ord(char):04X}" + (f" {char}" if char.isprintable() else "") for char in missing[:10])
            shown += f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            found.append(((box,), "card.glyph-missing", f"the {box} has characters font `{family}` cannot draw "
                          f"(the card would show an empty box for each): {shown}", "remove them from the card's text "
                          "(they may stay in the post's text and the card's `alt`)"))
    return found


def overflows(card: Card, texts: dict, size: tuple[int, int]) -> list[tuple]:
    """`card.text-overflow` for each text that does not fit its box even at the box's smallest size."""
    from smm.cards import draw

    found = []
    for box, text in texts.items():
        if not draw.fit(text, card.data[box], size).fits:
            smallest = card.data[box].get("size", draw.DEFAULT_SIZE)["min"]
            found.append(((box,), "card.text-overflow", f"the {box} does not fit card `{card.name}` at "
                          f"{size[0]}×{size[1]} even at its smallest size ({smallest} px)",
                          f"shorten it, or give the box in {card.file} more room or a smaller `size.min`"))
    return found


def file_name(root: Path, card: Card, texts: dict, size: tuple[int, int]) -> str:
    """`<card>-<w>x<h>-<digest>.png`, the digest of everything the card is drawn from: the drawing
    code's version, the template, its pictures, the texts and the size."""
    digest = hashlib.blake2b(json.dumps([DRAWING_VERSION, card.data, texts, size], sort_keys=True).encode(), digest_size=8)
    for picture in (card.data.get("background", {}).get("image"), card.data.get("logo", {}).get("file")):
        if picture:
            with open_regular(root / picture) as handle:
                digest.update(handle.read())
    return f"{card.name}-{size[0]}x{size[1]}-{digest.hexdigest()}.png"


@dataclass(frozen=True)
class MadeCard:
    post: str  # the post's file
    account: str
    file: str  # the picture written (under data/cards/, or the --out folder)


def make_all(repo, folder: Path | None = None) -> tuple[list[MadeCard], list[Diagnostic]]:
    """Every card the posts use, for each account they go to (`smm cards`), with the problems of
    the templates and of the card entries."""
    from smm.platforms import platform_class

    cards = repo.brand.cards or Cards()
    made, found = [], [d for d in repo.diagnostics if d.file.startswith(CARDS_DIR + "/")]
    for post in repo.posts:
        for account in post.accounts:
            if account not in repo.config.accounts:
                continue
            view = post.for_account(account)
            platform = platform_class(repo.config.accounts[account].platform).name
            for index, item in enumerate(view.media):
                if not isinstance(item, dict) or "card" not in item:
                    continue
                one = make(repo.root, cards, item, account, platform, folder)
                where = (view.media_path or ("media",)) + (index,)
                found += [Diagnostic.at(post.file, post.at(where + path), ERROR, rule, message, hint)
                          for path, rule, message, hint in one.problems]
                if one.file:
                    made.append(MadeCard(post.file, account, one.file))
    return made, sorted(set(found))


def by_file(made: list[MadeCard]) -> dict[str, list[MadeCard]]:
    """The pictures made, each once, with the posts and accounts that use it."""
    grouped: dict[str, list[MadeCard]] = {}
    for one in made:
        grouped.setdefault(one.file, []).append(one)
    return grouped

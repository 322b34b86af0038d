"""brand/brand.yml (rendering settings) and brand/handles.yml (who `@{name}` is on each network)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from smm.check.diagnostics import Diagnostic
from smm.content.post import published
from smm.workspace.config import YamlFile
from smm.workspace.patterns import LazyPattern

BRAND_FILE = "brand/brand.yml"
HANDLES_FILE = "brand/handles.yml"
THEME_FILE = "brand/theme.yml"  # how articles look (smm.render.article)


@dataclass(frozen=True)
class Brand:
    name: str = ""
    hashtag_placement: str = "end"
    thread_numbering: bool = False
    alt_required: bool = True
    language: str | None = None  # brand.yml's `language`; see page_language
    sponsored_reviewers: tuple[str, ...] = ()  # GitHub logins who approve sponsored posts (smm.check.approval)
    handles: dict = field(default_factory=dict)
    handles_broken: Diagnostic | None = None  # brand/handles.yml's first error: a post with a mention waits for it
    theme: dict = field(default_factory=dict)  # brand/theme.yml (articles), empty while it has errors
    include_inbox: bool = False  # brand.yml's `site: {include_inbox}`: inbox texts on the static site
    staff: tuple[str, ...] = ()  # brand.yml's `staff`: handles or handles.yml names who never win a giveaway
    cards: object = None  # smm.cards.templates.Cards: the card templates of brand/cards/
    hashtag_sets: dict = field(default_factory=dict)  # brand/hashtags.yml: set name → hashtags, in priority order

    def handle(self, who: str, account: str, platform: str) -> str | None:
        """`@{who}` as written for this account: by account name, platform name, then `default`."""
        entry = self.handles.get(who) or {}
        return entry.get(account) or entry.get(platform) or entry.get("default")


def brand_from(root: Path, settings: YamlFile, handles: YamlFile, theme: YamlFile | None = None) -> tuple[Brand, list[Diagnostic]]:
    """brand/brand.yml, brand/handles.yml and brand/theme.yml (both reported on their own) → Brand;
    a file with problems counts as empty."""
    data = settings.data if not settings.diagnostics else {}
    brand = Brand(
        name=data.get("name", root.name),
        hashtag_placement=data.get("hashtag_placement", "end"),
        thread_numbering=data.get("thread_numbering", False),
        alt_required=data.get("alt_text", "required") == "required",
        language=data.get("language"),
        sponsored_reviewers=tuple((data.get("sponsored") or {}).get("reviewers", ())),
        handles=handles.data if not handles.diagnostics else {},
        handles_broken=next((d for d in handles.diagnostics if d.is_error), None),
        theme=theme.data if theme is not None and not theme.diagnostics else {},
        include_inbox=(data.get("site") or {}).get("include_inbox", False),
        staff=tuple(data.get("staff", ())),
    )
    return brand, settings.diagnostics


# kana before Han: Japanese writes both
_SCRIPTS = (("ja", LazyPattern(r"[\u3040-\u30ff]")), ("zh", LazyPattern(r"[\u4e00-\u9fff]")),
            ("ko", LazyPattern(r"[\uac00-\ud7af]")))


def first_language(post) -> str | None:
    languages = published(post.meta.get("languages"))
    return languages[0] if isinstance(languages, list) and languages and isinstance(languages[0], str) else None


def page_language(brand: Brand, posts, firsts=None) -> str:
    """The `lang` of the brand's HTML pages: brand.yml's `language`, else the posts' most common
    first language, else the script of the brand's name, else `en`; `firsts`: the posts' first
    languages, when known."""
    if brand.language:
        return brand.language
    firsts = Counter(filter(None, map(first_language, posts) if firsts is None else firsts))
    if firsts:
        return firsts.most_common(1)[0][0]
    for tag, script in _SCRIPTS:
        if script.search(brand.name):
            return tag
    return "en"

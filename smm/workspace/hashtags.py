"""brand/hashtags.yml: named hashtag sets, and a post's `hashtags` with its `+set` entries expanded.

A set's hashtags stand where the post names the set, in the set's order; when a network caps
the number of hashtags, the ones from sets give way from the last, the post's own never do (too
many of those stays the error `render.too-many-hashtags`).
"""

from __future__ import annotations

from dataclasses import dataclass

from smm.check.diagnostics import ERROR, Diagnostic
from smm.workspace.config import YamlFile

HASHTAGS_FILE = "brand/hashtags.yml"
SET_MARK = "+"


@dataclass(frozen=True)
class Tag:
    text: str  # as written, `#` optional
    from_set: str | None = None  # the set it came from; None: the post's own


def hashtag_sets_from(loaded: YamlFile) -> tuple[dict[str, list[str] | None], list]:
    """The sets, and every problem: schema errors, and tags no network would link. A set with an
    error is None: a post naming it waits for it (`hashtags.broken-set`), never sent without its tags."""
    from smm.content.post import hashtag_problem

    found = list(loaded.diagnostics)
    sets = {}
    for name, tags in loaded.data.items():  # a set the schema refused still exists: no post is told it is unknown
        tags = [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []
        for index, tag in enumerate(tags):
            problem = hashtag_problem(tag)
            if problem:
                found.append(Diagnostic.at(HASHTAGS_FILE, loaded.positions.at((name, index)), ERROR, "hashtags.tag",
                                           f"set `{name}`: hashtag `{tag}` {problem}",
                                           "a hashtag is letters (any script), digits and `_`; a set cannot name another set"))
        sets[str(name)] = [tag for tag in tags if not hashtag_problem(tag)]
    for name in list(sets):
        first, last = loaded.positions.of_key((name,))[0], loaded.positions.of_value((name,))[2]
        if any(d.is_error and first <= d.line <= last for d in found):
            sets[name] = None
    return sets, found


def is_set(entry: object) -> bool:
    return isinstance(entry, str) and entry.startswith(SET_MARK)


def expand(entries: list, sets: dict[str, list[str] | None]) -> tuple[list[Tag], list[tuple[int, str]]]:
    """(the hashtags with each `+set` replaced by its tags, each once; (index, set name) of each set
    that brand/hashtags.yml does not define, or defines with errors)."""
    tags: list[Tag] = []
    unknown: list[tuple[int, str]] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if is_set(entry):
            name = entry[len(SET_MARK):]
            if sets.get(name) is None:
                unknown.append((index, name))
            found = [Tag(tag, name) for tag in sets.get(name) or ()]
        else:
            found = [Tag(entry)]
        for tag in found:
            key = tag.text.lstrip("#").casefold()
            if key not in seen:
                seen.add(key)
                tags.append(tag)
    return tags, unknown


def capped(tags: list[Tag], room: int | None) -> list[Tag]:
    """The tags within a cap of `room`: the ones from sets give way from the last."""
    if room is None:
        return tags
    kept = list(tags)
    for index in range(len(kept) - 1, -1, -1):
        if len(kept) <= room:
            break
        if kept[index].from_set is not None:
            del kept[index]
    return kept


def unknown_set(file: str, place: tuple, name: str, sets: dict) -> Diagnostic:
    from smm.workspace.schema import did_you_mean

    if name in sets:
        return Diagnostic.at(file, place, ERROR, "hashtags.broken-set", f"hashtag set `{name}` has errors in {HASHTAGS_FILE}: "
                             "its hashtags cannot be added", f"fix {HASHTAGS_FILE} (smm check names its errors)")
    known = ", ".join(sorted(sets)) or "none yet"
    return Diagnostic.at(file, place, ERROR, "hashtags.unknown-set", f"no hashtag set `{name}` in {HASHTAGS_FILE}",
                         did_you_mean(name, sets) or f"sets: {known}")

"""brand/listening.yml: what `smm listen` looks for, checked once: `load_listening(root)`.

    keywords / hashtags     the brand's names and tags (subject `brand`)
    exclude                 phrases that rule a post out
    competitors             name → keywords (default: the name) and accounts per network

Beyond the schema: a competitor named `brand`, an account on a network smm does not know, a phrase
that is nothing once matching drops invisible characters, one phrase given to two subjects (whose
mention would it be?) and a keyword an exclusion always rules out are errors at their line
(`listening.*`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from smm.check.diagnostics import ERROR, WARNING, Diagnostic
from smm.errors import ConfigError
from smm.workspace.config import YamlFile, load_yaml_file
from smm.workspace.settings import LISTENING_FILE

BRAND = "brand"  # the subject of the brand's own keywords and hashtags


@dataclass(frozen=True)
class Competitor:
    name: str
    keywords: tuple[str, ...]
    accounts: dict[str, str]  # network (platform name) → handle


@dataclass(frozen=True)
class Term:
    """One thing to search for: a keyword or a hashtag (`hashtag` True, without `#`), and whose it is."""

    text: str
    subject: str  # `brand` or a competitor's name
    hashtag: bool = False

    @property
    def query(self) -> str:
        return f"#{self.text}" if self.hashtag else self.text


@dataclass(frozen=True)
class Listening:
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    competitors: tuple[Competitor, ...] = ()

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every keyword and hashtag, the brand's first, then each competitor's in the file's order."""
        return (tuple(Term(k, BRAND) for k in self.keywords) + tuple(Term(h, BRAND, True) for h in self.hashtags)
                + tuple(Term(k, c.name) for c in self.competitors for k in c.keywords))


def listening_from(loaded: YamlFile) -> tuple[Listening | None, list[Diagnostic]]:
    """The settings row of brand/listening.yml: None when the file is absent or broken."""
    if not loaded.exists:
        return None, []
    if loaded.diagnostics:
        return None, list(loaded.diagnostics)
    data = loaded.data
    competitors = tuple(Competitor(name, tuple(spec.get("keywords") or [name]), dict(spec.get("accounts") or {}))
                        for name, spec in (data.get("competitors") or {}).items())
    listening = Listening(tuple(data.get("keywords") or ()), tuple(data.get("exclude") or ()),
                          tuple(data.get("hashtags") or ()), competitors)
    found = _problems(loaded, listening)
    return (None if any(d.severity == ERROR for d in found) else listening), found


class BrokenListening(ConfigError):
    """brand/listening.yml has errors: its diagnostics are printed, and the command exits 1 like `smm check`."""

    exit_code = 1


def load_listening(root: Path) -> Listening | None:
    """brand/listening.yml, or None when there is none; a broken file raises BrokenListening."""
    from smm.workspace.files import SourceLines
    from smm.workspace.lookalikes import explain

    listening, found = listening_from(load_yaml_file(root, LISTENING_FILE, "listening"))
    if any(d.is_error for d in found):
        raise BrokenListening(f"{LISTENING_FILE} has errors", diagnostics=explain(found, SourceLines(root).line),
                              root=root)
    return listening


def _problems(loaded: YamlFile, listening: Listening) -> list[Diagnostic]:
    from smm.platforms import platform_class, registry

    def known(network: str) -> bool:
        try:
            return bool(platform_class(network))
        except KeyError:
            return False

    found, at = [], loaded.positions.at
    for competitor in listening.competitors:
        where = ("competitors", competitor.name)
        if competitor.name.casefold() == BRAND:
            found.append(Diagnostic.at(LISTENING_FILE, at(where, key=True), ERROR, "listening.name",
                                       "a competitor cannot be named `brand`: that is the brand's own subject"))
        for network in competitor.accounts:
            if not known(network):
                found.append(Diagnostic.at(LISTENING_FILE, at((*where, "accounts", network), key=True), ERROR,
                                           "listening.account", f"{competitor.name}: `{network}` is no network smm knows",
                                           f"one of {', '.join(sorted(registry()))}"))
    found += _invisible(loaded)
    if any(d.rule in ("listening.name", "listening.empty") for d in found):  # whose keyword is whose cannot be told
        return found
    return found + _term_problems(loaded, listening)


def _invisible(loaded: YamlFile) -> list[Diagnostic]:
    """Each phrase (a keyword, an exclusion, a hashtag, a competitor's name as its keyword) that holds
    nothing once matching drops invisible characters (`\u200b` alone): it would name nothing, or, as a
    hashtag, every `#`."""
    from smm.listening.matching import normal

    data, places = loaded.data, []
    for key in ("keywords", "exclude", "hashtags"):
        places += [((key, index), phrase, False) for index, phrase in enumerate(data.get(key) or [])]
    for name, spec in (data.get("competitors") or {}).items():
        given = (spec or {}).get("keywords")
        places += ([(("competitors", name, "keywords", index), phrase, False) for index, phrase in enumerate(given)]
                   if given else [(("competitors", name), name, True)])
    return [Diagnostic.at(LISTENING_FILE, loaded.positions.at(where, key=key), ERROR, "listening.empty",
                          f"`{phrase.encode('unicode_escape').decode()}` is only invisible characters (zero-width "
                          "and format characters, which matching drops): it would name no post",
                          "write the phrase in visible letters")
            for where, phrase, key in places if not normal(phrase).split()]


def _term_problems(loaded: YamlFile, listening: Listening) -> list[Diagnostic]:
    """A phrase given to two subjects; a keyword an exclusion always rules out."""
    from smm.listening.matching import holds, normal

    found, owner = [], {}
    for term in (t for t in listening.terms if not t.hashtag):
        where = _keyword_path(loaded.data, term)
        position = loaded.positions.at(where, key=where[0] == "competitors" and len(where) == 2)
        key = " ".join(normal(term.text).split())  # as matching compares them: width, case, white space
        if owner.setdefault(key, term.subject) != term.subject:
            found.append(Diagnostic.at(LISTENING_FILE, position, ERROR, "listening.duplicate",
                                       f"`{term.text}` names both {_subject(owner[key])} and {_subject(term.subject)}: "
                                       "whose mention would it be?", "give each phrase to one subject"))
        ruled_out = next((e for e in listening.exclude if holds(term.text, e)), None)
        if ruled_out:
            found.append(Diagnostic.at(LISTENING_FILE, position, WARNING, "listening.excluded",
                                       f"`{term.text}` holds the exclusion `{ruled_out}`: no post naming it is ever kept"))
    return found


def _keyword_path(data: dict, term: Term) -> tuple:
    """Where the file says a keyword: its list item, or the competitor's name when it gives none."""
    if term.subject == BRAND:
        return ("keywords", data["keywords"].index(term.text))
    spec = data["competitors"][term.subject] or {}
    if spec.get("keywords"):
        return ("competitors", term.subject, "keywords", spec["keywords"].index(term.text))
    return ("competitors", term.subject)


def _subject(subject: str) -> str:
    return "the brand" if subject == BRAND else f"competitor {subject}"

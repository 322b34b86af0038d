"""The voice engine: rules loaded and compiled once, then run over each post.

    Voice.build(root, voice.yml, calendar)  ── brand/voice.yml (built-in social rules) and
                                   brand/voice/**/*.yml (rule files), specs run
    voice.check_post(post, rendered)  ── each of the post's texts: skip, normalize, one
                                   automaton pass for every literal of every rule, then
                                   the few pattern rules; hits → diagnostics
    voice.check_calendar(posts)  ── the share of promotional posts in rolling windows
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from operator import attrgetter
from pathlib import Path

from smm.check.diagnostics import ERROR, WARNING, Diagnostic
from smm.content.tokens import hashtag
from smm.voice import social
from smm.voice.base import Hit, Rule
from smm.voice.matcher import LiteralIndex
from smm.voice.rules import load_rule, rule_files
from smm.voice.segments import (
    FrontMatter,
    Segment,
    build_segments,
    canonical,
    disabled_at,
    idle_directives,
    misspelt_directives,
    name_matches,
)
from smm.voice.social import BUILTIN_IDS
from smm.voice.text import Normalized
from smm.workspace.config import YamlFile
from smm.workspace.settings import VOICE_FILE

_TOKEN_KINDS = ("existence", "substitution")


class _Context:
    """One post being checked."""

    def __init__(self, post, segments: list[Segment]) -> None:
        self.post = post
        self.segments = segments
        self._views: dict[tuple, list] = {}

    def views(self, scopes: frozenset, nfkc: bool) -> list[tuple[Segment, Normalized]]:
        """(segment, its view) of each segment in the scopes, in order: listed once per post
        for all the rules that read the same scopes."""
        found = self._views.get((scopes, nfkc))
        if found is None:
            found = self._views[(scopes, nfkc)] = [(s, s.view(nfkc)) for s in self.segments if s.scope in scopes]
        return found


class Voice:
    """Compiled rules; safe to use in a forked worker and to pickle (caches are rebuilt)."""

    def __init__(self, rules: list[Rule], config: dict | None = None, pillars: dict | None = None,
                 use_automaton: bool = True) -> None:
        config = config or {}
        self.rules = rules
        for i, rule in enumerate(rules):
            rule.index = i
        self.builtins = social.load_builtins(config)
        self.disabled = [str(n) for n in config.get("disable") or []]
        self.pillars = pillars or {}
        self.index = LiteralIndex(use_automaton)
        for rule in rules:
            for entry in rule.entries():
                self.index.add(replace(entry, rule=rule.index))
        self.scan_rules = [r for r in rules if r.needs_scan]
        self.literal_scopes = frozenset(s for r in rules if r.entries() for s in r.targets)
        needed = {"body"}
        if {"all_caps", "link_domains"} & set(self.builtins):
            needed |= {"title", "alt"}
        self.scopes = frozenset(needed).union(*(r.targets for r in rules))

    @property
    def backend(self) -> str:
        return self.index.backend

    @property
    def rule_ids(self) -> list[str]:
        return [r.id for r in self.rules] + [b.id for b in self.builtins.values()]

    def known(self, name: str) -> bool:
        return any(name_matches(name, rid) for rid in self._all_ids())

    # -- loading ------------------------------------------------------------------

    @classmethod
    def build(cls, root: Path, loaded: YamlFile, calendar) -> tuple["Voice", list[Diagnostic]]:
        """Every rule, and every problem with brand/voice.yml (`loaded`) and the rule files."""
        root = Path(root)
        config = loaded.data if not any(d.is_error for d in loaded.diagnostics) else {}
        found = list(loaded.diagnostics)
        files, file_problems = rule_files(root)
        found += file_problems
        rules = []
        for file in files:
            rule, problems, source = load_rule(root, file, len(rules), BUILTIN_IDS)
            found += problems
            if rule is None:
                continue
            failed = _run_specs(rule, source)
            found += failed
            if not any(d.is_error for d in failed):
                rules.append(rule)
        levels = config.get("levels") or {}
        levels = {name: "off" if level is False else level for name, level in levels.items()}
        for name, level in levels.items():
            matched = [r for r in rules if name_matches(name, r.id)]
            for rule in matched:
                rule.level = level
            if not matched and not any(name_matches(name, b) for b in BUILTIN_IDS):
                found.append(_config_problem(loaded.positions, ("levels", name), f"`levels` names no rule: `{name}`"))
        voice = cls([r for r in rules if r.level != "off"], config, getattr(calendar, "pillars", None) or {})
        for builtin in voice.builtins.values():
            for name, level in levels.items():
                if name_matches(name, builtin.id):
                    builtin.level = level
        voice.builtins = {k: b for k, b in voice.builtins.items() if b.level != "off"}
        for index, name in enumerate(voice.disabled):
            if not voice.known(name):
                found.append(_config_problem(loaded.positions, ("disable", index), f"`disable` names no rule: `{name}`"))
        return voice, found

    # -- checking a post ----------------------------------------------------------

    def check_post(self, post, rendered=()) -> list[Diagnostic]:
        """Every voice problem in one post; rendered: what each account receives (smm.render.rendered.Rendered)."""
        front = FrontMatter(post)
        hits, problems = self.post_hits(post, rendered, front)
        return problems + self._diagnostics(post, hits)

    def post_hits(self, post, rendered=(), front: FrontMatter | None = None) -> tuple[list[Hit], list[Diagnostic]]:
        """The post's hits (disabled ones removed) and problems with its disable settings."""
        front = front or FrontMatter(post)
        problems = []
        off = list(self.disabled)
        voice_meta = post.meta.get("voice")
        if isinstance(voice_meta, dict):
            for index, name in enumerate(voice_meta.get("disable") or []):
                off.append(str(name))
                if not self.known(str(name)):
                    problems.append(Diagnostic.at(post.file, post.at(("voice", "disable", index)), WARNING,
                                                  "voice.unknown-rule", f"`voice.disable` names no rule: `{name}`",
                                                  _rules_hint(self, str(name))))
        segments = build_segments(post, rendered, front, self.scopes)
        context = _Context(post, segments)
        hits = self._rule_hits(context) + self._builtin_hits(post, segments, rendered)
        kept = []
        for hit in hits:
            rid = hit.rule.id
            if off and any(name_matches(n, rid) for n in off):
                continue
            segment = hit.segment
            if segment is not None and (segment.source is not None or segment.directives):
                placed = segment.place(hit.start, hit.end)
                if placed is not None and placed[0].directives and disabled_at(placed[0].directives, rid, placed[1]):
                    continue
            kept.append(hit)
        for segment in segments:
            problems += self._directive_problems(post, segment)
        return kept, problems

    def _directive_problems(self, post, segment: Segment) -> list[Diagnostic]:
        """Warnings for `<!-- smm-disable … -->` comments that turn nothing off."""
        if "<!--" not in segment.text:
            return []  # no comment: no switch, none misspelt
        found = []
        for position, _, _, names in segment.directives:
            for name in names or ():
                line, column = segment.locate(position)
                if not self.known(name):
                    found.append(Diagnostic(post.file, line, column, WARNING, "voice.unknown-rule",
                                            f"`smm-disable`/`smm-enable` names no rule: `{name}`", _rules_hint(self, name)))
                elif all(rid in social.WHOLE_POST_IDS for rid in self._all_ids() if name_matches(name, rid)):
                    found.append(Diagnostic(
                        post.file, line, column, WARNING, "voice.directive",
                        f"`{name}` judges the whole post: a comment around some text does not turn it off",
                        f"turn it off for the post in its front matter: `voice: {{disable: [{name}]}}`"))
        known = [d for d in segment.directives if all(self.known(n) for n in d[3] or ())]
        for position, why in idle_directives(segment.text, known) if known else ():
            line, column = segment.locate(position)
            found.append(Diagnostic(post.file, line, column, WARNING, "voice.directive", why,
                                    "remove it, or put the text it is for between `smm-disable` and `smm-enable`"))
        if segment.flavor == "markdown":
            for position in misspelt_directives(segment.text):
                line, column = segment.locate(position)
                found.append(Diagnostic(
                    post.file, line, column, WARNING, "voice.directive",
                    "this comment turns nothing off: it is not written as `<!-- smm-disable … -->`",
                    "write `<!-- smm-disable RULE -->` … `<!-- smm-enable RULE -->` (lowercase, with a hyphen)"))
        return found

    def _all_ids(self) -> list[str]:
        return [r.id for r in self.rules] + sorted(BUILTIN_IDS)

    def _rule_hits(self, context: _Context) -> list[Hit]:
        candidates: dict[int, list] = {}
        if self.index.entries:
            find = self.index.find
            scopes = self.literal_scopes
            for segment in context.segments:
                if segment.scope not in scopes:
                    continue
                for start, end, entries in find(segment.view(True).low):
                    for entry in entries:
                        candidates.setdefault(entry.rule, []).append((segment, start, end, entry))
        hits: list[Hit] = []
        rules = self.rules
        for index, found in candidates.items():
            rule = rules[index]
            if not rule.needs_scan:
                hits += rule.check(context, found)
        for rule in self.scan_rules:
            hits += rule.check(context, candidates.get(rule.index, []))
        return _longest_across_rules([h for h in hits if h.segment is None or not h.segment.covers_skipped(h.start, h.end)])

    def _builtin_hits(self, post, segments: list[Segment], rendered) -> list[Hit]:
        b = self.builtins
        if not b:
            return []
        hits = []
        if "emoji" in b:
            hits += social.emoji_hits(b["emoji"], segments)
        if "exclamation" in b:
            hits += social.exclamation_hits(b["exclamation"], segments)
        if "all_caps" in b:
            hits += social.all_caps_hits(b["all_caps"], segments)
        if "link_domains" in b:  # the rendered texts as segments only where one names a banned domain
            texts = [part.text for result in rendered or () for part in result.parts]
            hits += social.link_hits(b["link_domains"], post, segments, texts,
                                     lambda: _rendered_segments(segments, rendered))
        if "disclosure" in b and social.sponsored(post):
            hits += social.disclosure_hits(b["disclosure"], post, _account_texts(post, rendered))
        if "hashtags" in b:
            hits += social.hashtag_hits(b["hashtags"], post, rendered, b.get("disclosure"))
        return hits

    def _diagnostics(self, post, hits: list[Hit]) -> list[Diagnostic]:
        found: dict[tuple, Diagnostic] = {}
        counts: dict[str, int] = {}
        for hit in hits:
            rule = hit.rule
            if rule.limit and counts.get(rule.id, 0) >= rule.limit:
                continue
            line, column, end, prefix = _where(post, hit)
            severity = ERROR if rule.level == "error" else WARNING
            message = prefix + hit.message
            if rule.level == "suggestion":
                message = "suggestion: " + message
            hint = rule.hint(_replacement_hint(hit) or hit.extra_hint)
            key = (line, column, rule.id, message)
            if key not in found:
                counts[rule.id] = counts.get(rule.id, 0) + 1
                found[key] = Diagnostic.at(post.file, (line, column, end), severity, rule.id, message, hint)
        return sorted(found.values(), key=_place)  # as Diagnostic's order: file, line, column

    # -- the calendar ---------------------------------------------------------------

    def check_calendar(self, posts) -> list[Diagnostic]:
        """At most `promo_share.max_percent` of the posts in any rolling window may sell."""
        rule = self.builtins.get("promo_share")
        if rule is None:
            return []
        off = list(self.disabled)
        stretches = social.worst_per_stretch(social.promo_windows(rule, posts, self.pillars),
                                             lambda post: not _disabled_for(post, rule.id, off))
        found = []
        limit = rule.settings.get("max_percent", 30)
        days = int(rule.settings.get("days", 7))
        for share, window, promos, post in stretches:
            first, last = window[0].publish_at, window[-1].publish_at
            path = ("pillar",) if post.pillar in self.pillars and (self.pillars[post.pillar] or {}).get("promotional") \
                else ("tags",) if post.meta.get("tags") else ("publish_at",)
            found.append(Diagnostic.at(
                post.file, post.at(path), ERROR if rule.level == "error" else WARNING, rule.id,
                ("suggestion: " if rule.level == "suggestion" else "")
                + f"{len(promos)} of the {len(window)} posts from {first:%Y-%m-%d} to {last:%Y-%m-%d} are promotional "
                f"({share:.0%}); the brand allows at most {limit}% in any {days} days",
                "move a promotional post out of this stretch, or schedule more non-promotional posts in it "
                f"(promotional: {', '.join(p.id for p in promos)})").involving(p.file for p in promos))
        return found  # each promotional post of the stretch: `smm check THAT.md` shows it too


_place = attrgetter("file", "line", "column")


def _disabled_for(post, rule_id: str, off: list[str]) -> bool:
    voice = post.meta.get("voice")
    names = off + ([str(n) for n in voice.get("disable") or []] if isinstance(voice, dict) else [])
    return any(name_matches(n, rule_id) for n in names)


def _config_problem(positions, path, message: str) -> Diagnostic:
    return Diagnostic.at(VOICE_FILE, positions.at(path, key=isinstance(path[-1], str)), WARNING,
                         "voice.unknown-rule", message)


def _rules_hint(voice: Voice, name: str = "") -> str:
    """Did you mean (the same id in another case, else a close one), then the rule ids."""
    names = [r.id for r in voice.rules] + sorted(BUILTIN_IDS)
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    wanted = canonical(name) if name else ""
    same = [n for n in names if n.casefold() == wanted.casefold()]
    if same:
        return f"did you mean `{same[0]}`? (ids are case-sensitive); rule ids are: {shown}"
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.8) if wanted else []
    return (f"did you mean `{close[0]}`? " if close else "") + f"rule ids are: {shown}"


def _longest_across_rules(hits: list[Hit]) -> list[Hit]:
    """Where matches of different term rules overlap, a match inside a longer one is dropped."""
    if len(hits) < 2:
        return hits
    groups: dict[int, list[Hit]] = {}
    for hit in hits:
        if hit.segment is not None and hit.rule.kind in _TOKEN_KINDS:
            groups.setdefault(id(hit.segment), []).append(hit)
    drop = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda h: (h.start, -h.end))
        widest = group[0]
        for hit in group[1:]:
            if hit.end <= widest.end and hit.rule is not widest.rule and hit.end - hit.start < widest.end - widest.start:
                drop.add(id(hit))
            elif hit.end > widest.end:
                widest = hit
    return [h for h in hits if id(h) not in drop] if drop else hits


def _where(post, hit: Hit) -> tuple[int, int, int | None, str]:
    """Line, column, end column and message prefix of a hit."""
    if hit.segment is None:
        line, column, end = post.at(hit.path or ())
        return line, column, end, ""
    placed = hit.segment.place(hit.start, hit.end)
    if placed is None:  # rendered text that is in no source (a template's words)
        account = hit.segment.account
        if post.body:
            line, column = post.body_line, 1
            end = None
        else:
            line, column, end = post.at(("overrides", account, "text") if account else ("title",))
        return line, column, end, f"{account}: "
    segment, start, end = placed
    line, column = segment.locate(start)
    end_line, end_column = segment.locate(end) if end > start else (line, column + 1)
    return line, column, end_column if end_line == line else None, ""


def _replacement_hint(hit: Hit) -> str | None:
    if not hit.options:
        return None
    shown = " or ".join(f"`{o}`" if o else "nothing (remove it)" for o in hit.options)
    if hit.replacement is not None and hit.segment is not None and hit.segment.fixable:
        return f"replace with {shown} (`smm check --fix` does it)"
    return f"replace with {shown}"


def _rendered_segments(segments: list[Segment], rendered) -> list[Segment]:
    found = [s for s in segments if s.scope == "rendered"]
    if found or not rendered:
        return found
    sources = [s for s in segments if s.scope == "body" and s.path is None]
    overrides = {s.account: s for s in segments if s.scope == "body" and s.path is not None}
    for result in rendered:
        source = [overrides[result.account]] if result.account in overrides else sources
        for part in result.parts:
            found.append(Segment("rendered", part.text, "html", None, None, result.account, source=source))
    return found


def _account_texts(post, rendered) -> dict[str, str]:
    """What each account receives; without rendered results, its source text and hashtags."""
    if rendered:
        return {r.account: "\n\n".join(p.text for p in r.parts) for r in rendered}
    texts = {}
    for account in post.accounts:
        view = post.for_account(account)
        texts[account] = view.text + "\n\n" + " ".join(hashtag(str(t)) for t in view.hashtags)
    return texts


def _run_specs(rule: Rule, source: dict) -> list[Diagnostic]:
    """textlint-rule-prh's self-tests: `specs: [{from, to}]` or `[{text, matches}]`."""
    data, positions = source.get("data") or {}, source.get("positions")
    specs = data.get("specs") or []
    problems = []
    probe = Voice([rule])
    rule_index = rule.index
    scope = next((s for s in ("body", "title", "alt", "card", "hashtags", "rendered", "raw") if s in rule.targets), "body")
    for index, spec in enumerate(specs):
        text = spec.get("from", spec.get("text"))
        if not isinstance(text, str):
            continue
        segment = Segment(scope, text, "none" if scope in ("hashtags", "raw") else
                          "markdown" if scope in ("body", "rendered") else "plain",
                          lambda offset: (1, offset + 1))
        hits = probe._rule_hits(_Context(None, [segment]))
        if "from" in spec:
            expected = str(spec.get("to", ""))
            result = apply_replacements(text, [(h.start, h.end, h.replacement) for h in hits
                                               if h.replacement is not None])
            if result != expected:
                problems.append(_spec_problem(rule, positions, index,
                                              f"spec {index + 1} fails: “{text}” becomes “{result}”, not “{expected}”"))
        else:
            wanted = bool(spec.get("matches", True))
            if bool(hits) != wanted:
                problems.append(_spec_problem(
                    rule, positions, index,
                    f"spec {index + 1} fails: the rule {'finds nothing' if wanted else 'matches'} in “{text}”"
                    + ("" if wanted else f" ({hits[0].message})")))
    rule.index = rule_index
    return problems


def _spec_problem(rule: Rule, positions, index: int, message: str) -> Diagnostic:
    return Diagnostic.at(rule.file, positions.at(("specs", index)), ERROR, "voice.rule-spec",
                         message + "; the rule is not used",
                         "fix the rule (or the spec): a rule whose own example fails would silently never match")


def apply_replacements(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping (start, end, new) edits; the first of overlapping ones wins."""
    out = []
    last = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], -(e[1] - e[0]))):
        if start < last:
            continue
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out)

"""Loading rule files: brand/voice/**/<Name>.yml → rules, and what is wrong with them.

A rule's id comes from its path: `brand/voice/Terms.yml` is `voice.Terms`, and
`brand/voice/Vale/Terms.yml` (a Vale style folder dropped in unchanged) is
`voice.Vale.Terms`. Fields are Vale's; a field smm does not know is reported (warning)
and ignored; a kind smm does not have (`spelling`, `readability`...) is reported and the
rule skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import regex

from smm.check.diagnostics import ERROR, WARNING, Diagnostic
from smm.voice.base import LEVELS, Rule, parse_scopes
from smm.voice.forms import Capitalization, Conditional, Consistency, Repetition
from smm.voice.kinds import Existence, Occurrence, Substitution, TokenSet
from smm.workspace.config import load_yaml_file
from smm.workspace.files import LEADS_OUTSIDE, links_outside, walk
from smm.workspace.schema import did_you_mean

RULES_DIR = "brand/voice"
KINDS = ("existence", "substitution", "occurrence", "repetition", "capitalization", "conditional", "consistency")
VALE_ONLY_KINDS = ("readability", "spelling", "sequence", "metric", "script")
COMMON_FIELDS = ("extends", "message", "level", "scope", "link", "description", "limit", "action", "nfkc", "specs")
KIND_FIELDS = {
    "existence": ("tokens", "raw", "append", "exceptions", "ignorecase", "nonword", "vocab"),
    "substitution": ("swap", "exceptions", "ignorecase", "nonword", "capitalize", "matchcase", "vocab"),
    "occurrence": ("token", "max", "min", "ignorecase"),
    "repetition": ("tokens", "max", "alpha", "ignorecase", "exceptions", "vocab"),
    "capitalization": ("match", "style", "exceptions", "indicators", "threshold", "prefix", "vocab"),
    "conditional": ("first", "second", "exceptions", "ignorecase", "vocab"),
    "consistency": ("either", "ignorecase", "nonword"),
}
DEFAULT_MESSAGES = {
    "existence": "Avoid '%s'.",
    "substitution": "Use '%s' instead of '%s'.",
    "occurrence": "Found %d; that is outside the allowed range.",
    "repetition": "'%s' is repeated.",
    "capitalization": "'%s' should be in the expected case.",
    "conditional": "'%s' has no definition.",
    "consistency": "Inconsistent: '%s' (this post also has '%s').",
}
_CLASSES = {"existence": Existence, "substitution": Substitution, "occurrence": Occurrence,
            "repetition": Repetition, "capitalization": Capitalization, "conditional": Conditional,
            "consistency": Consistency}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class RuleError(Exception):
    """A rule that cannot be used; carries the diagnostic."""

    def __init__(self, diagnostic: Diagnostic | None) -> None:
        super().__init__(diagnostic.message if diagnostic else "rule skipped")
        self.diagnostic = diagnostic


def rule_files(root: Path) -> tuple[list[str], list[Diagnostic]]:
    """Every .yml file under brand/voice/ (sorted), and warnings about .yaml files there; none when
    brand/voice/ leads out of the repository (an error: not even listed, `brand/voice -> /` would list
    every file of the machine)."""
    base = root / RULES_DIR
    found, problems = [], []
    if not base.is_dir():
        return found, problems
    if links_outside(root, RULES_DIR):
        return found, [Diagnostic(RULES_DIR, 1, 1, ERROR, "file.outside-repo", f"this folder {LEADS_OUTSIDE}")]
    for folder, dirs, files in walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(files):
            rel = Path(folder, name).relative_to(root).as_posix()
            if name.endswith(".yml") and not name.startswith((".", "_")):
                found.append(rel)
            elif name.endswith(".yaml"):
                problems.append(Diagnostic(rel, 1, 1, WARNING, "voice.rule-file",
                                           "rule files end in `.yml`; this `.yaml` file is not read",
                                           f"rename it to `{name[:-5]}.yml`"))
    return sorted(found), problems


def rule_id(file: str) -> str | None:
    """`brand/voice/Terms.yml` → `voice.Terms`; None when a path part is not a valid name."""
    parts = file[len(RULES_DIR) + 1:-len(".yml")].split("/")
    if not all(_NAME.fullmatch(p) for p in parts):
        return None
    return "voice." + ".".join(parts)


class _Builder:
    """Turns one rule file's data into a Rule, collecting diagnostics."""

    def __init__(self, file: str, rid: str, data: dict, positions) -> None:
        self.file = file
        self.id = rid
        self.data = data
        self.positions = positions
        self.found: list[Diagnostic] = []

    def diag(self, path, severity: str, rule: str, message: str, hint: str | None = None, key: bool = False) -> Diagnostic:
        d = Diagnostic.at(self.file, self.positions.at(path, key), severity, rule, message, hint)
        self.found.append(d)
        return d

    def fail(self, path, message: str, hint: str | None = None, key: bool = False):
        raise RuleError(Diagnostic.at(self.file, self.positions.at(path, key), ERROR, "voice.rule-invalid", message, hint))

    def text(self, path, value) -> str:
        """A scalar as written: `no` stays "no" (YAML 1.1 would make it false), `1e3` stays "1e3"."""
        if isinstance(value, str):
            return value
        if value is None:
            return ""
        return self.positions.raw.get(tuple(path), str(value))

    def texts(self, name: str) -> list[tuple[str, tuple]]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            return [(self.text((name,), value), (name,))]
        return [(self.text((name, i), v), (name, i)) for i, v in enumerate(value)]

    def build(self, index: int) -> Rule:
        data = self.data
        kind = data.get("extends")
        if kind in VALE_ONLY_KINDS or (isinstance(kind, str) and "." in kind):
            what = f"Vale's `{kind}` rules" if kind in VALE_ONLY_KINDS else f"extending another rule (`{kind}`)"
            self.diag(("extends",), WARNING, "voice.rule-unsupported",
                      f"{what} are not supported by smm; this rule is skipped",
                      f"smm supports: {', '.join(KINDS)}")
            raise RuleError(None)
        if kind not in KINDS:
            self.fail(("extends",), f"`extends: {kind}` is not a rule kind",
                      did_you_mean(str(kind), KINDS) or f"kinds are: {', '.join(KINDS)}")
        allowed = set(COMMON_FIELDS) | set(KIND_FIELDS[kind])
        for name in data:
            if name not in allowed:
                other = [k for k, fields in KIND_FIELDS.items() if name in fields]
                if other:
                    hint = f"`{name}` belongs to {', '.join(other)} rules"
                else:
                    hint = did_you_mean(name, sorted(allowed)) or f"{kind} rules take: {', '.join(sorted(allowed))}"
                self.diag((name,), WARNING, "voice.rule-unsupported",
                          f"field `{name}` is not supported in a {kind} rule; it is ignored", hint, key=True)
        targets, unit, problems = parse_scopes(data.get("scope"))
        for problem in problems:
            self.diag(("scope",), WARNING, "voice.rule-unsupported", problem)
        if not targets:
            self.diag(("scope",), WARNING, "voice.rule-unsupported", "the rule's scope leaves nothing to check; it is skipped")
            raise RuleError(None)
        level = data.get("level", "suggestion")
        rule = _CLASSES[kind](
            id=self.id, name=self.id.split(".", 1)[1], file=self.file, kind=kind, level=level,
            message=self.text(("message",), data.get("message", DEFAULT_MESSAGES[kind])),
            targets=targets, unit=unit, description=data.get("description"), link=data.get("link"),
            ignorecase=bool(data.get("ignorecase", False)), nonword=bool(data.get("nonword", False)),
            nfkc=bool(data.get("nfkc", True)), limit=data.get("limit") or None,
            line=self.positions.at(())[0], index=index,
        )
        getattr(self, "_" + kind)(rule)
        return rule

    def _compile_into(self, tokens: TokenSet, rule: Rule, pattern: str, path, data, word: bool, ignorecase: bool,
                      literal_ok: bool = True, key: bool = False) -> None:
        try:
            tokens.add(rule, pattern, data, word, ignorecase, literal_ok)
        except (regex.error, ValueError) as exc:
            self.fail(path, f"`{pattern}` is not a valid regular expression: {exc}", key=key)

    def _exceptions(self, rule: Rule) -> TokenSet:
        exceptions = TokenSet("exception")
        for pattern, path in self.texts("exceptions"):
            if pattern.strip():
                self._compile_into(exceptions, rule, pattern, path, None, True, False)
        return exceptions

    def _existence(self, rule: Existence) -> None:
        tokens = [(t, p) for t, p in self.texts("tokens") if t.strip()]
        raw = [t for t, _ in self.texts("raw")]
        if not tokens and not raw:
            self.fail(("tokens",), "an existence rule needs `tokens` (or `raw`)")
        rule.tokens = TokenSet("token")
        rule.exceptions = self._exceptions(rule)
        if raw:  # Vale's raw pattern: used as written, word edges only where it says \b
            word = not rule.nonword and bool(tokens)
            core = ((r"\b(?:%s)\b" if word else "(?:%s)") % "|".join(t for t, _ in tokens)) if tokens else ""
            pattern = core + "".join(raw) if self.data.get("append") else "".join(raw) + core
            self._compile_into(rule.tokens, rule, pattern, ("raw",), None, False, rule.ignorecase, literal_ok=False)
        else:
            for token, path in tokens:
                self._compile_into(rule.tokens, rule, token, path, None, not rule.nonword, rule.ignorecase)
        rule.needs_scan = bool(rule.tokens.patterns)

    def _substitution(self, rule: Substitution) -> None:
        swap = self.data.get("swap")
        if not swap:
            self.fail(("swap",), "a substitution rule needs `swap` (a mapping of `wrong: right`)")
        items = [(str(k), self.text(("swap", k), v)) for k, v in swap.items()]
        items.sort(key=lambda kv: len(kv[0]), reverse=True)  # Vale: longer patterns first
        rule.swap = items
        rule.capitalize = bool(self.data.get("capitalize", False))
        rule.matchcase = bool(self.data.get("matchcase", False))
        rule.tokens = TokenSet("token")
        rule.exceptions = self._exceptions(rule)
        for i, (key, value) in enumerate(items):
            literal_ok = not re.search(r"\$\d", value)
            self._compile_into(rule.tokens, rule, key, ("swap", key), i, not rule.nonword, rule.ignorecase,
                               literal_ok, key=True)
        rule.needs_scan = bool(rule.tokens.patterns)

    def _occurrence(self, rule: Occurrence) -> None:
        token = self.text(("token",), self.data.get("token"))
        if not token:
            self.fail(("token",), "an occurrence rule needs `token`")
        rule.max, rule.min = int(self.data.get("max") or 0), int(self.data.get("min") or 0)
        if rule.max <= 0 and rule.min <= 0:
            self.fail((), "an occurrence rule needs `max` or `min` (above 0)")
        try:
            rule.token = rule.compile(token)
        except regex.error as exc:
            self.fail(("token",), f"`{token}` is not a valid regular expression: {exc}")
        rule.needs_scan = True

    def _repetition(self, rule: Repetition) -> None:
        tokens = [t for t, _ in self.texts("tokens") if t.strip()]
        if not tokens:
            self.fail(("tokens",), "a repetition rule needs `tokens`")
        try:
            rule.pattern = rule.compile("(" + "|".join(tokens) + ")")
        except regex.error as exc:
            self.fail(("tokens",), f"the tokens are not a valid regular expression: {exc}")
        rule.max = int(self.data.get("max") or 0)
        rule.alpha = bool(self.data.get("alpha", False))
        rule.exceptions = self._exceptions(rule)
        rule.needs_scan = True

    def _capitalization(self, rule: Capitalization) -> None:
        match = self.text(("match",), self.data.get("match"))
        if not match:
            self.fail(("match",), "a capitalization rule needs `match` ($title, $sentence, $lower, $upper or a pattern)")
        rule.match = match
        rule.style = str(self.data.get("style") or "AP")
        rule.threshold = float(self.data.get("threshold") or 0.8)
        rule.indicators = tuple(t for t, _ in self.texts("indicators")) if "indicators" in self.data else (":",)
        rule.prefix = self.text(("prefix",), self.data.get("prefix"))
        rule.exceptions = [t for t, _ in self.texts("exceptions") if t.strip()]
        try:
            exceptions = sorted(rule.exceptions, key=len, reverse=True)
            rule.except_pattern = regex.compile("|".join(f"(?:{e})" for e in exceptions)) if exceptions else None
            words = r"[\p{N}\p{L}*]+\S*"
            rule.tokenizer = regex.compile(
                (r"(?<![\p{L}\p{N}])(?:" + "|".join(exceptions) + r")(?![\p{L}\p{N}])|" if exceptions else "") + words)
            if not match.startswith("$"):
                rule.pattern = rule.compile(match)
            elif match not in ("$title", "$sentence", "$lower", "$upper"):
                self.fail(("match",), f"`match: {match}` is not one of $title, $sentence, $lower, $upper")
        except regex.error as exc:
            self.fail(("exceptions",), f"not a valid regular expression: {exc}")
        rule.needs_scan = True

    def _conditional(self, rule: Conditional) -> None:
        first = self.text(("first",), self.data.get("first"))
        second = self.text(("second",), self.data.get("second"))
        if not first or not second:
            self.fail((), "a conditional rule needs `first` and `second`")
        for name, pattern in (("first", first), ("second", second)):
            try:
                setattr(rule, name, rule.compile(pattern))
            except regex.error as exc:
                self.fail((name,), f"`{pattern}` is not a valid regular expression: {exc}")
        rule.second_has_group = rule.second.groups > 0
        rule.exceptions = self._exceptions(rule)
        rule.needs_scan = True

    def _consistency(self, rule: Consistency) -> None:
        either = self.data.get("either")
        if not either:
            self.fail(("either",), "a consistency rule needs `either` (a mapping of `one form: other form`)")
        rule.pairs = [(str(k), self.text(("either", k), v)) for k, v in either.items()]
        rule.options = TokenSet("either")
        for i, (a, b) in enumerate(rule.pairs):
            self._compile_into(rule.options, rule, a, ("either", a), (i, 0), not rule.nonword, rule.ignorecase, key=True)
            self._compile_into(rule.options, rule, b, ("either", a), (i, 1), not rule.nonword, rule.ignorecase)
        rule.needs_scan = bool(rule.options.patterns)


def load_rule(root: Path, file: str, index: int, reserved: set[str]) -> tuple[Rule | None, list[Diagnostic], dict]:
    """One rule file → (rule or None, diagnostics, its data and positions for specs)."""
    rid = rule_id(file)
    if rid is None:
        return None, [Diagnostic(file, 1, 1, ERROR, "voice.rule-name",
                                 f"`{file}` does not make a rule id (letters, digits, `-` and `_` only)",
                                 "rename the file, for example `Terms.yml`")], {}
    if rid in reserved:
        return None, [Diagnostic(file, 1, 1, ERROR, "voice.rule-name",
                                 f"`{rid}` is the id of a built-in rule (configured in brand/voice.yml)",
                                 "rename the file")], {}
    loaded = load_yaml_file(root, file, "voice-rule")
    if any(d.is_error for d in loaded.diagnostics):
        return None, loaded.diagnostics, {}
    builder = _Builder(file, rid, loaded.data, loaded.positions)
    try:
        rule = builder.build(index)
    except RuleError as exc:
        return None, loaded.diagnostics + builder.found + ([exc.diagnostic] if exc.diagnostic else []), {}
    level = loaded.data.get("level", "suggestion")
    if level not in LEVELS:  # the schema reports it; be safe
        rule.level = "suggestion"
    return rule, loaded.diagnostics + builder.found, {"data": loaded.data, "positions": loaded.positions}

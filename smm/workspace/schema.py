"""JSON Schema validation that reports like a compiler.

The schemas in smm/schemas/ are the single source of truth for every field. A compiled
fast validator answers "valid?" for the common case; only invalid data goes through
jsonschema to collect every error, each mapped to a rule id, a plain message, the
exact position and, for typos, a did-you-mean hint.
"""

from __future__ import annotations

import difflib
import json
import math
import unicodedata
from functools import cache, cached_property
from pathlib import Path

from smm.check.diagnostics import ERROR, Diagnostic
from smm.workspace.positions import Positions

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"  # package data: the JSON Schemas

_TYPE_NAMES = {
    "array": "a list",
    "object": "a mapping (key: value)",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}

_PATTERN_NAMES = {
    "^[a-z0-9][a-z0-9._-]{0,127}$": "lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit",
    "^[a-z0-9][a-z0-9_-]*$": "lowercase letters, digits, `_` and `-`, starting with a letter or digit",
    "^[A-Za-z0-9][A-Za-z0-9._-]*$": "letters, digits, `.`, `_` and `-`, without spaces",
    "^#?[^\\s#]+$": "one hashtag without spaces, with or without a leading `#`",
    "^https?://[^\\s]+$": "an http:// or https:// URL",
    "^[A-Z_][A-Z0-9_]*$": "an environment variable name such as `MASTODON_TOKEN` (not the secret itself)",
    "^([01][0-9]|2[0-3]):[0-5][0-9]$": "a time of day as `HH:MM`, for example \"12:00\"",
    "^(none|[0-9]{1,5}[smhd])$": "a duration such as `30m`, `6h`, `2d` (at most 99999 of a unit), or `none`",
    "^[0-9]{1,5}[smhd]$": "a duration such as `30m`, `6h`, `2d` (at most 99999 of a unit)",
    "^[0-9]{1,5}[mhd]$": "a duration such as `30m`, `6h`, `2d` (at most 99999 of a unit)",
    "^[^@\\s][^\\s]*$": "a handle without `@` or spaces",
    "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$": "a BCP 47 language tag such as `en` or `zh-Hans`",
    "^[^#\\s]+$": "a hashtag without `#` or spaces",
    "\\S": "text that is not only white space",
    "^\\S+$": "one word without spaces",
    "^\\S(.*\\S)?$": "a name without spaces at either end",
    "^data/[^\\s]+\\.(xml|atom)$": "a path under data/ ending in .xml or .atom (the bot commits data/; "
                                   "the JSON Feed goes beside it)",
}


def field_name(path) -> str:
    """`media[0].file` style name for a path into the data."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "front matter"


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def did_you_mean(word: str, choices) -> str | None:
    """A hint for a near miss, naming look-alike characters that fool the eye."""
    choices = list(choices)
    folded = unicodedata.normalize("NFKC", word).casefold()
    match = next((c for c in choices if c.casefold() == folded), None)
    if match is None:
        close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
        match = close[0] if close else None
    if match is None:
        return None
    odd = [ch for ch in word if ord(ch) > 127]
    if odd:
        names = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in dict.fromkeys(odd))
        return f"did you mean `{match}`? `{word}` contains {names}"
    return f"did you mean `{match}`?"


def _python_patterns(node):
    """The schema with each pattern's final `$` as `\\Z`: in Python `$` also matches before a
    final newline, in JSON Schema (ECMA 262) it does not."""
    if isinstance(node, dict):
        return {k: (v[:-1] + "\\Z" if k == "pattern" and isinstance(v, str) and v.endswith("$") and not v.endswith("\\$")
                    else _python_patterns(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_python_patterns(v) for v in node]
    return node


def _integer(checker, value: object) -> bool:
    """A whole number is an int: JSON Schema also counts `2.0` as one, but smm counts and slices with it."""
    return isinstance(value, int) and not isinstance(value, bool)


def _number(checker, value: object) -> bool:
    """A number is finite: YAML's `.nan` and `.inf` mean nothing in any setting (a card's box, a goal)."""
    return _integer(checker, value) or isinstance(value, float) and math.isfinite(value)


def _odd_floats(data: object) -> bool:
    """Whether the data holds a float fastjsonschema judges unlike smm's types above: a whole one
    (an integer to it) or `.nan`/`.inf` (numbers to it)."""
    if isinstance(data, float):
        return data.is_integer() or not math.isfinite(data)
    if isinstance(data, dict):
        return any(_odd_floats(v) for v in data.values())
    if isinstance(data, list):
        return any(_odd_floats(v) for v in data)
    return False


def _ecma(pattern: str) -> str:
    return pattern[:-2] + "$" if pattern.endswith("\\Z") else pattern


# The keywords fastjsonschema judges (JSON Schema draft 7). It passes over any other (2019-09's
# `dependentRequired`, say: X's OAuth keys) as if it were not there, so a schema using one is judged
# by jsonschema alone.
_FAST_KEYWORDS = frozenset({
    "$schema", "$id", "$ref", "$comment", "$defs", "definitions", "title", "description", "default", "examples",
    "readOnly", "writeOnly", "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "format", "items", "additionalItems", "maxItems",
    "minItems", "uniqueItems", "contains", "maxProperties", "minProperties", "required", "properties",
    "patternProperties", "additionalProperties", "dependencies", "propertyNames", "if", "then", "else", "allOf",
    "anyOf", "oneOf", "not", "contentMediaType", "contentEncoding"})
_NAMED_SCHEMAS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")  # name → schema
_DATA = ("enum", "const", "required", "default", "examples", "dependentRequired")  # values that are no schema


def keywords(node: object) -> set[str]:
    """Every keyword a JSON Schema uses, at any depth."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= keywords(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            found.add(key)
            if key in _NAMED_SCHEMAS and isinstance(value, dict):
                for schema in value.values():
                    found |= keywords(schema)
            elif key not in _DATA:
                found |= keywords(value)
    return found


class Schema:
    """One JSON Schema, compiled once, when first used."""

    def __init__(self, document: dict) -> None:
        self.document = document
        self._python = _python_patterns(self.document)

    @cached_property
    def _fast(self):
        """fastjsonschema's validator, its generated code kept compiled in smm's cache folder (outside
        any checkout) under the schema and fastjsonschema's and Python's versions: generating it takes
        about 35 ms, in every run that reads a post or a record (`smm check` of one changed post)."""
        import marshal
        import sys

        import fastjsonschema  # here: a run whose settings and posts are all kept reads no schema

        from smm.workspace.cache import MISS, blake2b, recall_shared, remember_shared

        document = json.dumps(self._python, sort_keys=True, ensure_ascii=False)
        version = blake2b(f"{fastjsonschema.VERSION}\0{sys.version}\0{document}".encode(), digest_size=16).hexdigest()
        kept = recall_shared(f"validator-{version}", version)
        if MISS is kept:
            code = fastjsonschema.compile_to_code(self._python)
            kept = (_first_function(code), marshal.dumps(compile(code, "<fastjsonschema>", "exec")))
            remember_shared(f"validator-{version}", version, kept)
        name, code = kept
        namespace: dict = {}
        exec(marshal.loads(code), namespace)  # noqa: S102  (code fastjsonschema generated from smm's own schema)
        return namespace[name]

    @cached_property
    def _fast_judges_all(self) -> bool:
        return keywords(self.document) <= _FAST_KEYWORDS

    def _valid(self, data: object) -> bool:
        from fastjsonschema import JsonSchemaException

        if not self._fast_judges_all:
            return self._full.is_valid(data)
        try:
            self._fast(data)
        except JsonSchemaException:
            return False
        return not _odd_floats(data)  # then only jsonschema, with smm's types, can say

    @cached_property
    def _full(self):
        """jsonschema, for the rare invalid document: it names every error (and is slow to import)."""
        from jsonschema import Draft202012Validator, validators

        types = Draft202012Validator.TYPE_CHECKER.redefine_many({"integer": _integer, "number": _number})
        return validators.extend(Draft202012Validator, type_checker=types)(self._python)

    def messages(self, data: object) -> list[str]:
        """Plain messages, for data without source positions (JSON records)."""
        if self._valid(data):
            return []
        return [f"{'/'.join(map(str, e.absolute_path)) or 'top level'}: {e.message}" for e in self._full.iter_errors(data)]

    def validate(self, data: object, positions: Positions, file: str) -> list[Diagnostic]:
        if self._valid(data):
            return []
        found: dict[tuple, Diagnostic] = {}
        for error in self._full.iter_errors(data):
            for d in _diagnose(error, positions, file):
                found.setdefault((d.line, d.column, d.rule, d.message), d)
        return list(found.values())


@cache
def schema(name: str) -> Schema:
    """smm/schemas/<name>.schema.json; platforms.yml's is assembled from the installed platforms."""
    if name == "platforms":
        from smm.platforms import registry
        from smm.platforms.options import platforms_schema

        return Schema(platforms_schema(registry()))
    return Schema(json.loads((SCHEMAS / f"{name}.schema.json").read_text("utf-8")))


def _first_function(code: str) -> str:
    """The name of the validator in fastjsonschema's generated code: the schema's own function comes
    first, then those of its definitions."""
    return code[code.index("\ndef ") + 5:].split("(", 1)[0]


def _at(positions: Positions, path, file: str, rule: str, message: str, hint=None, key=False) -> Diagnostic:
    return Diagnostic.at(file, positions.at(path, key), ERROR, rule, message, hint)


def _diagnose(error, positions: Positions, file: str) -> list[Diagnostic]:
    """One jsonschema ValidationError as diagnostics."""
    path = tuple(error.absolute_path)
    name = field_name(path)
    keyword = error.validator
    value = error.validator_value
    instance = error.instance

    if "propertyNames" in error.absolute_schema_path:
        wanted = _PATTERN_NAMES.get(_ecma(value), "a valid name") if keyword == "pattern" else error.message
        return [_at(positions, path + (instance,), file, "schema.name",
                    f"name `{instance}` in `{name}` must be {wanted}", key=True)]
    if keyword == "additionalProperties" and isinstance(instance, dict):
        known = list(error.schema.get("properties", {}))
        return [
            _at(positions, path + (key,), file, "schema.unknown-field",
                f"unknown field `{field_name(path + (key,))}`", did_you_mean(key, known), key=True)
            for key in instance
            if key not in known
        ]
    if keyword == "required":
        missing = [key for key in value if key not in instance]
        where = f" in `{name}`" if path else ""
        return [
            _at(positions, path, file, "schema.required", f"missing required field `{key}`{where}")
            for key in missing
        ]
    if keyword == "type":
        types = [value] if isinstance(value, str) else value
        wanted = " or ".join(_TYPE_NAMES[t] for t in types)
        got = _TYPE_NAMES[json_type(instance)]
        hint = None
        if isinstance(instance, float) and {"integer", "number"} & set(types):  # `2.0` or `.nan`, as written
            got = str(positions.raw.get(path, instance))
            if not math.isfinite(instance):
                hint = "`.nan` and `.inf` are no numbers smm can use"
            elif "number" not in types and abs(instance) < 2 ** 53:
                hint = f"write it without a decimal point: {int(instance)}"
        elif value == "array" and isinstance(instance, str):
            hint = f"write a list: `{path[-1] if path else name}: [{instance}]`"
        elif instance is None:
            from smm.workspace.yamlsource import COMMENT_HINT  # the parser's (here: checks of kept data import no YAML)

            hint = "the value is empty; " + COMMENT_HINT
        elif value == "string" and not isinstance(instance, (dict, list)):
            hint = f"quote it: \"{positions.raw.get(path, instance)}\""
        return [_at(positions, path, file, "schema.type", f"`{name}` must be {wanted}, not {got}", hint)]
    if keyword in ("enum", "const"):
        options = value if keyword == "enum" else [value]
        shown = ", ".join(json.dumps(o) for o in options)
        hint = did_you_mean(instance, [o for o in options if isinstance(o, str)]) if isinstance(instance, str) else None
        return [_at(positions, path, file, "schema.enum", f"`{name}` must be one of {shown}; got {json.dumps(instance, ensure_ascii=False)}", hint)]
    if keyword == "pattern":
        wanted = _PATTERN_NAMES.get(_ecma(value), f"text matching {_ecma(value)}")
        return [_at(positions, path, file, "schema.pattern", f"`{name}` must be {wanted}; got {json.dumps(instance, ensure_ascii=False)}")]
    if keyword == "uniqueItems":
        seen, repeated = set(), None
        for i, item in enumerate(instance):
            marker = json.dumps(item, sort_keys=True)
            if marker in seen:
                repeated = i
                break
            seen.add(marker)
        spot = path + (repeated,) if repeated is not None else path
        return [_at(positions, spot, file, "schema.unique", f"`{name}` lists the same value twice")]
    if keyword == "not" and list(value) == ["required"] and isinstance(instance, dict):  # `field` not allowed with the others
        present = [key for key in value["required"] if key in instance]
        return [_at(positions, path + (present[0],), file, "schema.not",
                    f"`{field_name(path + (present[0],))}` cannot go with the other fields of `{name}`", key=True)]
    if keyword in ("minItems", "minLength", "minProperties"):
        return [_at(positions, path, file, "schema.empty" if value == 1 else "schema.too-short",
                    f"`{name}` must not be empty" if value == 1 else f"`{name}` is too short (minimum {value})")]
    if keyword in ("maxItems", "maxLength", "maxProperties"):
        return [_at(positions, path, file, "schema.too-long", f"`{name}` is too long (maximum {value})")]
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [_at(positions, path, file, "schema.range", f"`{name}` is out of range ({keyword} {value})")]
    if keyword == "dependentRequired" and isinstance(instance, dict):  # X's OAuth keys: one needs the others
        missing: dict[str, list[str]] = {}
        for given, needs in value.items():
            for needed in needs if given in instance else ():
                if needed not in instance:
                    missing.setdefault(needed, []).append(f"`{given}`")
        return [_at(positions, path, file, "schema.required",
                    f"missing required field `{needed}` in `{name}` (needed with {', '.join(givens)})")
                for needed, givens in missing.items()]
    if keyword == "anyOf":
        return _none_of_the_alternatives(error, positions, file)
    return [_at(positions, path, file, f"schema.{keyword}", f"`{name}`: {error.message}")]


def _none_of_the_alternatives(error, positions: Positions, file: str) -> list[Diagnostic]:
    """An anyOf no alternative fits, as the documented rules say it: the fields one of them needs
    (Slack's webhook, or bot token and channel), the types they take, or what is wrong inside the one
    whose type fits (a `formerly` list with a bad name)."""
    path, alternatives = tuple(error.absolute_path), error.validator_value
    name = field_name(path)
    if all(set(alternative) == {"required"} for alternative in alternatives):
        needs = ", or ".join(" and ".join(f"`{key}`" for key in alternative["required"]) for alternative in alternatives)
        return [_at(positions, path, file, "schema.required", f"`{name}` needs {needs}")]
    failed: dict[int, list] = {}
    for sub in error.context:
        failed.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [subs for subs in failed.values()
               if not any(sub.validator == "type" and tuple(sub.absolute_path) == path for sub in subs)]
    if len(fitting) == 1:
        return [d for sub in fitting[0] for d in _diagnose(sub, positions, file)]
    types = [t for alternative in alternatives for t in _types_of(alternative)]
    if types:
        wanted = " or ".join(dict.fromkeys(_TYPE_NAMES[t] for t in types))
        return [_at(positions, path, file, "schema.type",
                    f"`{name}` must be {wanted}, not {_TYPE_NAMES[json_type(error.instance)]}")]
    from jsonschema.exceptions import best_match

    return _diagnose(best_match(error.context), positions, file)


def _types_of(alternative: dict) -> list[str]:
    declared = alternative.get("type", [])
    return [declared] if isinstance(declared, str) else list(declared)

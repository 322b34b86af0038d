"""Docs that tests keep true: every field, command, option and rule id is in the README."""

from __future__ import annotations

import json
import re
from importlib import resources

import click
import pytest
from conftest import ROOT

from smm.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _fields(schema: dict, root: dict, prefix: str = "", seen: set | None = None):
    """Every field's documented name: `a`, `a[].b` in lists of objects, `a.*.b` in maps of objects.

    A shared definition ($ref) is documented once, where it first appears.
    """
    seen = set() if seen is None else seen
    for name, spec in schema.get("properties", {}).items():
        yield prefix + name
        spec = _resolve(spec, root)
        for child, marker in ((spec.get("items"), "[]."), (spec.get("additionalProperties"), ".*.")):
            if not isinstance(child, dict) or child.get("$ref", "") in seen:
                continue
            if "$ref" in child:
                seen.add(child["$ref"])
            if _resolve(child, root).get("properties"):
                yield from _fields(_resolve(child, root), root, f"{prefix}{name}{marker}", seen)


def _resolve(spec: dict, root: dict) -> dict:
    ref = spec.get("$ref")
    return root["$defs"][ref.rsplit("/", 1)[1]] if ref else spec


SCHEMAS = ["post", "platforms", "calendar", "brand", "handles", "goals", "theme", "replies", "personas", "listening", "card", "hashtags"]


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_schema_field_is_documented(name):
    document = json.loads(resources.files("smm.schemas").joinpath(f"{name}.schema.json").read_text())
    missing = [f for f in _fields(document, document) if f"`{f}`" not in README]
    assert not missing, f"README lacks these {name} fields: {missing}"


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_schema_field_has_a_description(name):
    document = json.loads(resources.files("smm.schemas").joinpath(f"{name}.schema.json").read_text())

    def walk(node, path):
        if isinstance(node, dict):
            for key, spec in node.get("properties", {}).items():
                assert spec.get("description"), f"{name}: {path}{key} has no description"
            for key, value in node.items():
                if key not in ("allOf", "if", "then"):  # conditions, not field definitions
                    walk(value, f"{path}{key}.")
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    walk(document, "")


def _commands():
    return sorted(cli.commands.items())


@pytest.mark.parametrize("name,command", _commands())
def test_every_command_and_option_is_documented(name, command):
    assert f"`smm {name}" in README
    row = next(line for line in README.splitlines() if line.startswith(f"| `smm {name}"))
    for param in command.params:
        if isinstance(param, click.Option):
            assert any(opt in row for opt in param.opts), f"smm {name}: {param.opts} not in its README row"


def test_every_rule_id_is_documented():
    source = "\n".join(p.read_text() for p in (ROOT / "smm").rglob("*.py"))
    rules = set(re.findall(r'"((?:schema|post|file|yaml|media|record|frontmatter|config|calendar|render|template|voice|goals|listening|card|hashtags|import)\.[a-z-]+)"', source))
    missing = sorted(r for r in rules if f"`{r}`" not in README)
    assert rules and not missing, f"README lacks rule ids: {missing}"


def test_every_platform_and_its_limit_is_in_the_table():
    from smm.platforms import registry

    for name, platform in registry().items():
        row = next((line for line in README.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row, f"README's platform table lacks `{name}`"
        limit = str(platform.text_limit) if platform.text_limit else "none"
        assert row.split("|")[2].strip().startswith(limit), f"{name}: README says {row.split('|')[2]!r}, code says {limit}"

"""Each JSON Schema's fastjsonschema validator is kept compiled in smm's cache folder (smm.workspace.schema):
the kept one judges every document as the validator fastjsonschema compiles afresh does."""

from __future__ import annotations

import json

import fastjsonschema
import pytest
import yaml
from conftest import ROOT

from smm.platforms import registry
from smm.platforms.options import platforms_schema
from smm.workspace.schema import SCHEMAS, Schema

# schema → documents of the example repository it judges
DOCUMENTS = {
    "platforms": ["platforms.yml"], "brand": ["brand/brand.yml"], "calendar": ["brand/calendar.yml"],
    "goals": ["brand/goals.yml"], "hashtags": ["brand/hashtags.yml"], "listening": ["brand/listening.yml"],
    "personas": ["brand/personas.yml"], "replies": ["brand/replies.yml"], "voice": ["brand/voice.yml"],
    "voice-rule": sorted(f"brand/voice/{p.name}" for p in (ROOT / "brand/voice").glob("*.yml"))[:8],
    "card": sorted(f"brand/cards/{p.name}" for p in (ROOT / "brand/cards").glob("*.yml")),
    "post": sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "content").rglob("*.md"))[:12],
    "record": sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "data/published").glob("*.json"))[:4],
}
WRONG = [42, "text", [], {}, None, True, -1.5, "２０２６", {"nested": [1, {"x": None}]}]


def _data(file: str):
    text = (ROOT / file).read_text(encoding="utf-8")
    if file.endswith(".json"):
        return json.loads(text)
    return yaml.safe_load(text.split("---\n")[1] if file.endswith(".md") else text)


def _variants(data) -> list:
    """The document, then each of its fields (and each element of a list field) made wrong in each way."""
    found = [data, *WRONG]
    for key, value in (data.items() if isinstance(data, dict) else []):
        found += [{**data, key: wrong} for wrong in WRONG] + [{k: v for k, v in data.items() if k != key}]
        if isinstance(value, list) and value:
            found += [{**data, key: [wrong, *value[1:]]} for wrong in WRONG]
    return found


def _verdict(validate, data) -> str:
    try:
        validate(data)
    except fastjsonschema.JsonSchemaException as exc:
        return f"invalid: {exc}"
    return "valid"


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_kept_validator_judges_as_a_fresh_one(name, tmp_path, monkeypatch):
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path))
    document = platforms_schema(registry()) if name == "platforms" else json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    made = Schema(document)._fast  # generated, compiled and kept
    assert len(list(tmp_path.glob("validator-*.pickle"))) == 1
    kept = Schema(document)._fast  # read back
    fresh = fastjsonschema.compile(Schema(document)._python)
    assert kept.__name__ == made.__name__ == fresh.__name__
    judged = [_verdict(fresh, data) for file in DOCUMENTS[name] for data in _variants(_data(file))]
    assert "valid" in judged and any(v != "valid" for v in judged)
    assert [_verdict(kept, data) for file in DOCUMENTS[name] for data in _variants(_data(file))] == judged


def test_a_damaged_kept_validator_is_made_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path))
    document = json.loads((SCHEMAS / "post.schema.json").read_text())
    Schema(document)._fast
    [kept] = tmp_path.glob("validator-*.pickle")
    kept.write_bytes(kept.read_bytes()[:100])
    assert _verdict(Schema(document)._fast, {"title": 1}) == _verdict(fastjsonschema.compile(Schema(document)._python), {"title": 1})

"""platforms.yml's schema, assembled from what each registered platform declares.

The accounts' common options are here; each platform adds its own (`Platform.options`) and
what its accounts must hold (`Platform.options_rule`). smm validates platforms.yml against
the assembled schema, so a plugin's options are accepted; smm/schemas/platforms.schema.json
is the same document for editors, regenerated with `python -m smm.platforms.options`.
"""

from __future__ import annotations

import json
import sys

from smm.errors import ConfigError
from smm.workspace.config import DURATION

_NAME = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}
COMMON = {
    "char_limit": {"description": "Override of the network's text limit (for example a Mastodon instance that "
                                  "allows 1000).", "type": "integer", "minimum": 1},
    "hashtag_limit": {"description": "Most hashtags a post may carry on this account (`render.too-many-hashtags`). "
                                     "Default: the network's limit, 5 on Instagram and Douyin, 10 on Bilibili and "
                                     "Xiaohongshu; none elsewhere.",
                      "type": "integer", "minimum": 0},
    "utm": {"description": "`false` turns UTM tagging off for this account.", "type": "boolean"},
    "token_issued": {"description": "The day the account's token was issued, `YYYY-MM-DD`: `smm doctor` counts its "
                                    "expiry from it where the network cannot say (LinkedIn, Threads, Facebook and "
                                    "Instagram tokens last 60 days).",
                     "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    "max_lateness": {"description": "How late a post may still go out after `publish_at`, as `30m`, `6h`, `2d` "
                                    "(at most 99999 of a unit) or `none` (no limit). Default `6h`; `none` for feeds and "
                                    "export bundles.",
                     "type": "string", "pattern": f"^(none|{DURATION})$"},
    "formerly": {"description": "The name or names this account had before it was renamed: the publish records "
                                "written under them count as this account's, so its posts do not go out again.",
                 "anyOf": [_NAME, {"type": "array", "minItems": 1, "items": _NAME}]},
}
_TOP = {
    "timezone": {"description": "IANA time zone (for example `Asia/Shanghai`) for `publish_at` values without an "
                                "offset, the calendar and reports.", "type": "string", "minLength": 1},
    "utm": {"description": "UTM tagging of links: `utm_source` is the platform, `utm_medium` and `utm_campaign` "
                           "(the post's campaign) as set here.",
            "type": "object", "additionalProperties": False, "properties": {
                "enabled": {"description": "`false` turns tagging off everywhere. Default `true`.", "type": "boolean"},
                "medium": {"description": "The `utm_medium` value. Default `social`.", "type": "string", "minLength": 1},
                "domains": {"description": "Tag only links to these domains (and their subdomains). Default: every "
                                           "link.", "type": "array", "items": {"type": "string"}}}},
    "accounts": {"description": "Accounts by name; posts list these names in `platforms`.", "type": "object",
                 "minProperties": 1, "propertyNames": {"pattern": _NAME["pattern"]},
                 "additionalProperties": {"$ref": "#/$defs/account"}},
}


def account_options(platforms: dict) -> dict[str, dict]:
    """Every account option: the common ones, then each platform's, described per platform.

    An option several platforms declare must mean the same value to each (one schema);
    their descriptions are joined, each after the names of the platforms that use it.
    """
    schemas: dict[str, dict] = {}
    described: dict[str, dict[str, list[str]]] = {}  # option → description → platform names
    for cls in platforms.values():
        for option, declared in cls.options.items():
            shape = {k: v for k, v in declared.items() if k != "description"}
            if schemas.setdefault(option, shape) != shape or option in COMMON or option in ("platform", "description"):
                raise ConfigError(f"platform `{cls.name}` declares the account option `{option}` unlike another "
                                  "platform or smm does: give it another name")
            described.setdefault(option, {}).setdefault(declared.get("description", ""), []).append(cls.name)
    options = {}
    for option, shape in schemas.items():
        text = " ".join(f"{', '.join(names)}: {what[:1].lower()}{what[1:]}" for what, names in described[option].items())
        options[option] = {"description": text, **shape}
    return options


def platforms_schema(platforms: dict) -> dict:
    """The JSON Schema of platforms.yml for these platforms ({name: class})."""
    names = ", ".join(name + (" (a test double, for tests only)" if cls.for_tests else "")
                      for name, cls in sorted(platforms.items()))
    account = {
        "type": "object", "additionalProperties": False, "required": ["platform"],
        "properties": {
            "platform": {"description": f"The network: {names}, or a platform a plugin registers.", **_NAME},
            "description": {"description": "Free text for humans.", "type": "string"},
            **account_options(platforms), **COMMON,
        },
        "allOf": [{"if": {"properties": {"platform": {"const": name}}}, "then": cls.options_rule}
                  for name, cls in sorted(platforms.items()) if cls.options_rule],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://smm.dev/schemas/platforms.schema.json",
        "title": "smm platforms.yml",
        "description": "The accounts a content repository publishes to. Secrets are never written here: only the "
                       "names of environment variables that hold them.",
        "type": "object", "additionalProperties": False, "required": ["timezone", "accounts"],
        "properties": _TOP,
        "$defs": {"env": {"type": "string", "pattern": "^[A-Z_][A-Z0-9_]*$"},
                  "url": {"type": "string", "pattern": "^https?://[^\\s]+$"}, "account": account},
    }


def document() -> str:
    """The schema of the installed platforms as smm/schemas/platforms.schema.json holds it."""
    from smm.platforms import registry

    return json.dumps(platforms_schema(registry()), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.write(document())

"""The adapter contract: what a platform declares is checked when it registers, and assembled
into platforms.yml's schema, the preview's look and each account's defaults."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from smm.errors import ConfigError
from smm.platforms import Platform, registered, registry
from smm.platforms.mastodon import Mastodon
from smm.platforms.options import document, platforms_schema


def platform(name="made_up", **declared) -> type[Platform]:
    return type("MadeUp", (Platform,), {"name": name, "label": "Made up", **declared})


def test_the_shipped_schema_is_the_one_the_platforms_declare():
    shipped = resources.files("smm.schemas").joinpath("platforms.schema.json").read_text("utf-8")
    assert json.loads(shipped) == json.loads(document()), "run: python -m smm.platforms.options > smm/schemas/platforms.schema.json"


REFUSED = [  # (what is registered, what the error says)
    ([("a:Mastodon", Mastodon), ("b:Other", platform("mastodon"))], "two platforms are named `mastodon`: a:Mastodon and b:Other"),
    ([("p:Bad", platform(markup="bbcode"))], "markup `bbcode` is not one of plain, html, article, telegram, slack, discord"),
    ([("p:Bad", platform(has_metrics=True))], "has_metrics is set but `metrics` is not implemented"),
    ([("p:Bad", platform(has_followers=True))], "has_followers is set but `followers` is not implemented"),
    ([("p:Nameless", type("Nameless", (Platform,), {}))], "platform p:Nameless: it declares no `name`"),
]


@pytest.mark.parametrize("classes,message", REFUSED)
def test_the_registry_refuses_a_clash_or_a_broken_declaration(classes, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        registered(classes)


class _Entry:
    """An entry point of the smm.platforms group, as importlib.metadata lists it."""

    def __init__(self, name: str, cls: type, value: str = "") -> None:
        self.name, self.value, self.cls = name, value or f"plugin:{cls.__name__}", cls

    def load(self) -> type:
        return self.cls


# (the entry points installed, the name asked for, the class, or the error and what it says)
SMM_MASTODON = _Entry("mastodon", Mastodon, "smm.platforms.mastodon:Mastodon")
LOOKED_UP = [
    ([SMM_MASTODON], "mastodon", Mastodon),  # smm's own alone: only its module
    ([_Entry("mastodon", Mastodon)], "mastodon", Mastodon),
    ([SMM_MASTODON, _Entry("other", platform("mastodon"))], "mastodon",
     (ConfigError, "two platforms are named `mastodon`")),  # a plugin's class clashes under another name
    ([_Entry("mastodon", Mastodon), _Entry("other", platform("mastodon"))], "mastodon",
     (ConfigError, "two platforms are named `mastodon`")),  # a clash under another entry point's name
    ([_Entry("mastodon", Mastodon), _Entry("mastodon", platform("mastodon"))], "mastodon",
     (ConfigError, "two platforms are named `mastodon`")),
    ([_Entry("foo", platform("bar"))], "bar", "bar"),  # the class's name is the platform's
    ([_Entry("foo", platform("bar"))], "foo", (KeyError, "foo")),
    ([_Entry("foo", platform("foo", markup="bbcode"))], "foo", (ConfigError, "markup `bbcode`")),
    ([SMM_MASTODON], "nope", (KeyError, "nope")),
    ([_Entry("foo", platform("foo", has_metrics=True), "smm.platforms.foo:Foo")], "foo", (ConfigError, "has_metrics")),
]


@pytest.mark.parametrize("entries,name,expected", LOOKED_UP)
def test_one_platform_is_looked_up_as_the_whole_registry_would(monkeypatch, entries, name, expected):
    import importlib.metadata

    from smm.platforms import _own_entries, platform_class

    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: list(entries))
    cached = (registry, platform_class, _own_entries)
    for function in cached:
        function.cache_clear()
    try:
        if isinstance(expected, tuple):
            with pytest.raises(expected[0], match=expected[1]):
                platform_class(name)
        else:
            found = platform_class(name)
            assert found.name == name and (found is expected or expected == name)
    finally:
        for function in cached:
            function.cache_clear()


def test_the_entry_points_are_listed_once_for_every_platform_looked_up(monkeypatch):
    import importlib.metadata

    from smm.platforms import _own_entries, platform_class

    listed = []
    bluesky = _Entry("bluesky", platform("bluesky"), "smm.platforms.bluesky:Bluesky")
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: listed.append(group) or [SMM_MASTODON, bluesky])
    cached = (registry, platform_class, _own_entries)
    for function in cached:
        function.cache_clear()
    try:
        assert [platform_class(n).name for n in ("mastodon", "bluesky", "mastodon")] == ["mastodon", "bluesky", "mastodon"]
        assert listed == ["smm.platforms"]
    finally:
        for function in cached:
            function.cache_clear()


def test_one_platform_imports_its_module_alone():
    import subprocess
    import sys

    code = ("import sys; from smm.platforms import platform_class; assert platform_class('mastodon').name == 'mastodon';"
            "print(sorted(m for m in sys.modules if m.startswith('smm.platforms.') and m.count('.') == 2))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "smm.platforms.mastodon" in loaded and "smm.platforms.x'" not in loaded and "smm.platforms.wechat" not in loaded


def test_the_same_class_twice_is_one_platform():
    assert registered([("a:Mastodon", Mastodon), ("a:Mastodon", Mastodon)]) == {"mastodon": Mastodon}


CLASHING_OPTIONS = [  # an option another platform or smm already defines differently
    {"instance": {"type": "integer"}},
    {"char_limit": {"type": "integer"}},
    {"platform": {"type": "string"}},
]


@pytest.mark.parametrize("options", CLASHING_OPTIONS)
def test_an_option_must_mean_one_thing_across_platforms(options):
    with pytest.raises(ConfigError, match="declares the account option"):
        platforms_schema({"mastodon": Mastodon, "made_up": platform(options=options)})


def test_a_plugins_options_join_the_schema():
    schema = platforms_schema({**registry(), "made_up": platform(
        options={"room": {"description": "The room.", "type": "string"}}, options_rule={"required": ["room"]})})
    account = schema["$defs"]["account"]
    assert account["properties"]["room"] == {"description": "made_up: the room.", "type": "string"}
    assert {"if": {"properties": {"platform": {"const": "made_up"}}}, "then": {"required": ["room"]}} in account["allOf"]


READINESS = [  # (platform, options, environment, reason, secrets named)
    (platform(can_publish=True, secrets=("token_env",)), {"token_env": "T"}, {"T": "abc"}, None, ()),
    (platform(can_publish=True, secrets=("token_env",)), {"token_env": "T"}, {}, "not configured: set T", ("T",)),
    (platform(can_publish=True, secrets=("token_env",)), {"token_env": "T"}, {"T": "a b"},
     "not configured: T holds white space or a control character inside its value: paste the secret again", ("T",)),
    (platform(secrets=("token_env",)), {"token_env": "T"}, {},
     "publishing to Made up is not implemented yet (check and preview only)", ("T",)),
    (platform(can_publish=True, requires=("no_such_sdk_module",)), {}, {},
     "the Made up adapter is not installed: pip install 'smm-git[networks]'", ()),
]


@pytest.mark.parametrize("cls,options,env,reason,secrets", READINESS)
def test_readiness_gives_the_first_reason_and_the_variables_behind_it(cls, options, env, reason, secrets):
    ready = cls.readiness(options, env)
    assert (ready.reason, ready.secrets, ready.ready) == (reason, secrets, reason is None)


def test_the_minimal_adapter_in_the_contract_works(tmp_path):
    """The example in smm/platforms/base.py's docstring registers, validates its accounts and publishes."""
    import textwrap

    import httpx

    from smm.platforms import base, http
    from smm.workspace.config import Account

    example = textwrap.dedent(base.__doc__.split("A minimal adapter:\n")[1].split("\n\nTable tests")[0])
    scope = {**vars(base), "http": http}
    exec(example, scope)
    cls = scope["Example"]
    schema = platforms_schema(registered([*((n, c) for n, c in registry().items()), ("docs:Example", cls)]))
    assert schema["$defs"]["account"]["properties"]["room"]["description"] == "example: the room to post to."

    account = Account("ex", "example", {"token_env": "T", "room": "r1"})
    sent = []

    def api(request):
        sent.append((request.headers["Authorization"], json.loads(request.content)))
        return httpx.Response(200, json={"id": 7})

    adapter = cls(account, {"T": "abc"}, tmp_path, transport=httpx.MockTransport(api))
    outgoing = base.Outgoing("p", "ex", "Title", "Hello")
    assert adapter.publish(outgoing, idempotency_key="k") == base.PublishResult("7")
    assert sent == [("Bearer abc", {"room": "r1", "text": "Hello"})]
    assert cls.readiness({"token_env": "T"}, {}).reason == "not configured: set T"

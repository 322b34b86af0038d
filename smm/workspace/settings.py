"""The settings files of a content repository, each read, parsed and schema-checked once.

    SETTINGS_FILES  ── one row per file: what it becomes, the file, its schema, and how the
                       checked data becomes that object (rows may use the objects above them)
    load_settings   ── every row in order → Settings, with each file's problems
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from typing import TYPE_CHECKING

from smm.check.diagnostics import Diagnostic
from smm.workspace.brand import BRAND_FILE, HANDLES_FILE, THEME_FILE, Brand, brand_from
from smm.workspace.hashtags import HASHTAGS_FILE, hashtag_sets_from
from smm.workspace.calendar import CALENDAR_FILE, Calendar, calendar_from
from smm.workspace.config import (
    PLATFORMS_FILE,
    Config,
    YamlFile,
    config_from,
    load_yaml_file,
)
from smm.workspace.personas import PERSONAS_FILE, Personas, personas_from

if TYPE_CHECKING:
    from smm.inbox.triage import Replies

# Here, not in the modules that read them: a command that only needs other settings (a warm
# `smm check`) never imports the voice engine, the cards' drawing, the inbox or the reports.
VOICE_FILE = "brand/voice.yml"
CARDS_DIR = "brand/cards"
GOALS_FILE = "brand/goals.yml"
REPLIES_FILE = "brand/replies.yml"
LISTENING_FILE = "brand/listening.yml"
Build = Callable[[Path, YamlFile, dict], tuple[object, list[Diagnostic]]]  # (root, the file, built so far)


@dataclass(frozen=True)
class SettingsFile:
    name: str  # the attribute of Settings it becomes
    file: str
    schema: str
    build: Build


def _voice(root: Path, loaded: YamlFile, built: dict):
    from smm.voice import Voice  # compiling rules is for the commands that check posts

    return Voice.build(root, loaded, built["calendar"])


def _cards(root: Path, loaded: YamlFile, built: dict):
    from smm.cards.templates import load_cards

    return load_cards(root)


def _goals(root: Path, loaded: YamlFile, built: dict):
    from smm.report.goals import goals_from

    return goals_from(loaded, built["config"].account_names)


def _replies(root: Path, loaded: YamlFile, built: dict):
    from smm.inbox.triage import replies_from

    return replies_from(loaded)


def _listening(root: Path, loaded: YamlFile, built: dict):
    from smm.listening.config import listening_from

    return listening_from(loaded)


def _brand(root: Path, loaded: YamlFile, built: dict):
    brand, found = brand_from(root, loaded, built["handles"], built["theme"])
    return replace(brand, cards=built["cards"], hashtag_sets=built["hashtag_sets"]), found


SETTINGS_FILES = (
    SettingsFile("config", PLATFORMS_FILE, "platforms", lambda root, loaded, built: config_from(root, loaded)),
    SettingsFile("calendar", CALENDAR_FILE, "calendar", lambda root, loaded, built: calendar_from(loaded)),
    SettingsFile("handles", HANDLES_FILE, "handles", lambda root, loaded, built: (loaded, loaded.diagnostics)),
    SettingsFile("theme", THEME_FILE, "theme", lambda root, loaded, built: (loaded, loaded.diagnostics)),
    SettingsFile("cards", CARDS_DIR, "", _cards),
    SettingsFile("hashtag_sets", HASHTAGS_FILE, "hashtags", lambda root, loaded, built: hashtag_sets_from(loaded)),
    SettingsFile("brand", BRAND_FILE, "brand", lambda root, loaded, built: _brand(root, loaded, built)),
    SettingsFile("goals", GOALS_FILE, "goals", _goals),
    SettingsFile("replies", REPLIES_FILE, "replies", _replies),
    SettingsFile("personas", PERSONAS_FILE, "personas", lambda root, loaded, built: personas_from(loaded, built["config"])),
    SettingsFile("voice", VOICE_FILE, "voice", _voice),
    SettingsFile("listening", LISTENING_FILE, "listening", _listening),
)


@dataclass
class Settings:
    config: Config
    calendar: Calendar
    brand: Brand
    goals: list[dict]
    replies: Replies
    personas: Personas
    voice: object | None  # smm.voice.Voice; None unless asked for
    listening: object | None = None  # smm.listening.config.Listening; None without brand/listening.yml
    found: dict[str, list[Diagnostic]] = field(default_factory=dict)  # by SettingsFile name: its problems
    daily_limits: dict | None = None  # account → (posts a day, day zone, label): smm.check.run.daily_limits
    reported_limits: dict | None = None  # account → the text limit its network reports, kept a day (smm.platforms.kept_reported_limits: set by check_settings and the site's build); None: ask

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for found in self.found.values() for d in found]

    def __getstate__(self) -> dict:
        """Kept between runs (smm.workspace.kept_settings) with the settings in PICKLED_APART pickled
        apart, each unpickled when first used: a check that checks no post again never imports
        the voice engine, nor the cards, inbox and listening modules their classes live in."""
        apart = {name: pickle.dumps(getattr(self, name), pickle.HIGHEST_PROTOCOL) for name in PICKLED_APART}
        return {**{name: value for name, value in self.__dict__.items() if name != "_pickled"}, **apart}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({name: value for name, value in state.items() if name not in PICKLED_APART})
        self.__dict__["_pickled"] = {name: state[name] for name in PICKLED_APART if name in state}

    def __getattr__(self, name: str) -> object:
        pickled = self.__dict__.get("_pickled")
        if pickled is None or name not in pickled:
            raise AttributeError(name)
        value = pickle.loads(pickled.pop(name))
        setattr(self, name, value)
        return value


PICKLED_APART = ("brand", "replies", "voice", "listening")


def load_settings(root: Path, voice: bool = False) -> Settings:
    """Every settings file, parsed once; with `voice`, the brand voice rules compiled too."""
    built: dict[str, object] = {"voice": None}
    found: dict[str, list[Diagnostic]] = {}
    for row in SETTINGS_FILES:
        if row.name == "voice" and not voice:
            continue
        loaded = load_yaml_file(root, row.file, row.schema) if row.schema else None  # no schema: it reads its own files
        built[row.name], problems = row.build(root, loaded, built)
        found[row.name] = problems
    del built["handles"], built["theme"], built["cards"], built["hashtag_sets"]
    return Settings(**built, found=found)

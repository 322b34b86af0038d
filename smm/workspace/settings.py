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

from smm.cards.templates import CARDS_DIR, load_cards
from smm.check.diagnostics import Diagnostic
from smm.inbox.triage import REPLIES_FILE, Replies, replies_from
from smm.listening.config import LISTENING_FILE, listening_from
from smm.report.goals import GOALS_FILE, goals_from
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

VOICE_FILE = "brand/voice.yml"  # here, not in smm.voice: commands that check no post never import the voice engine
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


def _brand(root: Path, loaded: YamlFile, built: dict):
    brand, found = brand_from(root, loaded, built["handles"], built["theme"])
    return replace(brand, cards=built["cards"], hashtag_sets=built["hashtag_sets"]), found


SETTINGS_FILES = (
    SettingsFile("config", PLATFORMS_FILE, "platforms", lambda root, loaded, built: config_from(root, loaded)),
    SettingsFile("calendar", CALENDAR_FILE, "calendar", lambda root, loaded, built: calendar_from(loaded)),
    SettingsFile("handles", HANDLES_FILE, "handles", lambda root, loaded, built: (loaded, loaded.diagnostics)),
    SettingsFile("theme", THEME_FILE, "theme", lambda root, loaded, built: (loaded, loaded.diagnostics)),
    SettingsFile("cards", CARDS_DIR, "", lambda root, loaded, built: load_cards(root)),
    SettingsFile("hashtag_sets", HASHTAGS_FILE, "hashtags", lambda root, loaded, built: hashtag_sets_from(loaded)),
    SettingsFile("brand", BRAND_FILE, "brand", lambda root, loaded, built: _brand(root, loaded, built)),
    SettingsFile("goals", GOALS_FILE, "goals",
                 lambda root, loaded, built: goals_from(loaded, built["config"].account_names)),
    SettingsFile("replies", REPLIES_FILE, "replies", lambda root, loaded, built: replies_from(loaded)),
    SettingsFile("personas", PERSONAS_FILE, "personas", lambda root, loaded, built: personas_from(loaded, built["config"])),
    SettingsFile("voice", VOICE_FILE, "voice", _voice),
    SettingsFile("listening", LISTENING_FILE, "listening", lambda root, loaded, built: listening_from(loaded)),
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

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for found in self.found.values() for d in found]

    def __getstate__(self) -> dict:
        """Kept between runs (smm.workspace.kept_settings) with the voice rules pickled apart, and
        unpickled when first used: a check that checks no post again never imports the voice engine."""
        state = dict(self.__dict__)
        if state["voice"] is not None:
            state["voice"] = pickle.dumps(state["voice"], pickle.HIGHEST_PROTOCOL)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if isinstance(state["voice"], bytes):
            del self.__dict__["voice"]
            self.__dict__["_voice_pickled"] = state["voice"]

    def __getattr__(self, name: str) -> object:
        if name == "voice" and "_voice_pickled" in self.__dict__:
            self.voice = pickle.loads(self.__dict__.pop("_voice_pickled"))
            return self.voice
        raise AttributeError(name)


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

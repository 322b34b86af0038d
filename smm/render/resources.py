"""Where smm's package data lives: TLD lists, X's emoji weights, Unicode tables (smm/resources/)."""

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"

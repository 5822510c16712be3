"""The requirements catalogue: every requirement the suite knows, once, and GitHub's names for permissions."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from compliance.model import Level

__all__ = [
    "CATALOGUE_FILE",
    "ProfileError",
    "Requirement",
    "catalogue",
    "permission_title",
    "read_int",
    "read_str",
    "read_table",
    "requirement_from",
]

HERE = Path(__file__).parent
CATALOGUE_FILE = HERE / "requirements.toml"


class ProfileError(ValueError):
    """A catalogue or profile entry that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Requirement:
    """One documented requirement, its text filled from the profile; its id is its test ID."""

    id: str
    title: str
    level: Level
    guide_step: str
    remediation: str
    references: tuple[str, ...]
    probes: str = ""  # which requests bear on it (for the generated docs)
    rests_on: str = ""  # what the verdict rests on (for the generated docs)


@cache
def _titles() -> dict[str, str]:
    return dict(json.loads((HERE / "permissions.json").read_text(encoding="utf-8")))


def permission_title(key: str) -> str:
    """GitHub's title for a permission id (members -> Members); the id itself when GitHub's map lacks it."""
    return _titles().get(key, key)


@cache
def catalogue() -> tuple[Requirement, ...]:
    """Every requirement of the catalogue, in order, with its text unfilled."""
    data = tomllib.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return tuple(requirement_from(raw, "the requirements catalogue") for raw in data["requirement"])


def requirement_from(raw: dict[str, Any], where: str) -> Requirement:
    """A requirement from its TOML table, every field checked."""
    rid = read_str(raw, "id", where)
    here = f"requirement {rid} of the {where}"
    level = read_str(raw, "level", here)
    if level not in {"must", "should"}:
        raise ProfileError(f"The {here} has level {level!r}; use must or should.")
    refs = raw.get("references", [])
    if not isinstance(refs, list) or not all(isinstance(u, str) and u.startswith("https://") for u in refs):
        raise ProfileError(f"The {here} needs references as a list of https:// links.")
    return Requirement(
        id=rid,
        title=read_str(raw, "title", here),
        level=Level(level),
        guide_step=read_str(raw, "guide_step", here),
        remediation=read_str(raw, "remediation", here),
        references=tuple(refs),
        probes=str(raw.get("probes", "")),
        rests_on=str(raw.get("rests_on", "")),
    )


def read_table(data: dict[str, Any], key: str, where: str, default: dict[str, Any] | None = None) -> dict[str, Any]:
    """A TOML table that must be there (or the default)."""
    value = data.get(key, default)
    if not isinstance(value, dict):
        raise ProfileError(f"The {where} needs a [{key}] table.")
    return value


def read_str(data: dict[str, Any], key: str, where: str) -> str:
    """A non-empty string field."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(f"The {where} needs {key} as a non-empty string.")
    return value


def read_int(data: dict[str, Any], key: str, where: str) -> int:
    """A positive whole number of days."""
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ProfileError(f"The {where} needs {key} as a positive whole number of days.")
    return value

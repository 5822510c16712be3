"""The requirements catalogue: every requirement the suite knows, once, and GitHub's names for permissions."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from compliance.controls import Control, controls_for
from compliance.limits import nesting_depth
from compliance.model import Level, ProfileError

__all__ = [
    "CATALOGUE_FILE",
    "ProfileError",
    "Requirement",
    "catalogue",
    "load_toml",
    "permission_title",
    "read_int",
    "read_str",
    "read_table",
    "requirement_from",
]

HERE = Path(__file__).parent
CATALOGUE_FILE = HERE / "requirements.toml"
TOML_LIMIT = 1024 * 1024  # bytes: a profile is a few KiB
TOML_DEPTH = 16  # tables and arrays within each other: a profile needs four


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
    controls: tuple[Control, ...] = ()  # the framework controls its verdict is evidence for (controls.toml)


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
        controls=controls_for(rid),
    )


def load_toml(path: Path, what: str) -> dict[str, Any]:
    """A TOML file of bounded size and nesting (a device or FIFO is refused), or one ProfileError sentence."""
    try:
        with path.open("rb") as handle:
            if not path.is_file():
                raise ProfileError(f"The {what} {path} is not a regular file; point it at a .toml file.")
            raw = handle.read(TOML_LIMIT + 1)
    except OSError as exc:
        raise ProfileError(f"Cannot read the {what} {path}: {exc.strerror}.") from None
    if len(raw) > TOML_LIMIT:
        raise ProfileError(f"The {what} {path} is larger than {TOML_LIMIT // 1024} KiB; a profile is a few KiB.")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"The {what} {path} is not valid TOML ({exc}); fix its syntax.") from None
    except RecursionError:
        data = None
    if data is None or nesting_depth(data) > TOML_DEPTH:
        raise ProfileError(f"The {what} {path} nests tables or arrays too deep (more than {TOML_DEPTH} levels).")
    return data


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


def read_int(data: dict[str, Any], key: str, where: str, most: int) -> int:
    """A positive whole number of days, at most `most`."""
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= most:
        raise ProfileError(f"The {where} needs {key} as a positive whole number of days, at most {most}.")
    return value

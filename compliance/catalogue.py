"""Requirement profiles: the catalogue of what a token must satisfy, loaded from TOML data."""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

__all__ = ["PROFILE_DIR", "Level", "Profile", "ProfileError", "Requirement", "available_profiles", "load_profile"]

PROFILE_DIR = Path(__file__).parent / "profiles"
_ACCESS = {"read", "write", "admin"}


class Level(Enum):
    """RFC 2119 strength: a failed `must` fails the run, a failed `should` warns."""

    MUST = "must"
    SHOULD = "should"


@dataclass(frozen=True)
class Requirement:
    """One documented requirement; its id is its test ID."""

    id: str
    title: str
    level: Level
    guide_step: str
    remediation: str
    references: tuple[str, ...]
    new_token: bool = False


@dataclass(frozen=True)
class Profile:
    """A vendor's token settings plus the requirements that check them."""

    id: str
    title: str
    guide: str
    token_name: str
    token_description: str
    expires_in_days: int
    max_lifetime_days: int
    repository_access: str
    organization_permissions: dict[str, str]
    optional_organization_permissions: dict[str, str]
    repository_permissions: dict[str, str]
    requirements: tuple[Requirement, ...] = field(default=())

    def requirement(self, rid: str) -> Requirement:
        """Return the requirement with this id."""
        return next(r for r in self.requirements if r.id == rid)


class ProfileError(ValueError):
    """A profile that cannot be used; the message says what to fix."""


def available_profiles() -> list[str]:
    """Names of the bundled profiles."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def load_profile(name_or_path: str, known_ids: Collection[str]) -> Profile:
    """Load a bundled profile by name or a custom one by path, validating every field."""
    path = Path(name_or_path)
    if not (name_or_path.endswith(".toml") or path.is_file()):
        path = PROFILE_DIR / f"{name_or_path}.toml"
        if not path.is_file():
            raise ProfileError(
                f"There is no profile named {name_or_path!r}; use one of {', '.join(available_profiles())} "
                "or the path of a profile .toml file."
            )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"Cannot read the profile file {path}: {exc.strerror}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"The profile file {path} is not valid TOML ({exc}); fix its syntax.") from None
    return _build(data, path, known_ids)


def _build(data: dict[str, Any], path: Path, known_ids: Collection[str]) -> Profile:
    where = f"profile {path.name}"
    head = _table(data, "profile", where)
    perms = _table(head, "permissions", where, default={})
    reqs = data.get("requirement")
    if not isinstance(reqs, list) or not reqs:
        raise ProfileError(f"The {where} has no [[requirement]] entries; add at least one.")
    requirements = tuple(_requirement(r, i, where, known_ids) for i, r in enumerate(reqs, 1))
    ids = [r.id for r in requirements]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ProfileError(f"The {where} lists {', '.join(dupes)} more than once; keep one entry per id.")
    access = _str(head, "repository_access", where)
    if access not in {"public", "all", "none"}:
        raise ProfileError(f"In the {where}, repository_access must be public, all or none, not {access!r}.")
    return Profile(
        id=_str(head, "id", where),
        title=_str(head, "title", where),
        guide=_str(head, "guide", where),
        token_name=_str(head, "token_name", where),
        token_description=_str(head, "token_description", where),
        expires_in_days=_int(head, "expires_in_days", where),
        max_lifetime_days=_int(head, "max_lifetime_days", where),
        repository_access=access,
        organization_permissions=_perms(perms, "organization", where),
        optional_organization_permissions=_perms(perms, "optional_organization", where),
        repository_permissions=_perms(perms, "repository", where),
        requirements=requirements,
    )


def _requirement(raw: object, index: int, where: str, known_ids: Collection[str]) -> Requirement:
    if not isinstance(raw, dict):
        raise ProfileError(f"Requirement #{index} in the {where} is not a table.")
    rid = _str(raw, "id", f"requirement #{index} of the {where}")
    here = f"requirement {rid} of the {where}"
    if rid not in known_ids:
        raise ProfileError(f"The {here} has no check; ids with a check are: {', '.join(sorted(known_ids))}.")
    level = _str(raw, "level", here)
    if level not in {"must", "should"}:
        raise ProfileError(f"The {here} has level {level!r}; use must or should.")
    refs = raw.get("references", [])
    if not isinstance(refs, list) or not all(isinstance(u, str) and u.startswith("https://") for u in refs):
        raise ProfileError(f"The {here} needs references as a list of https:// links.")
    return Requirement(
        id=rid,
        title=_str(raw, "title", here),
        level=Level(level),
        guide_step=_str(raw, "guide_step", here),
        remediation=_str(raw, "remediation", here),
        references=tuple(refs),
        new_token=bool(raw.get("new_token", False)),
    )


def _table(data: dict[str, Any], key: str, where: str, default: dict[str, Any] | None = None) -> dict[str, Any]:
    value = data.get(key, default)
    if not isinstance(value, dict):
        raise ProfileError(f"The {where} needs a [{key}] table.")
    return value


def _str(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(f"The {where} needs {key} as a non-empty string.")
    return value


def _int(data: dict[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ProfileError(f"The {where} needs {key} as a positive whole number of days.")
    return value


def _perms(perms: dict[str, Any], key: str, where: str) -> dict[str, str]:
    table = perms.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) and v in _ACCESS for v in table.values()):
        raise ProfileError(f"In the {where}, [profile.permissions.{key}] must map permission ids to read/write/admin.")
    return dict(table)

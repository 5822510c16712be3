"""Profiles: a vendor's token recipe as a thin overlay that selects, adjusts and fills in catalogue requirements."""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from compliance.catalogue import (
    ProfileError,
    Requirement,
    catalogue,
    load_toml,
    permission_title,
    read_int,
    read_str,
    read_table,
    requirement_from,
)
from compliance.profile_rules import (
    PROFILE_KEYS,
    RECORD_SELECTION,
    REPOSITORY_ACCESS,
    OwnerRole,
    alternatives_of,
    guide_date,
    guide_url,
    notes_of,
    owner_role,
    permissions_of,
    template_problems,
)

__all__ = [
    "PROFILE_DIR",
    "RECORD_SELECTION",
    "REPOSITORY_ACCESS",
    "Profile",
    "available_profiles",
    "load_all",
    "load_profile",
    "spoken_list",
]

PROFILE_DIR = Path(__file__).parent / "profiles"
_TEXT_FIELDS = ("title", "guide_step", "remediation")
_OVERRIDABLE = {*_TEXT_FIELDS, "level", "references"}
_LEGACY = {"id", "new_token"}  # accepted in a [[requirement]] entry of an older profile


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
    vendor: str = ""
    guide_read: str = ""  # the date the guide was last read, YYYY-MM-DD
    notes: tuple[str, ...] = ()  # where the guide is ambiguous, and the reading chosen
    owner: OwnerRole = field(default_factory=OwnerRole)
    alternatives: tuple[dict[str, str], ...] = ()  # organization permission sets of which one is required

    def allowed_organization(self) -> dict[str, str]:
        """Every organization permission the guide allows: required, optional and each alternative's."""
        allowed = {**self.organization_permissions, **self.optional_organization_permissions}
        for alternative in self.alternatives:
            allowed |= alternative
        return allowed

    def requirement(self, rid: str) -> Requirement:
        """Return the requirement with this id."""
        return next(r for r in self.requirements if r.id == rid)

    def permission_names(self, *, optional: bool = False) -> list[str]:
        """The titles of the permissions the guide asks for (or of the optional ones), organization first."""
        if optional:
            return [permission_title(k) for k in self.optional_organization_permissions]
        return [permission_title(k) for k in (*self.organization_permissions, *self.repository_permissions)]

    def permission_phrase(self) -> str:
        """The permissions the guide asks for, as a reader says them: 'Members: Read and Contents: Read'."""
        said = [f"{permission_title(k)}: {v.capitalize()}" for k, v in self.organization_permissions.items()]
        if self.alternatives:
            sets = [
                spoken_list([f"{permission_title(k)}: {v.capitalize()}" for k, v in a.items()])
                for a in self.alternatives
            ]
            said.append("one of " + " or ".join(sets))
        said += [f"{permission_title(k)}: {v.capitalize()}" for k, v in self.repository_permissions.items()]
        return spoken_list(said) or "no permission"

    def fills(self) -> dict[str, str]:
        """The values that catalogue text may name in braces."""
        optional = [
            f"{permission_title(k)}: {v.capitalize()}" for k, v in self.optional_organization_permissions.items()
        ]
        label, fix = REPOSITORY_ACCESS[self.repository_access]
        return {
            "token_name": self.token_name,
            "max_lifetime_days": str(self.max_lifetime_days),
            "expires_in_days": str(self.expires_in_days),
            "repository_access": label,
            "repository_access_fix": fix,
            "permissions": self.permission_phrase(),
            "optional_permissions": f" ({spoken_list(optional)} may stay)" if optional else "",
            "owner_role": self.owner.phrase(),
            "owner_role_fix": self.owner.fix(),
        }


def spoken_list(items: list[str]) -> str:
    """Items as a reader says them: 'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


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
    return _build(load_toml(path, "profile file"), f"profile {path.name}", known_ids)


def load_all(known_ids: Collection[str]) -> list[Profile]:
    """Every bundled profile, each validated (the first invalid one raises its ProfileError)."""
    return [load_profile(name, known_ids) for name in available_profiles()]


def _build(data: dict[str, Any], where: str, known_ids: Collection[str]) -> Profile:
    head = read_table(data, "profile", where)
    unknown = sorted(set(head) - PROFILE_KEYS)
    if unknown:
        raise ProfileError(
            f"In the {where}, [profile] has {', '.join(unknown)}; it takes {', '.join(sorted(PROFILE_KEYS))}."
        )
    perms = read_table(head, "permissions", where, default={})
    access = read_str(head, "repository_access", where)
    if access not in REPOSITORY_ACCESS:
        raise ProfileError(f"In the {where}, repository_access must be public, all, selected or none, not {access!r}.")
    name, description = read_str(head, "token_name", where), read_str(head, "token_description", where)
    expires = read_int(head, "expires_in_days", where, most=366)  # GitHub's own bound for a new token
    for key, problem in template_problems(name, description, expires):
        raise ProfileError(f"In the {where}, {key} {problem}.")
    owner = owner_role(head.get("owner"))
    if isinstance(owner, str):
        raise ProfileError(f"In the {where}, {owner}.")
    profile = Profile(
        id=read_str(head, "id", where),
        title=read_str(head, "title", where),
        guide=guide_url(head, where),
        token_name=name,
        token_description=description,
        expires_in_days=expires,
        max_lifetime_days=read_int(head, "max_lifetime_days", where, most=3650),
        repository_access=access,
        organization_permissions=permissions_of(perms, "organization", where),
        optional_organization_permissions=permissions_of(perms, "optional_organization", where),
        repository_permissions=permissions_of(perms, "repository", where),
        vendor=str(head.get("vendor") or head.get("title")),
        guide_read=guide_date(head, where),
        notes=notes_of(head, where),
        owner=owner,
        alternatives=alternatives_of(perms, where),
    )
    chosen = _select(data, head, where, known_ids)
    fills = profile.fills()
    return replace(profile, requirements=tuple(_fill(r, fills, where) for r in chosen))


def _select(data: dict[str, Any], head: dict[str, Any], where: str, known_ids: Collection[str]) -> list[Requirement]:
    """The catalogue's requirements this profile checks, in order, with its overrides applied."""
    base = {r.id: r for r in catalogue() if r.id in known_ids}
    overrides = dict(read_table(data, "overrides", where, default={}))
    legacy = data.get("requirement")
    if legacy is not None:  # an older profile: [[requirement]] entries select and override
        if not isinstance(legacy, list) or not all(isinstance(x, dict) for x in legacy):
            raise ProfileError(f"In the {where}, [[requirement]] entries must be tables.")
        ids = [read_str(x, "id", f"{where}, requirement entry") for x in legacy]
        overrides |= {x["id"]: {k: v for k, v in x.items() if k not in _LEGACY} for x in legacy}
    else:
        ids = head.get("requirements", list(base))
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise ProfileError(f"In the {where}, requirements must be a non-empty list of requirement ids.")
        skip = head.get("skip", [])  # requirements the guide does not ask for
        if not isinstance(skip, list) or not all(isinstance(i, str) and i in base for i in skip):
            raise ProfileError(f"In the {where}, skip must list requirement ids of the catalogue: {', '.join(base)}.")
        ids = [i for i in ids if i not in skip]
    unknown = sorted({*ids, *overrides} - base.keys())
    if unknown:
        raise ProfileError(
            f"The {where} names {', '.join(unknown)}, which the catalogue has no check for; ids with a check are: "
            f"{', '.join(base)}."
        )
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ProfileError(f"The {where} lists {', '.join(dupes)} more than once; keep one entry per id.")
    return [requirement_from({**_fields(base[i]), **_override(overrides.get(i), i, where)}, where) for i in ids]


def _override(raw: object, rid: str, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ProfileError(f"In the {where}, the overrides of {rid} must be a table.")
    extra = sorted(set(raw) - _OVERRIDABLE)
    if extra:
        raise ProfileError(
            f"In the {where}, {rid} overrides {', '.join(extra)}; a profile may override only "
            f"{', '.join(sorted(_OVERRIDABLE))}."
        )
    return dict(raw)


def _fields(r: Requirement) -> dict[str, Any]:
    return {
        "id": r.id,
        "title": r.title,
        "level": r.level.value,
        "guide_step": r.guide_step,
        "remediation": r.remediation,
        "references": list(r.references),
        "probes": r.probes,
        "rests_on": r.rests_on,
    }


def _fill(r: Requirement, fills: Mapping[str, str], where: str) -> Requirement:
    """The requirement with every {name} in its text replaced by the profile's value."""
    filled: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        text: str = getattr(r, name)
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        except ValueError:
            raise ProfileError(
                f"The {name} of requirement {r.id} in the {where} has an unmatched brace; write {{{{ or }}}} for a "
                "literal brace."
            ) from None
        unknown = sorted(names - fills.keys())
        if unknown:
            raise ProfileError(
                f"The {name} of requirement {r.id} in the {where} names {{{unknown[0]}}}; text may name only "
                f"{', '.join('{' + k + '}' for k in fills)}."
            )
        filled[name] = text.format_map(fills)
    return replace(r, **filled)

"""GitHub's rules a profile must follow: the template URL's limits, the permission map, owner roles, repository access.

Pure data and checks that return plain sentences; compliance/profiles.py turns them into one ProfileError.
Sources: GitHub Docs "Managing your personal access tokens", section "Pre-filling fine-grained personal access token
details using URL parameters" (name at most 40 characters, description at most 1024, expires_in 1-366 or none, one
<permission>=read|write|admin per permission, no parameter for repository access), and GitHub's fine-grained
permission map (compliance/permission_map.json, made by scripts/gen_permission_map.py).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from compliance.model import ProfileError

__all__ = [
    "DESCRIPTION_MAX",
    "EXPIRES_MAX",
    "NAME_MAX",
    "OWNER_ROLES",
    "PROFILE_KEYS",
    "RECORD_SELECTION",
    "REPOSITORY_ACCESS",
    "OwnerRole",
    "alternatives_of",
    "guide_date",
    "guide_url",
    "notes_of",
    "owner_role",
    "permission_problem",
    "permissions_of",
    "template_problems",
]

NAME_MAX = 40
DESCRIPTION_MAX = 1024
EXPIRES_MAX = 366
LEVELS = ("read", "write", "admin")
OWNER_ROLES = ("owner", "custom", "member")
PROFILE_KEYS = {
    "id", "title", "vendor", "guide", "guide_read", "notes", "token_name", "token_description", "expires_in_days",
    "max_lifetime_days", "repository_access", "requirements", "skip", "permissions", "owner",
}  # fmt: skip  # what [profile] may hold
# How each repository access reads in a title, and the one fix when it is wrong.
REPOSITORY_ACCESS = {
    "public": (
        "public repositories only",
        'Set Repository access to "Public repositories"; the integration needs no private repository.',
    ),
    "all": (
        "All repositories",
        'Set Repository access to "All repositories" so that the integration sees every repository, including '
        "new ones.",
    ),
    "selected": (
        "only selected repositories",
        'Set Repository access to "Only select repositories" and pick the repositories the integration needs.',
    ),
    "none": (
        "public repositories only, with no repository permission",
        'Set Repository access to "Public repositories" and grant no repository permission.',
    ),
}
# The grant record's repository_selection for each access ("Public repositories" lists as none: an assumption, since
# no recording shows it; GitHub's schema allows none, all and subset).
RECORD_SELECTION = {"public": "none", "none": "none", "all": "all", "selected": "subset"}


@cache
def _map() -> dict[str, dict[str, Any]]:
    return dict(json.loads((Path(__file__).parent / "permission_map.json").read_text(encoding="utf-8")))


def permission_problem(kind: str, key: str, level: str) -> str | None:
    """Why `key = level` cannot be an `kind` (organization or repository) permission in GitHub's map, or None."""
    if level not in LEVELS:
        return f"{key} = {level!r}; a permission is read, write or admin"
    known = _map().get(key)
    if known is None:
        return f"{key}, which GitHub's fine-grained permission map does not have"
    if known["kind"] != kind:
        article = "an" if known["kind"][0] in "aeiou" else "a"
        return (
            f"{key}, which GitHub's permission map lists as {article} {known['kind']} permission, not as a {kind} one"
        )
    if level not in known["levels"]:
        return f"{key} = {level!r}; GitHub's permission map offers only {', '.join(known['levels'])} for it"
    return None


def template_problems(name: str, description: str, expires_in: object) -> list[tuple[str, str]]:
    """(field, what is wrong) for every value GitHub's pre-filled token link would refuse or cut."""
    found = []
    if len(name) > NAME_MAX:
        found.append(("token_name", f"is {len(name)} characters; GitHub's token form takes at most {NAME_MAX}"))
    if len(description) > DESCRIPTION_MAX:
        found.append(("token_description", f"is {len(description)} characters; GitHub takes at most {DESCRIPTION_MAX}"))
    if expires_in != "none" and not (
        isinstance(expires_in, int) and not isinstance(expires_in, bool) and 1 <= expires_in <= EXPIRES_MAX
    ):
        found.append(("expires_in_days", f'is {expires_in!r}; GitHub takes 1 to {EXPIRES_MAX} days, or "none"'))
    return found


@dataclass(frozen=True)
class OwnerRole:
    """Who may own the token: an org owner, a member holding a custom role that grants a permission, or any member."""

    kind: str = "owner"  # owner | custom | member
    permission: str = ""  # custom: the org-role permission's title, e.g. "View organization Copilot metrics"
    permission_ids: tuple[str, ...] = ()  # custom: the ids GitHub's API may list for it (an assumption, see profile)
    accept_owner: bool = True  # custom: an org owner (who holds every org-role permission) qualifies too

    def phrase(self) -> str:
        """Who the owner must be, as a sentence ends: 'an active owner of the organization'."""
        if self.kind == "owner":
            return "an active owner of the organization"
        if self.kind == "member":
            return "an active member of the organization"
        also = " (or an org owner)" if self.accept_owner else " and not an org owner"
        return f'an active org member with a custom organization role granting "{self.permission}"{also}'

    def fix(self) -> str:
        """The one fix when the owner's role is wrong."""
        if self.kind == "owner":
            return "Make the token's owner an active owner of the organization, or create the token as an org owner."
        if self.kind == "member":
            return "Create the token as an active member of the organization (the dedicated bot account)."
        return (
            f'Create an organization role (Organization settings > Organization roles > Create role) granting "'
            f"{self.permission}\", assign it to the token's owner, and keep that account an active member."
        )


def owner_role(raw: object) -> OwnerRole | str:
    """The [profile.owner] table read into an OwnerRole, or a sentence saying what is wrong with it."""
    if raw is None:
        return OwnerRole()
    if not isinstance(raw, dict):
        return "[profile.owner] must be a table with role = owner, custom or member"
    extra = sorted(set(raw) - {"role", "permission", "permission_ids", "accept_owner"})
    if extra:
        return f"[profile.owner] has {', '.join(extra)}; it takes role, permission, permission_ids and accept_owner"
    kind = raw.get("role", "owner")
    if kind not in OWNER_ROLES:
        return f"[profile.owner] role is {kind!r}; use owner, custom or member"
    accept = raw.get("accept_owner", True)
    if not isinstance(accept, bool):
        return "[profile.owner] accept_owner must be true or false"
    if kind != "custom":
        if "permission" in raw or "permission_ids" in raw:
            return f"[profile.owner] role {kind} takes no permission; only a custom role names one"
        return OwnerRole(kind)
    perm, ids = raw.get("permission"), raw.get("permission_ids")
    if not isinstance(perm, str) or not perm.strip():
        return "[profile.owner] role custom needs permission, the org-role permission's title as GitHub shows it"
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i.strip() for i in ids):
        return "[profile.owner] role custom needs permission_ids, the ids GitHub's API may list for that permission"
    return OwnerRole("custom", perm, tuple(ids), accept)


def guide_url(head: dict[str, Any], where: str) -> str:
    """The guide's https:// address."""
    guide = head.get("guide")
    if not isinstance(guide, str) or not guide.strip():
        raise ProfileError(f"The {where} needs guide as a non-empty string: the vendor guide's https:// address.")
    if not guide.startswith("https://") or any(c.isspace() for c in guide):
        raise ProfileError(f"In the {where}, guide must be the vendor guide's https:// address, not {guide[:80]!r}.")
    return guide


def guide_date(head: dict[str, Any], where: str) -> str:
    """The date the guide was read (YYYY-MM-DD), or "" when the profile does not say."""
    value = head.get("guide_read")
    if value is None:
        return ""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ProfileError(f"In the {where}, guide_read must be the date the guide was read, as 2026-11-30.")
    return value.isoformat()


def notes_of(head: dict[str, Any], where: str) -> tuple[str, ...]:
    """Where the guide is ambiguous and which reading the profile chose."""
    notes = head.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) and n.strip() for n in notes):
        raise ProfileError(f"In the {where}, notes must be a list of sentences.")
    return tuple(notes)


def alternatives_of(perms: dict[str, Any], where: str) -> tuple[dict[str, str], ...]:
    """The [[profile.permissions.any_of]] sets: one of them is required."""
    raw = perms.get("any_of", [])
    if not isinstance(raw, list) or len(raw) == 1 or not all(isinstance(a, dict) and a for a in raw):
        raise ProfileError(
            f"In the {where}, [[profile.permissions.any_of]] must be two or more tables, each one permission set."
        )
    return tuple(permissions_of({"any_of": a}, "any_of", where) for a in raw)


def permissions_of(perms: dict[str, Any], key: str, where: str) -> dict[str, str]:
    """One permission table, each id and level checked against GitHub's permission map."""
    table = perms.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) and v in LEVELS for v in table.values()):
        raise ProfileError(f"In the {where}, [profile.permissions.{key}] must map permission ids to read/write/admin.")
    kind = "repository" if key == "repository" else "organization"
    for perm, level in table.items():
        problem = permission_problem(kind, perm, level)
        if problem:
            raise ProfileError(f"In the {where}, [profile.permissions.{key}] names {problem}.")
    return dict(table)

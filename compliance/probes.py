"""The probe table: every GET request the suite may send, as data, and the fact each answer can establish.

Shared by both wings: `gather` sends these requests, `checks` reads their answers by probe name. It holds no code
that sends anything, so the checks can know the table without loading an HTTP client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "EXCESS_PROBES",
    "GRANTS",
    "MEMBERSHIP",
    "ORG_PRIVATE",
    "PROBES",
    "RECORD_PROBES",
    "REQUESTS",
    "ROLES",
    "ROLE_USERS",
    "Probe",
    "granting_roles",
    "is_login",
    "probes_for",
    "role_users_name",
]

# Names of the GitHub App's reads of the org's grant record.
GRANTS = "app:grants"
REQUESTS = "app:requests"
MEMBERSHIP = "app:membership"
# Read only for a profile whose token owner needs a custom org role: the org's roles, then each granting role's users.
ROLES = "app:roles"
ROLE_USERS = "app:role-users"
# GitHub's rule for user and organization names (the same rule compliance/inputs.py applies to --org): letters,
# digits and single hyphens, not at either end, at most 39 characters. Nothing else may go into a request path.
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")


def is_login(value: object) -> bool:
    """True when the value is a GitHub user or organization name, safe to put into a request path or query."""
    return isinstance(value, str) and _LOGIN.fullmatch(value) is not None


@dataclass(frozen=True)
class Probe:
    """One GET request and the fact it establishes."""

    name: str
    path: str
    purpose: str
    params: dict[str, str] = field(default_factory=dict)
    cloud_only: bool = False  # GitHub Enterprise Server has no such endpoint
    wave: int = 2  # 1: sent first, alone (GET /user); 2: sent together once the token authenticated
    permission: str = ""  # negative probes: the permission whose presence a 200 proves
    org_private: bool = False  # only an approved token whose resource owner is the org can read it
    paginated: bool = False  # every page is read (grant record lists)

    def url_path(self, org: str, owner: str = "", role_id: int = 0) -> str:
        """The request path for this org (and the token's owner, or an org role's id, where the path names them)."""
        return self.path.format(org=org, owner=owner, role_id=role_id)


PROBES: tuple[Probe, ...] = (
    Probe("user", "/user", "identity, token expiry and scopes headers; needs no permission", wave=1),
    Probe("org", "/orgs/{org}", "the org exists; owners see its private repository count"),
    Probe(
        "membership",
        "/user/memberships/orgs/{org}",
        "needs Members: Read; gives the owner's role and state",
        org_private=True,
    ),
    Probe(
        "copilot_billing",
        "/orgs/{org}/copilot/billing",
        "needs GitHub Copilot Business: Read and an org owner",
        cloud_only=True,
        org_private=True,
    ),
    Probe(
        "copilot_seats",
        "/orgs/{org}/copilot/billing/seats",
        "Copilot seat assignments, same permission",
        params={"per_page": "1"},
        cloud_only=True,
        org_private=True,
    ),
    Probe(
        "copilot_metrics",
        "/orgs/{org}/copilot/metrics/reports/organization-28-day/latest",
        "needs Organization Copilot metrics: Read and the metrics policy",
        cloud_only=True,
        org_private=True,
    ),
    Probe(
        "private_repos",
        "/orgs/{org}/repos",
        "every repository the token sees (type=all also lists internal ones): none may be private or internal",
        params={"type": "all", "per_page": "100"},
    ),
    Probe(
        "excess:administration",
        "/orgs/{org}/actions/permissions",
        "must be refused",
        permission="Administration",
        org_private=True,
    ),
    Probe(
        "excess:secrets",
        "/orgs/{org}/actions/secrets",
        "must be refused",
        params={"per_page": "1"},
        permission="Secrets",
        org_private=True,
    ),
    Probe(
        "excess:hooks",
        "/orgs/{org}/hooks",
        "must be refused",
        params={"per_page": "1"},
        permission="Webhooks",
        org_private=True,
    ),
)
# Read with a GitHub App token, filtered to the token's owner, in the same wave as the token's own probes.
RECORD_PROBES: tuple[Probe, ...] = (
    Probe(
        GRANTS,
        "/orgs/{org}/personal-access-tokens",
        "the org's approved fine-grained tokens of the owner",
        params={"owner[]": "{owner}", "per_page": "100"},
        paginated=True,
    ),
    Probe(
        REQUESTS,
        "/orgs/{org}/personal-access-token-requests",
        "the owner's pending token requests",
        params={"owner[]": "{owner}", "per_page": "100"},
        paginated=True,
    ),
    Probe(MEMBERSHIP, "/orgs/{org}/memberships/{owner}", "the owner's role and state, read by the App"),
)
ROLE_PROBES: tuple[Probe, ...] = (
    Probe(ROLES, "/orgs/{org}/organization-roles", "the org's roles and the permissions each grants, read by the App"),
    Probe(
        ROLE_USERS,
        "/orgs/{org}/organization-roles/{role_id}/users",
        "the users a role is assigned to (directly or through a team), read by the App",
        params={"per_page": "100"},
        paginated=True,
    ),
)
EXCESS_PROBES = tuple(p for p in PROBES if p.permission)
ORG_PRIVATE = tuple(p.name for p in PROBES if p.org_private)


def probes_for(server: bool) -> tuple[Probe, ...]:
    """The token's probes that exist on this kind of GitHub (Copilot endpoints are cloud-only)."""
    return tuple(p for p in PROBES if not (server and p.cloud_only))


def role_users_name(role_id: int) -> str:
    """The evidence key of one role's users list."""
    return f"{ROLE_USERS}:{role_id}"


def granting_roles(body: object, permission_ids: tuple[str, ...]) -> list[tuple[int, str]]:
    """(id, name) of every role in a GET /orgs/{org}/organization-roles answer that grants one of the permission ids.

    Assumption: the answer is {"total_count": N, "roles": [...]} as GitHub's SDKs read it (a bare list is accepted
    too), each role carrying `id`, `name` and a list of `permissions`; no recording of this answer was found.
    """
    roles = body.get("roles") if isinstance(body, dict) else body
    found: list[tuple[int, str]] = []
    for role in roles if isinstance(roles, list) else []:
        role_id = role.get("id") if isinstance(role, dict) else None
        if not isinstance(role_id, int) or isinstance(role_id, bool) or not 0 < role_id < 2**53:
            continue  # only a plain positive id may go into a request path
        if any(found_id == role_id for found_id, _ in found):
            continue
        perms = role.get("permissions")
        if isinstance(perms, list) and any(p in permission_ids for p in perms if isinstance(p, str)):
            found.append((role_id, str(role.get("name", ""))[:100]))
    return found

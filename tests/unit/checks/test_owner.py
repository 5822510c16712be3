"""OWNER-MEMBERSHIP for each owner role a profile may ask for: org owner, a custom org role, or any member."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from compliance.checks.context import Context
from compliance.checks.facts import derive
from compliance.checks.owner import check_owner_membership, record_owner_membership
from compliance.checks.registry import REGISTRY
from compliance.evidence import Reply
from compliance.model import Settings, Source, Verdict, Word
from compliance.probes import MEMBERSHIP, ROLES, role_users_name
from compliance.profiles import Profile, load_profile
from tests.evidence_factory import ORG, evidence, reply

KNOWN = REGISTRY.keys()
OWNER = load_profile("milestone-copilot", KNOWN)
CUSTOM = load_profile("linearb", KNOWN)
MEMBER = load_profile("milestone-repos-copilot", KNOWN)
ROLE_ID = 77
ROLE_PERMISSION = CUSTOM.owner.permission_ids[0]
METRICS = f"/orgs/{ORG}/copilot/metrics/reports/organization-28-day/latest"
ROLE_REFUSAL = {
    "message": "Insufficient permissions. This action requires admin, or relevant organization role access."
}
NO_BILLING = reply(f"/orgs/{ORG}/copilot/billing", 404, {"message": "Not Found"})
NO_MEMBERS = reply(
    f"/user/memberships/orgs/{ORG}", 403, {"message": "Resource not accessible by personal access token"}
)


def membership(role: str = "admin", state: str = "active", path: str = f"/user/memberships/orgs/{ORG}") -> Reply:
    """The owner's membership as GitHub answers it."""
    return reply(path, body={"role": role, "state": state, "user": {"login": "acme-bot"}})


def app_membership(role: str = "admin", state: str = "active") -> Reply:
    """The App's read of the owner's membership."""
    return membership(role, state, f"/orgs/{ORG}/memberships/acme-bot")


def roles(*granted: str, users: list[str] | None = None, status: int = 200) -> dict[str, Any]:
    """The App's reads of the org's roles (one role granting `granted`) and of that role's users."""
    listed = {"total_count": 1, "roles": [{"id": ROLE_ID, "name": "Copilot View", "permissions": list(granted)}]}
    found: dict[str, Any] = {ROLES.replace(":", "__"): reply(f"/orgs/{ORG}/organization-roles", status, listed)}
    if users is not None:
        body = [{"login": u, "assignment": "direct"} for u in users]
        key = role_users_name(ROLE_ID).replace(":", "__")
        found[key] = reply(f"/orgs/{ORG}/organization-roles/{ROLE_ID}/users", body=body)
    return found


def ctx(profile: Profile, **probes: Any) -> Context:
    """A context for the compliant answers with some probes replaced."""
    ev = evidence(**probes)
    return Context(ev, profile, Settings(), derive(ev, profile.token_name))


def check(profile: Profile, word: Word, phrase: str, **probes: Any) -> Verdict:
    """The token check says `word` and `phrase`."""
    v = check_owner_membership(ctx(profile, **probes))
    assert v.word is word, v.evidence
    assert phrase in v.evidence, v.evidence
    return v


# --- token side ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "role", "word", "phrase"),
    [
        (OWNER, "admin", Word.PASS, "is an active owner of acme"),
        (OWNER, "member", Word.FAIL, "the guide asks for an active owner of the organization"),
        (MEMBER, "member", Word.PASS, "is an active member of acme (role member)"),
        (MEMBER, "admin", Word.PASS, "is an active owner of acme"),
        (MEMBER, "billing_manager", Word.FAIL, "is an active org billing_manager"),
        (CUSTOM, "admin", Word.PASS, "is an active owner of acme"),
        (CUSTOM, "member", Word.WARN, "so the owner may read the reports"),  # which role: the App's record
    ],
)  # fmt: skip
def test_membership_role_against_the_profiles_owner_role(profile: Profile, role: str, word: Word, phrase: str) -> None:
    """The membership's role decides per profile: owner only, any member, or a member whose role the report proves."""
    check(profile, word, phrase, membership=membership(role))


def test_pending_membership_fails_for_every_role() -> None:
    """A pending membership is not active, whatever the profile asks."""
    for profile in (OWNER, CUSTOM, MEMBER):
        check(profile, Word.FAIL, "is pending, not active", membership=membership("member", "pending"))


def test_custom_role_refused_by_the_metrics_gate_fails() -> None:
    """The recorded 'requires admin, or relevant organization role access' refusal proves the role is missing."""
    check(
        CUSTOM,
        Word.FAIL,
        "lacks an org role that may read Copilot metrics",
        membership=membership("member"),
        copilot_metrics=reply(METRICS, 403, ROLE_REFUSAL),
    )


def test_custom_role_without_members_read_is_shown_by_the_report() -> None:
    """LinearB's token has no Members: Read; the report's gate shows the owner may read it, a refusal disproves it.

    An answer is a caveat, not proof: GitHub's docs also let the parent enterprise's owners and billing managers
    read org metrics, so only the App's record of the roles tells which role the owner holds.
    """
    check(CUSTOM, Word.WARN, "so the owner may read the reports", membership=NO_MEMBERS, copilot_billing=NO_BILLING)
    refused = reply(METRICS, 403, ROLE_REFUSAL)
    check(
        CUSTOM,
        Word.FAIL,
        "lacks an org role",
        membership=NO_MEMBERS,
        copilot_billing=NO_BILLING,
        copilot_metrics=refused,
    )


def test_custom_role_unproven_names_the_roles_record() -> None:
    """A metrics refusal for another cause proves nothing about the role: unverified, naming the App's reads."""
    policy = {"message": "The 'Copilot usage metrics' policy must be enabled to use this API"}
    v = check(CUSTOM, Word.UNVERIFIED, "organization-roles", membership=membership("member"),
              copilot_metrics=reply(METRICS, 403, policy))  # fmt: skip
    assert "Organization roles" in v.advice


def test_owner_without_members_read_is_proven_by_billing() -> None:
    """Copilot billing answers org owners only, so its 200 proves the owner role."""
    check(OWNER, Word.PASS, "Copilot billing to org owners only", membership=NO_MEMBERS)


def test_member_without_members_read_is_proven_by_a_private_read() -> None:
    """Only an org member's token, owned by the org, reads its private data."""
    check(
        MEMBER, Word.PASS, "only an org member can make such a token", membership=NO_MEMBERS, copilot_billing=NO_BILLING
    )


# --- the org's records (GitHub App) --------------------------------------------------------------------------------


def record(profile: Profile, word: Word, phrase: str, **probes: Any) -> None:
    """The record check says `word` and `phrase`, from the org's record."""
    v = record_owner_membership(ctx(profile, **probes))
    assert v is not None
    assert v.word is word, v.evidence
    assert v.source is Source.ORG_RECORD
    assert phrase in v.evidence, v.evidence


APP = MEMBERSHIP.replace(":", "__")


@pytest.mark.parametrize(
    ("profile", "role", "word", "phrase"),
    [
        (OWNER, "admin", Word.PASS, "acme-bot is an active org member with role admin"),
        (OWNER, "member", Word.FAIL, "the guide asks for an active owner"),
        (MEMBER, "member", Word.PASS, "is an active member of acme"),
        (CUSTOM, "admin", Word.PASS, "is an active owner of acme"),
    ],
)  # fmt: skip
def test_record_membership_role(profile: Profile, role: str, word: Word, phrase: str) -> None:
    """The App's read of the membership decides owner and member profiles, and an owner under a custom profile."""
    record(profile, word, phrase, **{APP: app_membership(role)})


def test_record_pending_membership_fails() -> None:
    """The App sees a pending membership: not active."""
    record(OWNER, Word.FAIL, "membership is pending, not active", **{APP: app_membership("member", "pending")})


def test_record_proves_the_custom_role_from_the_roles_and_their_users() -> None:
    """A role granting the permission lists the owner: the custom role is proven from the App's side."""
    found = roles(ROLE_PERMISSION, users=["someone", "acme-bot"])
    record(CUSTOM, Word.PASS, "role 'Copilot View' grants \"View organization Copilot metrics\" and lists acme-bot",
           **{APP: app_membership("member")}, **found)  # fmt: skip


@pytest.mark.parametrize(
    ("found", "word", "phrase"),
    [
        (roles(ROLE_PERMISSION, users=["someone"]), Word.FAIL, "none of the roles granting"),
        (roles("read_organization_custom_org_role", users=["acme-bot"]), Word.FAIL, "lists no org role granting"),
        (roles(ROLE_PERMISSION, status=403), Word.UNVERIFIED, "the App needs Custom organization roles: Read"),
        ({}, Word.UNVERIFIED, "they were not read"),
        (roles(ROLE_PERMISSION), Word.UNVERIFIED, "could not be read"),
    ],
)  # fmt: skip
def test_record_custom_role_missing_or_unreadable(found: dict[str, Any], word: Word, phrase: str) -> None:
    """No granting role, the owner not among its users, or roles the App could not read."""
    record(CUSTOM, word, phrase, **{APP: app_membership("member")}, **found)


def test_roles_answer_as_a_bare_list_is_accepted() -> None:
    """Assumption: no recording shows the roles answer; a bare list of roles is read as well as {roles: [...]}."""
    found = roles(ROLE_PERMISSION, users=["acme-bot"])
    key = ROLES.replace(":", "__")
    found[key] = reply(f"/orgs/{ORG}/organization-roles", body=found[key].body["roles"])
    record(CUSTOM, Word.PASS, "lists acme-bot", **{APP: app_membership("member")}, **found)


def test_custom_profile_refusing_owners_fails_an_owner() -> None:
    """A profile with accept_owner = false fails an org owner: more than the guide asks."""
    strict = dataclasses.replace(CUSTOM, owner=dataclasses.replace(CUSTOM.owner, accept_owner=False))
    check(strict, Word.FAIL, "not an owner", membership=membership("admin"))
    record(strict, Word.FAIL, "not an owner", **{APP: app_membership("admin")})


@pytest.mark.parametrize("membership_reply", [reply(f"/orgs/{ORG}/memberships/acme-bot", 404), None])
def test_record_adds_nothing_without_a_readable_membership(membership_reply: Reply | None) -> None:
    """A refused or missing App membership answer leaves the token's own verdict alone."""
    probes = {APP: membership_reply} if membership_reply else {}
    assert record_owner_membership(ctx(OWNER, **probes)) is None


def test_server_owner_profile_accepts_any_active_role() -> None:
    """On GitHub Enterprise Server (no Copilot endpoints) any active role will do for an owner profile."""
    ev = evidence(api_url="https://ghe.example.com/api/v3", **{APP: app_membership("member")})
    v = record_owner_membership(Context(ev, OWNER, Settings(), derive(ev, OWNER.token_name)))
    assert v is not None and v.word is Word.PASS and "with role member" in v.evidence

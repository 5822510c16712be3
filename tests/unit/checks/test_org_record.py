"""The org-record checks: verdicts from the token's entry in the org's grant record (GitHub App evidence)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from compliance.checks import org_record
from compliance.checks.context import Context
from compliance.checks.facts import derive
from compliance.checks.grant_record import GrantRecord
from compliance.checks.registry import REGISTRY
from compliance.evidence import Evidence
from compliance.model import Settings, Source, Verdict, Word
from compliance.profiles import Profile, load_profile
from tests.evidence_factory import NOW, ORG, evidence

COPILOT = load_profile("milestone-copilot", REGISTRY.keys())
REPOS = load_profile("milestone-repos-copilot", REGISTRY.keys())
GRANTED = NOW - dt.timedelta(days=10)
COPILOT_PERMS = {"members": "read", "organization_copilot_seat_management": "read"}


def grant_entry(**fields: Any) -> dict[str, Any]:
    """A compliant grant entry for the milestone-copilot token, with some fields replaced."""
    base: dict[str, Any] = {
        "id": 1001,
        "owner": {"login": "acme-bot"},
        "token_name": COPILOT.token_name,
        "repository_selection": "none",
        "permissions": {"organization": dict(COPILOT_PERMS), "repository": {}, "other": {}},
        "access_granted_at": GRANTED.isoformat(),  # a grant has no created_at (GitHub's OpenAPI)
        "token_expires_at": (GRANTED + dt.timedelta(days=365)).isoformat(),
    }
    return base | fields


def perms(organization: dict[str, str] | None = None, **kinds: dict[str, str]) -> dict[str, dict[str, str]]:
    """A permissions table: the profile's organization permissions unless given, plus other kinds."""
    return {"organization": COPILOT_PERMS if organization is None else organization, **kinds}


def ctx(
    record: GrantRecord | None,
    *,
    profile: Profile = COPILOT,
    ev: Evidence | None = None,
    **settings: Any,
) -> Context:
    """A context whose facts carry the given record."""
    ev = ev or evidence()
    facts = dataclasses.replace(derive(ev, profile.token_name), record=record)
    return Context(ev, profile, Settings(**settings), facts)


def grant(**fields: Any) -> GrantRecord:
    """The token's grant, matched."""
    return GrantRecord("grant", "matched by owner, expiry among 1 grants of acme-bot", grant_entry(**fields))


def request(**fields: Any) -> GrantRecord:
    """The token's pending request, matched."""
    created = {"created_at": (GRANTED - dt.timedelta(hours=2)).isoformat()}
    entry = {k: v for k, v in (grant_entry() | created | fields).items() if k != "access_granted_at"}
    return GrantRecord("request", "matched by owner among 1 requests of acme-bot", entry)


NOT_FOUND = {
    "none": GrantRecord("none", "no grant or pending request of acme-bot in the org's record matches this token"),
    "ambiguous": GrantRecord("ambiguous", "2 grants of acme-bot match by owner (#1, #2)"),
    "unavailable": GrantRecord("unavailable", "the org's record could not be read: GET /x -> 403"),
}


def said(v: Verdict | None, word: Word, *phrases: str) -> None:
    """The verdict has this word, comes from the org's record and says each phrase."""
    assert v is not None
    assert v.word is word, v.evidence
    assert v.source is Source.ORG_RECORD
    for phrase in phrases:
        assert phrase in v.evidence, (phrase, v.evidence)


# --- the checks that need the token's entry ---------------------------------------------------------------------

ENTRY_CHECKS = [org_record.read_only, org_record.least_privilege, org_record.name, org_record.repo_access,
                org_record.lifetime_max]  # fmt: skip


@pytest.mark.parametrize("check", ENTRY_CHECKS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("state", NOT_FOUND)
def test_without_the_entry_the_record_does_not_settle(check: Any, state: str) -> None:
    """No single entry of the token: unverified, saying why the record cannot settle it."""
    record = NOT_FOUND[state]
    said(check(ctx(record)), Word.UNVERIFIED, "The org's record does not settle this", record.how)


@pytest.mark.parametrize(
    ("permissions", "word", "phrase"),
    [
        (perms(), Word.PASS, "lists only Read permissions: members: read, organization_copilot_seat_management: read"),
        (perms({}), Word.PASS, "lists only Read permissions: none"),
        (perms({"members": "write"}), Word.FAIL, "grants more than Read: members: write"),
        (perms(repository={"contents": "admin"}), Word.FAIL, "contents: admin"),
        (perms(other={"gpg_keys": "write"}), Word.FAIL, "gpg_keys: write"),
    ],
)
def test_read_only(permissions: dict[str, Any], word: Word, phrase: str) -> None:
    """READ-ONLY: every permission of every kind in the record must be read."""
    said(org_record.read_only(ctx(grant(permissions=permissions))), word, phrase, "grant #1001")


@pytest.mark.parametrize(
    ("profile", "permissions", "word", "phrase"),
    [
        (COPILOT, perms(), Word.PASS, "holds no permission beyond the guide's"),
        (COPILOT, perms({**COPILOT_PERMS, "organization_copilot_metrics": "read"}), Word.PASS, "no permission beyond"),
        (COPILOT, perms(repository={"metadata": "read"}), Word.PASS, "no permission beyond"),  # implied by GitHub
        (COPILOT, perms({"members": "read"}), Word.PASS, "no permission beyond"),  # missing ones are not excess
        (COPILOT, perms(repository={"contents": "read"}), Word.FAIL, "repository contents: read"),
        (COPILOT, perms({**COPILOT_PERMS, "organization_administration": "read"}), Word.FAIL,
         "organization organization_administration: read"),
        (COPILOT, perms(other={"gists": "read"}), Word.FAIL, "account gists: read"),
        (REPOS, perms(repository={"contents": "read", "metadata": "read", "pull_requests": "read"}), Word.PASS,
         "no permission beyond"),
        (REPOS, perms(repository={"issues": "read"}), Word.FAIL, "does not ask for: repository issues: read"),
    ],
)  # fmt: skip
def test_least_privilege(profile: Profile, permissions: dict[str, Any], word: Word, phrase: str) -> None:
    """LEAST-PRIVILEGE: nothing beyond the profile's permissions, its optional ones and the implied Metadata."""
    said(org_record.least_privilege(ctx(grant(permissions=permissions), profile=profile)), word, phrase)


@pytest.mark.parametrize(
    ("token_name", "word", "phrase"),
    [
        (COPILOT.token_name, Word.PASS, f"names the token {COPILOT.token_name!r}"),
        ("my token", Word.FAIL, f"names the token 'my token', not {COPILOT.token_name!r}"),
        (None, Word.FAIL, "names the token None"),
    ],
)
def test_name(token_name: str | None, word: Word, phrase: str) -> None:
    """NAME: the record's token_name must be exactly the guide's."""
    said(org_record.name(ctx(grant(token_name=token_name))), word, phrase)


@pytest.mark.parametrize(
    ("profile", "selection", "word"),
    [
        (COPILOT, "none", Word.PASS),  # GitHub calls "Public repositories" selection none
        (COPILOT, "all", Word.FAIL),
        (COPILOT, "subset", Word.FAIL),
        (REPOS, "all", Word.PASS),
        (REPOS, "subset", Word.FAIL),
        (REPOS, "none", Word.FAIL),
    ],
)
def test_repo_access(profile: Profile, selection: str, word: Word) -> None:
    """REPO-ACCESS: the record's repository_selection against the profile's repository access."""
    v = org_record.repo_access(ctx(grant(repository_selection=selection), profile=profile))
    said(v, word, f"repository_selection {selection!r}")


@pytest.mark.parametrize(
    ("record", "word", "phrase"),
    [
        (grant(), Word.PASS, "the org has approved this token"),
        (request(), Word.FAIL, "still pending approval (requested "),
        (NOT_FOUND["none"], Word.UNVERIFIED, "does not settle this"),  # an unmatched entry is no proof
        (NOT_FOUND["ambiguous"], Word.UNVERIFIED, "does not settle this"),
        (NOT_FOUND["unavailable"], Word.UNVERIFIED, "could not be read"),
    ],
)
def test_approved(record: GrantRecord, word: Word, phrase: str) -> None:
    """APPROVED: a grant passes, a pending request fails, no entry or an unclear record settles nothing."""
    said(org_record.approved(ctx(record)), word, phrase)


@pytest.mark.parametrize(
    ("record", "word", "phrase"),
    [
        (grant(), Word.PASS, f"only tokens whose resource owner is {ORG} appear there"),
        (request(), Word.PASS, "pending request #1001"),
        (NOT_FOUND["none"], Word.UNVERIFIED, "neither is one whose entry could not be matched"),
        (NOT_FOUND["ambiguous"], Word.UNVERIFIED, "does not settle this"),
        (NOT_FOUND["unavailable"], Word.UNVERIFIED, "could not be read"),
    ],
)
def test_resource_owner(record: GrantRecord, word: Word, phrase: str) -> None:
    """RESOURCE-OWNER: an entry (grant or request) proves the org owns the token; no entry proves nothing."""
    said(org_record.resource_owner(ctx(record)), word, phrase)


def days_after(start: dt.datetime, days: float) -> str:
    """An ISO time some days after a start."""
    return (start + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("record", "allow", "word", "phrase"),
    [
        # expiry minus approval is only a lower bound: within the cap proves nothing
        (grant(), False, Word.UNVERIFIED, "is 365 days; access_granted_at is when the org approved the token"),
        (grant(token_expires_at=days_after(GRANTED, 366)), False, Word.UNVERIFIED, "may still be over the 366-day"),
        (grant(token_expires_at=days_after(GRANTED, 400)), False, Word.FAIL, "is 400 days; access_granted_at"),
        (grant(token_expires_at=days_after(GRANTED, 366.5)), False, Word.FAIL, "over the 366-day maximum"),
        # a pending request has not been granted: its lifetime counts from the request
        (request(token_expires_at=days_after(GRANTED, 365)), False, Word.PASS, "minus created_at"),
        (grant(token_expires_at=None), False, Word.FAIL, "never expires, so its lifetime exceeds 366 days"),
        (grant(token_expires_at=None), True, Word.NOT_APPLICABLE, "--allow-no-expiration"),
        (grant(access_granted_at=None), False, Word.UNVERIFIED, "has neither created_at nor access_granted_at"),
        (request(token_expires_at=days_after(GRANTED, 400)), False, Word.FAIL, "over the 366-day maximum"),
    ],
)
def test_lifetime_max(record: GrantRecord, allow: bool, word: Word, phrase: str) -> None:
    """LIFETIME-MAX: expiry minus approval (grant) or request (pending) time, against the profile's cap."""
    said(org_record.lifetime_max(ctx(record, allow_no_expiration=allow)), word, phrase)


def test_lifetime_cap_comes_from_the_profile() -> None:
    """The cap is the profile's max_lifetime_days, not a constant."""
    short = dataclasses.replace(COPILOT, max_lifetime_days=90)
    said(org_record.lifetime_max(ctx(grant(), profile=short)), Word.FAIL, "over the 90-day maximum")


@pytest.mark.parametrize(
    ("record", "expected", "word", "phrase"),
    [
        (grant(), "acme-bot", Word.PASS, "belongs to acme-bot, the expected service account"),
        (grant(), "ACME-Bot", Word.PASS, "the expected service account"),  # logins ignore case
        (grant(owner={"login": "jane"}), "acme-bot", Word.FAIL, "belongs to jane, not to acme-bot"),
    ],
)
def test_service_account(record: GrantRecord, expected: str, word: Word, phrase: str) -> None:
    """SERVICE-ACCOUNT: the record's owner against --expected-owner."""
    said(org_record.service_account(ctx(record, expected_owner=expected)), word, phrase)


@pytest.mark.parametrize(
    ("record", "expected"),
    [(grant(), None), (NOT_FOUND["none"], "acme-bot"), (NOT_FOUND["ambiguous"], "acme-bot"), (None, "acme-bot")],
)
def test_service_account_adds_nothing_without_owner_or_entry(record: GrantRecord | None, expected: str | None) -> None:
    """Without --expected-owner or without the token's entry, the record has nothing to add."""
    assert org_record.service_account(ctx(record, expected_owner=expected)) is None


TOKEN_FAIL = Verdict(Word.FAIL, "GET /user/memberships/orgs/acme -> 403.")


@pytest.mark.parametrize(
    ("record", "perm", "token", "disagrees"),
    [
        (grant(), "members", TOKEN_FAIL, True),
        (grant(), "members", Verdict(Word.WARN, "x"), True),
        (grant(), "members", Verdict(Word.PASS, "x"), False),
        (grant(), "members", Verdict(Word.UNVERIFIED, "x"), False),
        (grant(permissions=perms({})), "members", TOKEN_FAIL, False),  # the record does not grant it either
        (grant(), None, TOKEN_FAIL, False),  # the row names no permission
        (NOT_FOUND["ambiguous"], "members", TOKEN_FAIL, False),
        (None, "members", TOKEN_FAIL, False),
    ],
)
def test_record_disagreement(record: GrantRecord | None, perm: str | None, token: Verdict, disagrees: bool) -> None:
    """A sentence only when the token's own request was refused yet the token's entry grants that permission."""
    text = org_record.record_disagreement(ctx(record), perm, token)
    if disagrees:
        assert "grants members: read, yet the token's request was refused" in text
        assert "the record and the token's own answers disagree" in text
        assert "grant #1001" in text
    else:
        assert text == ""

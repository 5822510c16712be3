"""The profile features as the checks read them: alternative permission sets, selected repository access, the link."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from compliance.checks import org_record
from compliance.checks.access import check_repo_access
from compliance.checks.context import Context
from compliance.checks.evaluate import evaluate
from compliance.checks.facts import derive
from compliance.checks.grant_record import GrantRecord
from compliance.checks.permissions import check_copilot_business_read, check_least_privilege
from compliance.checks.registry import REGISTRY
from compliance.model import Settings, Source, TokenKind, Word
from compliance.profiles import Profile, load_profile
from tests.evidence_factory import ORG, evidence, reply

SUMO = load_profile("sumo-logic-copilot", REGISTRY.keys())
COPILOT = load_profile("milestone-copilot", REGISTRY.keys())
ADMIN_OK = reply(f"/orgs/{ORG}/actions/permissions", body={"enabled_repositories": "all"})
PRIVATE = [{"full_name": f"{ORG}/billing", "private": True, "visibility": "private"}]


def ctx(profile: Profile, record: GrantRecord | None = None, **probes: Any) -> Context:
    """A context for the compliant answers with some probes replaced (and the org's record, if given)."""
    ev = evidence(**probes)
    facts = derive(ev, profile.token_name)
    return Context(ev, profile, Settings(), dataclasses.replace(facts, record=record) if record else facts)


def grant(organization: dict[str, str], selection: str = "none") -> GrantRecord:
    """The token's grant with these organization permissions and repository selection."""
    entry = {"id": 1, "token_name": "t", "repository_selection": selection,
             "permissions": {"organization": organization, "repository": {}, "other": {}}}  # fmt: skip
    return GrantRecord("grant", "matched by owner", entry)


# --- alternative permission sets (Sumo Logic: GitHub Copilot Business: Read or Administration: Read) ---------------


def test_administration_alone_passes_copilot_business_where_the_guide_accepts_it() -> None:
    """Billing and seats answer through Administration: Read; Sumo's guide accepts it, the default profile warns."""
    assert check_copilot_business_read(ctx(SUMO, **{"excess__administration": ADMIN_OK})).word is Word.PASS
    assert check_copilot_business_read(ctx(COPILOT, **{"excess__administration": ADMIN_OK})).word is Word.WARN


def test_an_allowed_administration_is_no_excess_from_the_token() -> None:
    """The negative probe's 200 is excess for the default profile, and held-but-allowed for Sumo's."""
    allowed = check_least_privilege(ctx(SUMO, **{"excess__administration": ADMIN_OK}))
    assert allowed.word is Word.UNVERIFIED
    assert "Administration is held, which the guide allows" in allowed.evidence
    assert "one of GitHub Copilot Business: Read or Administration: Read" in allowed.advice
    assert check_least_privilege(ctx(COPILOT, **{"excess__administration": ADMIN_OK})).word is Word.FAIL


@pytest.mark.parametrize(
    ("organization", "word", "phrase"),
    [
        ({"organization_copilot_seat_management": "read"}, Word.PASS, "no permission beyond the guide's"),
        ({"organization_administration": "read"}, Word.PASS, "no permission beyond the guide's"),
        ({"organization_copilot_seat_management": "read", "organization_administration": "read"}, Word.FAIL,
         "the guide needs only one of these permission sets"),
        ({"organization_administration": "read", "members": "read"}, Word.FAIL, "organization members: read"),
    ],
)  # fmt: skip
def test_record_accepts_one_permission_set_not_both(organization: dict[str, str], word: Word, phrase: str) -> None:
    """From the org's record: either set alone passes, both together are more than the guide needs."""
    v = org_record.least_privilege(ctx(SUMO, grant(organization)))
    assert v.word is word and v.source is Source.ORG_RECORD
    assert phrase in v.evidence, v.evidence


# --- repository access: only selected repositories -------------------------------------------------------------------

SELECTED = dataclasses.replace(COPILOT, repository_access="selected")


def test_selected_access_from_the_token_is_unverified_either_way() -> None:
    """A visible private repository fits selected access; none visible might too: only the record tells."""
    seen = check_repo_access(ctx(SELECTED, private_repos=reply(f"/orgs/{ORG}/repos", body=PRIVATE)))
    assert seen.word is Word.UNVERIFIED and "repository_selection" in seen.evidence
    none_seen = check_repo_access(ctx(SELECTED))
    assert none_seen.word is Word.UNVERIFIED and "selected none of them" in none_seen.evidence
    assert check_repo_access(ctx(COPILOT, private_repos=reply(f"/orgs/{ORG}/repos", body=PRIVATE))).word is Word.FAIL


@pytest.mark.parametrize(("selection", "word"), [("subset", Word.PASS), ("all", Word.FAIL), ("none", Word.FAIL)])
def test_selected_access_from_the_record(selection: str, word: Word) -> None:
    """The record's repository_selection 'subset' is what Only select repositories lists as."""
    assert org_record.repo_access(ctx(SELECTED, grant({}, selection))).word is word


# --- the pre-filled token link: a convenience, not evidence -----------------------------------------------------------


def _query(remediation: str) -> dict[str, str]:
    url = remediation.split("Pre-filled token settings: ")[1]
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_the_link_says_it_is_no_evidence_and_cannot_choose_repository_access() -> None:
    """Where a fix carries the link, the fix says what the link is not, and which repository access to pick by hand."""
    findings = {f.requirement.id: f for f in evaluate(evidence(kind=TokenKind.CLASSIC), SUMO, Settings()).findings}
    fine = findings["FINE-GRAINED"]
    assert fine.verdict.word is Word.FAIL and fine.token_link
    assert "The pre-filled token link is a convenience, not evidence" in fine.fix
    assert "cannot pre-select Repository access (choose public repositories only by hand)" in fine.fix
    assert fine.remediation.index("convenience, not evidence") < fine.remediation.index("Pre-filled token settings:")
    query = _query(fine.remediation)
    assert query["organization_copilot_seat_management"] == "read"  # the first, narrower permission set
    assert "organization_administration" not in query and "members" not in query
    passing = [f for f in findings.values() if f.verdict.word is Word.PASS]
    assert passing and all("convenience" not in f.fix for f in passing)

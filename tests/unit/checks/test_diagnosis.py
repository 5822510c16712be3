"""Refusal patterns across probes: the org-access proof, the headline cause and the Copilot diagnoses."""

from __future__ import annotations

import pytest

from compliance.checks.diagnosis import org_access_proof
from compliance.checks.facts import Facts, derive
from compliance.evidence import Evidence, Reply, Result
from compliance.probes import ORG_PRIVATE
from tests.evidence_factory import ORG, compliant_results, evidence, failure, reply

REFUSED = {"message": "Resource not accessible by personal access token"}
LIFETIME = {"message": "The 'acme' organization forbids access via a fine-grained personal access tokens if the "
            "token's lifetime is greater than 366 days."}  # fmt: skip


def refused_everywhere(status: int = 403, **overrides: Result) -> Evidence:
    """Compliant public answers, with every org-private probe refused and no private repository listed."""
    results = compliant_results()
    for name in ORG_PRIVATE:
        results[name] = reply(results[name].path, status, REFUSED)  # type: ignore[union-attr]
    return evidence(results, **overrides)


def facts(e: Evidence) -> Facts:
    """The facts derived from the evidence."""
    return derive(e, "Milestone's Copilot Token (read-only)")


def codes(e: Evidence) -> list[str]:
    """The headline cause, then the Copilot diagnosis codes the evidence shows, in order."""
    f = facts(e)
    return ([f.headline.cause] if f.headline else []) + [d.code for d in f.diagnoses]


def texts(e: Evidence) -> str:
    """The headline and every diagnosis sentence, joined."""
    f = facts(e)
    return " ".join(([f.headline.text] if f.headline else []) + [d.text for d in f.diagnoses])


# --- org_access_proof -------------------------------------------------------------------------------------------


def test_proof_is_the_first_private_read_in_probe_order() -> None:
    """With every private read answering 200, the proof is the first org-private probe (membership)."""
    proof = org_access_proof(evidence())
    assert proof is not None and proof.path == f"/user/memberships/orgs/{ORG}"


@pytest.mark.parametrize("probe", ORG_PRIVATE)
def test_any_single_private_read_proves_access(probe: str) -> None:
    """A 200 on any one org-private probe, all others refused, is the proof."""
    e = refused_everywhere()
    results = dict(e.results)
    results[probe] = reply(results[probe].path, 200, {})  # type: ignore[union-attr]
    proof = org_access_proof(evidence(results))
    assert proof is not None and proof.path == results[probe].path  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("repos_body", "proves"),
    [
        ([{"name": "secret", "private": True}], True),
        ([], False),  # an empty list proves nothing: the org may have no private repository
        ({"unexpected": "shape"}, False),
    ],
)
def test_private_repository_list_proves_access_only_when_non_empty(repos_body: object, proves: bool) -> None:
    """A listed private repository proves org access; an empty or odd answer does not."""
    e = refused_everywhere(private_repos=reply(f"/orgs/{ORG}/repos", 200, repos_body))
    proof = org_access_proof(e)
    assert (proof is not None and proof.path == f"/orgs/{ORG}/repos") is proves
    assert proves or proof is None


def test_public_org_read_is_no_proof() -> None:
    """GET /orgs/{org} answers anyone, so its 200 never proves private access."""
    assert org_access_proof(refused_everywhere()) is None


# --- lifetime_refusal -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "found"),
    [
        (403, LIFETIME, True),
        (403, {"message": LIFETIME["message"].upper()}, True),  # the match ignores case
        (403, {"message": "Token LIFETIME exceeds the maximum"}, False),  # only GitHub's own wording
        (404, LIFETIME, False),  # only a 403 is a policy refusal
        (403, REFUSED, False),
        (403, None, False),
    ],
)
def test_lifetime_refusal_needs_a_403_naming_lifetime(status: int, body: object, found: bool) -> None:
    """Only a 403 in GitHub's lifetime-policy wording is the org's maximum-lifetime refusal."""
    refusal = reply(f"/orgs/{ORG}/copilot/billing", status, body)
    got = facts(evidence(copilot_billing=refusal)).refusal("lifetime-policy")
    assert (got is not None and got.reply == refusal) is found
    assert found or got is None


# --- diagnose ---------------------------------------------------------------------------------------------------


def test_compliant_evidence_has_no_diagnosis() -> None:
    """Answers that all succeed explain nothing."""
    assert codes(evidence()) == []


def test_401_is_the_only_diagnosis() -> None:
    """A 401 anywhere is token-rejected, and nothing else is said (every other pattern follows from it)."""
    e = refused_everywhere(copilot_billing=reply(f"/orgs/{ORG}/copilot/billing", 401, {"message": "Bad credentials"}))
    assert codes(e) == ["token-rejected"]
    assert "expired, was revoked, or was copied incompletely" in texts(e)


def test_lifetime_policy_is_named_and_hides_the_copilot_patterns() -> None:
    """A lifetime refusal names the policy and the refused request; Copilot-specific guesses are left out."""
    e = evidence(copilot_billing=reply(f"/orgs/{ORG}/copilot/billing", 403, LIFETIME))
    assert codes(e) == ["lifetime-policy"]
    assert "refuses this token because its lifetime is longer than 366 days" in texts(e)


@pytest.mark.parametrize("status", [403, 404])
def test_every_private_read_refused_names_both_causes(status: int) -> None:
    """All org-private reads refused in general terms: no-org-access, naming resource owner and pending approval."""
    e = refused_everywhere(status)
    assert codes(e) == ["no-org-access"]
    text = texts(e)
    assert f"Every request for {ORG}'s private data was refused" in text
    for cause in (f"resource owner is not {ORG}", "pending approval"):
        assert cause in text
    assert f"GET /orgs/{ORG} (public data) answered 200" in text  # said only because it was seen


def test_public_data_is_not_claimed_readable_unless_seen() -> None:
    """When GET /orgs/{org} did not answer 200, the headline does not say public data was readable."""
    e = refused_everywhere(org=reply(f"/orgs/{ORG}", 403, REFUSED))
    assert codes(e) == ["no-org-access"]
    assert "public data" not in texts(e)


def test_one_private_read_that_failed_is_not_a_refusal_pattern() -> None:
    """A private read that got no answer at all leaves no-org-access unsaid: the pattern is not complete."""
    e = refused_everywhere(membership=failure(f"/user/memberships/orgs/{ORG}"))
    assert "no-org-access" not in codes(e)


def test_one_private_read_that_succeeded_breaks_the_pattern() -> None:
    """A single 200 among the private reads means the org does admit the token."""
    e = refused_everywhere(copilot_metrics=reply(f"/orgs/{ORG}/copilot/metrics/reports/x", 200, {}))
    assert "no-org-access" not in codes(e)


def test_no_private_read_sent_is_no_pattern() -> None:
    """Without any org-private probe in the evidence, nothing is diagnosed."""
    results = {k: v for k, v in compliant_results().items() if k not in ORG_PRIVATE}
    assert codes(evidence(results)) == []


def membership(role: str, login: str = "acme-bot") -> Reply:
    """The token's own membership answer."""
    return reply(f"/user/memberships/orgs/{ORG}", 200, {"role": role, "state": "active", "user": {"login": login}})


@pytest.mark.parametrize(
    ("billing_status", "member", "expected", "phrase"),
    [
        (403, membership("member", "jane"), "owner-not-org-owner", "The token's owner jane is an org member"),
        (404, membership("member", "jane"), "owner-not-org-owner", "not an owner"),
        (404, membership("admin"), "no-copilot-or-hidden", "no Copilot Business or Enterprise subscription"),
        (403, membership("admin"), "missing-copilot-permission", "lacks the organization permission GitHub Copilot"),
        # the role is unknown when Members: Read is missing: the billing status alone decides
        (404, reply(f"/user/memberships/orgs/{ORG}", 403, REFUSED), "no-copilot-or-hidden", "GitHub answers 404"),
        (403, reply(f"/user/memberships/orgs/{ORG}", 403, REFUSED), "missing-copilot-permission", "Business: Read"),
    ],
)
def test_copilot_refusal_patterns(billing_status: int, member: Reply, expected: str, phrase: str) -> None:
    """A refused Copilot billing read is explained by the owner's role first, then by the status GitHub gave."""
    e = evidence(copilot_billing=reply(f"/orgs/{ORG}/copilot/billing", billing_status, REFUSED), membership=member)
    assert codes(e) == [expected]
    assert phrase in texts(e)


@pytest.mark.parametrize(
    ("billing", "role"),
    [
        (reply(f"/orgs/{ORG}/copilot/billing", 200, {}), "member"),
        (failure(f"/orgs/{ORG}/copilot/billing"), "member"),
        (reply(f"/orgs/{ORG}/copilot/billing", 422, {"message": "odd"}), "admin"),
    ],
)
def test_no_copilot_pattern_without_a_refusal(billing: Result, role: str) -> None:
    """Copilot billing that answered 200, failed, or answered an owner oddly yields no Copilot diagnosis."""
    assert codes(evidence(copilot_billing=billing, membership=membership(role))) == []


def test_no_copilot_pattern_on_enterprise_server() -> None:
    """GHES has no Copilot endpoints, so their absence is not a refusal."""
    results = {k: v for k, v in compliant_results().items() if not k.startswith("copilot")}
    e = evidence(results, api_url="https://ghe.example.com/api/v3", membership=membership("member"))
    assert codes(e) == []


def test_lifetime_refusal_among_refusals_is_the_one_cause() -> None:
    """Every private read refused, one of them for the lifetime: the policy is named, not the three causes."""
    e = refused_everywhere(copilot_billing=reply(f"/orgs/{ORG}/copilot/billing", 403, LIFETIME))
    assert codes(e) == ["lifetime-policy"]

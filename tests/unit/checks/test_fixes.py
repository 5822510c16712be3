"""Fixes: the pre-filled 'new token' link, the fix text per verdict word, and the remediation a finding reports."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from compliance.checks.evaluate import Finding, evaluate
from compliance.checks.fixes import fix_text, token_link, token_template_url
from compliance.checks.registry import REGISTRY, TokenLink
from compliance.model import Settings, Target, TokenKind, Verdict, Word
from compliance.profiles import load_profile
from tests.evidence_factory import ORG, evidence, reply

COPILOT = load_profile("milestone-copilot", REGISTRY.keys())
REPOS = load_profile("milestone-repos-copilot", REGISTRY.keys())
NEW_TOKEN = "/settings/personal-access-tokens/new"


def query(url: str | None) -> dict[str, str]:
    """The link's query parameters, one value each."""
    assert url is not None
    values = parse_qs(urlsplit(url).query, strict_parsing=True)
    assert all(len(v) == 1 for v in values.values())
    return {k: v[0] for k, v in values.items()}


def test_template_url_carries_the_guide_settings() -> None:
    """The link pre-fills name, description, resource owner, expiry and exactly the guide's permissions."""
    url = token_template_url("https://github.com", COPILOT, ORG)
    assert url is not None and url.startswith(f"https://github.com{NEW_TOKEN}?")
    assert query(url) == {
        "name": "Milestone's Copilot Token (read-only)",
        "description": COPILOT.token_description,
        "target_name": ORG,
        "expires_in": "365",
        "members": "read",
        "organization_copilot_seat_management": "read",
    }


@pytest.mark.parametrize(("with_optional", "present"), [(False, False), (True, True)])
def test_optional_permissions_only_on_request(with_optional: bool, present: bool) -> None:
    """The optional permissions (Copilot metrics) are in the link only when asked for."""
    params = query(token_template_url("https://github.com", COPILOT, ORG, with_optional=with_optional))
    assert ("organization_copilot_metrics" in params) is present
    assert params["members"] == "read"


def test_repository_permissions_are_in_the_link() -> None:
    """A profile's repository permissions are pre-filled too."""
    params = query(token_template_url("https://github.com", REPOS, ORG))
    assert {k: params[k] for k in ("contents", "metadata", "pull_requests")} == dict.fromkeys(
        ("contents", "metadata", "pull_requests"), "read"
    )
    assert params["name"] == REPOS.token_name


@pytest.mark.parametrize(("web_url", "org"), [(None, ORG), ("https://github.com", "")])
def test_no_link_without_a_web_ui_or_org(web_url: str | None, org: str) -> None:
    """No web UI (GHES) or no org: no link rather than a wrong one."""
    assert token_template_url(web_url, COPILOT, org) is None


@pytest.mark.parametrize(
    ("api_url", "prefix"),
    [
        ("https://api.github.com", f"https://github.com{NEW_TOKEN}?"),
        ("https://api.acme-corp.ghe.com", f"https://acme-corp.ghe.com{NEW_TOKEN}?"),
        ("https://ghe.example.com/api/v3", None),
        ("https://ghe.example.com/api/v3/", None),
    ],
)
def test_token_link_host_follows_the_api(api_url: str, prefix: str | None) -> None:
    """GitHub.com and GHE.com get a link on their own web host; GitHub Enterprise Server gets none."""
    link = token_link(TokenLink.NEW_TOKEN, Target(ORG, api_url), COPILOT)
    if prefix is None:
        assert link is None
    else:
        assert link is not None and link.startswith(prefix)


@pytest.mark.parametrize(
    ("kind", "optional"),
    [(TokenLink.NEW_TOKEN, False), (TokenLink.NEW_TOKEN_WITH_OPTIONAL, True)],
)
def test_token_link_kind(kind: TokenLink, optional: bool) -> None:
    """The row's link kind decides whether the optional permissions are pre-filled."""
    params = query(token_link(kind, Target(ORG, "https://api.github.com"), COPILOT))
    assert ("organization_copilot_metrics" in params) is optional


def test_no_link_for_link_kind_none() -> None:
    """A requirement that a new token does not fix carries no link."""
    assert token_link(TokenLink.NONE, Target(ORG, "https://api.github.com"), COPILOT) is None


REQ = COPILOT.requirement("MEMBERS-READ")
ADVICE = "Check the token's settings page."


@pytest.mark.parametrize(
    ("word", "advice", "expected"),
    [
        (Word.PASS, ADVICE, ""),
        (Word.NOT_APPLICABLE, ADVICE, ""),
        (Word.FAIL, ADVICE, f"{ADVICE} {REQ.remediation}"),
        (Word.WARN, ADVICE, f"{ADVICE} {REQ.remediation}"),
        (Word.FAIL, "", REQ.remediation),
        (Word.UNVERIFIED, ADVICE, ADVICE),  # what would prove it, not the catalogue's fix
        (Word.UNVERIFIED, "", ""),
        (Word.ERROR, ADVICE, ADVICE),
    ],
)
def test_fix_text_per_word(word: Word, advice: str, expected: str) -> None:
    """Specific advice first; the catalogue's fix only for fail and warn; nothing for pass or not_applicable."""
    assert fix_text(REQ, Verdict(word, "observed", advice)) == expected


LINK = "https://github.com/settings/personal-access-tokens/new?name=x"


@pytest.mark.parametrize(
    ("word", "linked"),
    [
        (Word.FAIL, True),
        (Word.WARN, True),
        (Word.PASS, False),
        (Word.UNVERIFIED, False),
        (Word.ERROR, False),
        (Word.NOT_APPLICABLE, False),
    ],
)
def test_remediation_adds_the_link_only_for_fail_or_warn(word: Word, linked: bool) -> None:
    """Finding.remediation appends the pre-filled link only when the verdict says the token must change."""
    finding = Finding(REQ, Verdict(word, "observed"), "Fix it.", LINK)
    expected = f"Fix it. Pre-filled token settings: {LINK}" if linked else "Fix it."
    assert finding.remediation == expected


def test_remediation_without_a_link() -> None:
    """A failing finding without a link is its fix text alone."""
    assert Finding(REQ, Verdict(Word.FAIL, "observed"), "Fix it.", None).remediation == "Fix it."


def test_evaluated_findings_carry_the_right_link() -> None:
    """Through evaluate: a failing requirement links the guide's token; metrics' link adds the optional permission."""
    ev = evidence(
        kind=TokenKind.CLASSIC,
        copilot_metrics=reply(f"/orgs/{ORG}/copilot/metrics/reports/organization-28-day/latest", 403, {}),
    )
    findings = {f.requirement.id: f for f in evaluate(ev, COPILOT, Settings()).findings}
    fine = findings["FINE-GRAINED"]
    assert fine.verdict.word is Word.FAIL
    assert fine.remediation.startswith(COPILOT.requirement("FINE-GRAINED").remediation)
    assert "organization_copilot_metrics" not in query(fine.remediation.split("Pre-filled token settings: ")[1])
    metrics = findings["COPILOT-METRICS"]
    assert metrics.verdict.word is Word.WARN  # a should
    assert query(metrics.remediation.split("Pre-filled token settings: ")[1])["organization_copilot_metrics"] == "read"
    assert findings["MEMBERS-READ"].verdict.word is Word.PASS
    assert findings["MEMBERS-READ"].remediation == ""


def test_a_failure_a_person_fixes_carries_no_link() -> None:
    """SERVICE-ACCOUNT warns for another owner, and its fix is a person's act, not a new token's settings."""
    findings = evaluate(evidence(), COPILOT, Settings(expected_owner="someone-else")).findings
    owner = next(f for f in findings if f.requirement.id == "SERVICE-ACCOUNT")
    assert owner.verdict.word is Word.WARN
    assert owner.remediation == COPILOT.requirement("SERVICE-ACCOUNT").remediation
    assert "Pre-filled" not in owner.remediation

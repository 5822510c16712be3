"""The verdict functions as pure functions over hand-built evidence (evaluate over the registry)."""

from __future__ import annotations

import datetime as dt

import pytest

from compliance.checks.evaluate import evaluate
from compliance.checks.facts import parse_expiration
from compliance.checks.registry import REGISTRY
from compliance.model import Settings, TokenKind, TokenSource, Word
from compliance.profiles import load_profile
from tests.evidence_factory import NOW, ORG, compliant_results, evidence, failure, reply

PROFILE = load_profile("milestone-copilot", REGISTRY.keys())


def verdicts(ev: object, **settings: object) -> dict[str, str]:
    result = evaluate(ev, PROFILE, Settings(**settings))  # type: ignore[arg-type]
    return {f.requirement.id: f.verdict.word.value for f in result.findings}


def word(rid: str, ev: object, **settings: object) -> str:
    return verdicts(ev, **settings)[rid]


def test_compliant_evidence() -> None:
    """Compliant answers pass what a token can prove and leave the rest unverified, never passed by default."""
    got = verdicts(evidence(), expected_owner="acme-bot")
    assert got["MEMBERS-READ"] == got["COPILOT-BUSINESS-READ"] == got["APPROVED"] == "pass"
    assert got["READ-ONLY"] == got["NAME"] == got["LEAST-PRIVILEGE"] == got["LIFETIME-MAX"] == "unverified"
    assert got["TOKEN-STORAGE"] == "not_applicable"


@pytest.mark.parametrize(("days_left", "expected"), [(29, "warn"), (30, "pass"), (365, "pass")])
def test_expiry_headroom_window(days_left: int, expected: str) -> None:
    """EXPIRY-HEADROOM warns strictly inside the window."""
    ev = evidence(compliant_results(NOW + dt.timedelta(days=days_left, minutes=1)))
    assert word("EXPIRY-HEADROOM", ev, expiry_warning_days=30) == expected


def test_lifetime_beyond_cap_fails_within_cap_is_unverified() -> None:
    """An expiry more than 366 days away proves the lifetime too long; a nearer one proves nothing."""
    assert word("LIFETIME-MAX", evidence(compliant_results(NOW + dt.timedelta(days=367)))) == "fail"
    assert word("LIFETIME-MAX", evidence(compliant_results(NOW + dt.timedelta(days=300)))) == "unverified"


def test_header_equal_to_now_is_not_trusted() -> None:
    """The go-github#3708 fault (expiry header = response time) leaves expiry-based verdicts unverified."""
    ev = evidence(compliant_results(NOW))
    assert word("EXPIRY-HEADROOM", ev) == "unverified"
    assert word("LIFETIME-MAX", ev) == "unverified"


@pytest.mark.parametrize(("allow", "expected"), [(False, "fail"), (True, "pass")])
def test_no_expiration(allow: bool, expected: str) -> None:
    """No expiry header: a fail unless the org policy is declared to allow it."""
    ev = evidence(compliant_results(None))
    assert word("EXPIRATION-SET", ev, allow_no_expiration=allow) == expected
    assert word("EXPIRY-HEADROOM", ev, allow_no_expiration=allow) == "not_applicable"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-11-20 00:00:00 UTC", "2027-11-20T00:00:00+00:00"),
        ("2023-04-26 20:23:26 +0200", "2023-04-26T18:23:26+00:00"),
        ("2025-09-05 17:55:53 +0500", "2025-09-05T12:55:53+00:00"),
    ],
)
def test_expiry_header_formats(value: str, expected: str) -> None:
    """Both observed header formats parse to UTC."""
    assert parse_expiration(value).isoformat() == expected


def test_unreadable_expiry_header_is_an_error() -> None:
    """A header that parses in neither format is bad data, not a pass."""
    ev = evidence(user=reply("/user", body={"login": "x"}, github_authentication_token_expiration="tomorrow"))
    assert word("EXPIRATION-SET", ev) == "error"


def test_administration_masks_copilot_business() -> None:
    """Administration: Read also opens Copilot billing: least privilege fails and Copilot Business only warns."""
    ev = evidence(excess__administration=reply(f"/orgs/{ORG}/actions/permissions", body={}))
    got = verdicts(ev)
    assert got["LEAST-PRIVILEGE"] == "fail"
    assert got["COPILOT-BUSINESS-READ"] == "warn"


def test_should_level_failures_warn() -> None:
    """A `should` that does not hold is a warn, never a fail."""
    ev = evidence(source=TokenSource(file="/t", file_mode=0o644, file_owned_by_user=True))
    assert word("TOKEN-STORAGE", ev) == "warn"
    assert word("SERVICE-ACCOUNT", ev, expected_owner="someone-else") == "warn"


def test_probe_error_stays_local() -> None:
    """A probe that errors gives `error` to what needs it and leaves the other verdicts intact."""
    ev = evidence(copilot_billing=failure(f"/orgs/{ORG}/copilot/billing"))
    got = verdicts(ev)
    assert got["COPILOT-BUSINESS-READ"] == "error"
    assert got["MEMBERS-READ"] == "pass"
    assert got["APPROVED"] == "pass"


def test_classic_token_scopes() -> None:
    """A classic token fails FINE-GRAINED, and its write scopes fail READ-ONLY."""
    ev = evidence(kind=TokenKind.CLASSIC, user=reply("/user", body={"login": "x"}, x_oauth_scopes="repo, read:org"))
    got = verdicts(ev)
    assert got["FINE-GRAINED"] == "fail"
    assert got["READ-ONLY"] == "fail"


def test_owner_role_inferred_from_copilot_billing() -> None:
    """Without Members: Read, a 200 from the owner-only billing endpoint proves the owner is an org owner."""
    refused = reply(
        f"/user/memberships/orgs/{ORG}", 403, {"message": "Resource not accessible by personal access token"}
    )
    got = verdicts(evidence(membership=refused))
    assert got["OWNER-MEMBERSHIP"] == "pass"
    assert got["MEMBERS-READ"] == "fail"


def test_enterprise_server_copilot_not_applicable() -> None:
    """On GHES the Copilot requirements do not apply."""
    results = {k: v for k, v in compliant_results().items() if not k.startswith("copilot")}
    got = verdicts(evidence(results, api_url="https://ghe.example.com/api/v3"))
    assert got["COPILOT-BUSINESS-READ"] == got["COPILOT-METRICS"] == "not_applicable"


def test_odd_shapes_never_raise() -> None:
    """Bodies of the wrong type yield verdict words, not exceptions."""
    weird = {name: reply(r.path, 200, body=["unexpected"]) for name, r in compliant_results().items()}
    got = verdicts(evidence(weird))
    assert set(got.values()) <= {w.value for w in Word}
    assert got["ACTIVE"] == "error"

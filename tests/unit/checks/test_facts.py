"""Facts derived once from the evidence: the expiry header, refusals, the org-access proof and the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from compliance.checks.facts import EXPIRY_HEADER, derive, parse_expiration, read_expiry
from compliance.evidence import NotSent, Reply
from compliance.model import TokenKind
from compliance.probes import GRANTS, ORG_PRIVATE, REQUESTS
from tests.evidence_factory import NOW, ORG, compliant_results, evidence, failure, reply

NAME = "Milestone's Copilot Token (read-only)"
UTC = dt.UTC


def user(status: int = 200, expiry: str | None = None) -> Reply:
    """A GET /user answer, with the expiry header when given."""
    headers = {EXPIRY_HEADER: expiry} if expiry is not None else {}
    return Reply("/user", status, headers, {"login": "acme-bot"} if status == 200 else {"message": "Bad credentials"})


# --- parse_expiration -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-24 12:00:00 UTC", dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)),
        ("2026-11-24 12:00:00 +0000", dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)),
        ("2026-11-24 05:00:00 -0700", dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)),
        ("2026-11-25 01:30:00 +1330", dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)),
        ("  2026-11-24   12:00:00  UTC ", dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)),
    ],
)
def test_parse_expiration_both_formats(value: str, expected: dt.datetime) -> None:
    """Both observed header forms ('... UTC' and '... +hhmm') give the same aware UTC time."""
    got = parse_expiration(value)
    assert got == expected
    assert got.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "value", ["", "garbage", "tomorrow", "2026-11-24", "2026-13-01 00:00:00 UTC", "2026-11-24 12:00:00 PST", "17"]
)
def test_parse_expiration_rejects_garbage(value: str) -> None:
    """Anything else is a ValueError naming the header, never a guessed time."""
    with pytest.raises(ValueError, match=f"unrecognised {EXPIRY_HEADER} value"):
        parse_expiration(value)


# --- read_expiry ------------------------------------------------------------------------------------------------


def test_header_present_gives_the_time() -> None:
    """A 200 with the header: the expiry, trusted."""
    got = read_expiry(user(expiry="2027-11-19 12:00:00 UTC"), NOW)
    assert got.at == dt.datetime(2027, 11, 19, 12, 0, tzinfo=UTC)
    assert got.answered and got.trusted and not got.never and not got.unreadable and not got.is_response_time


def test_absent_header_means_never_expires() -> None:
    """A 200 without the header means the token never expires, and that absence is trusted."""
    got = read_expiry(user(), NOW)
    assert got.never and got.trusted and got.at is None


def test_unreadable_header_is_neither_never_nor_trusted() -> None:
    """A header that parses in neither format says why, and is not taken as 'never expires'."""
    got = read_expiry(user(expiry="soon"), NOW)
    assert "unrecognised" in got.unreadable and "'soon'" in got.unreadable
    assert got.answered and not got.never and not got.trusted and got.at is None


@pytest.mark.parametrize(
    "answer", [user(401), user(500, "2027-11-19 12:00:00 UTC"), failure("/user"), NotSent("/user", "halted"), None]
)
def test_no_2xx_answer_says_nothing_about_expiry(answer: object) -> None:
    """Without a 2xx GET /user, a missing header proves nothing: not answered, not never, not trusted."""
    got = read_expiry(answer, NOW)
    assert not got.answered and not got.never and not got.trusted and got.at is None


@pytest.mark.parametrize(
    ("offset_seconds", "fault"),
    [(0, True), (119, True), (-119, True), (121, False), (-121, False), (3600, False)],
)
def test_response_time_fault_within_120_seconds(offset_seconds: int, fault: bool) -> None:
    """An expiry within 120 s of the response time is GitHub's known fault (go-github#3708), so it is not trusted."""
    at = NOW + dt.timedelta(seconds=offset_seconds)
    got = read_expiry(user(expiry=at.strftime("%Y-%m-%d %H:%M:%S UTC")), NOW)
    assert got.at == at
    assert got.is_response_time is fault
    assert got.trusted is not fault


# --- derive -----------------------------------------------------------------------------------------------------


def test_compliant_facts() -> None:
    """Compliant answers: the owner, the expiry, the first private read as proof, no diagnosis, no record."""
    facts = derive(evidence(), NAME)
    assert facts.owner == "acme-bot"
    assert facts.expiry.at == NOW + dt.timedelta(days=360)
    assert not facts.rejected
    assert facts.org_access is not None and facts.org_access.path == f"/user/memberships/orgs/{ORG}"
    assert {name: r.cause for name, r in facts.refusals.items()} == {
        name: "permission-missing" for name in ("excess:administration", "excess:secrets", "excess:hooks")
    }  # the negative probes' refusals, classified
    assert facts.headline is None
    assert facts.diagnoses == ()
    assert facts.record is None  # no GitHub App evidence


def test_rejected_token() -> None:
    """A 401 marks the token rejected, with the one diagnosis that explains it and no owner."""
    facts = derive(evidence({"user": user(401)}), NAME)
    assert facts.rejected
    assert facts.owner is None
    assert facts.headline is not None and facts.headline.cause == "token-rejected"
    assert not facts.expiry.answered


def test_401_on_a_later_probe_also_rejects() -> None:
    """A 401 on any probe, not only GET /user, means GitHub rejected the token."""
    facts = derive(evidence(copilot_seats=reply(f"/orgs/{ORG}/copilot/billing/seats", 401)), NAME)
    assert facts.rejected


def test_every_private_read_refused_gives_no_proof_and_names_why() -> None:
    """All org-private reads refused: no org-access proof, and the no-org-access diagnosis."""
    results = compliant_results()
    for name in ORG_PRIVATE:
        results[name] = reply(results[name].path, 403, {"message": "Resource not accessible"})  # type: ignore[union-attr]
    facts = derive(evidence(results), NAME)
    assert facts.org_access is None
    assert facts.headline is not None and facts.headline.cause == "no-org-access"
    assert facts.diagnoses == ()  # the headline explains the Copilot refusals too


def test_lifetime_refusal() -> None:
    """A 403 in GitHub's lifetime-policy wording is classified, and its cause is the headline."""
    message = (
        "The 'acme' organization forbids access via a fine-grained personal access tokens if the token's "
        "lifetime is greater than 90 days."
    )
    refusal = reply(f"/orgs/{ORG}/hooks", 403, {"message": message})
    facts = derive(evidence(excess__hooks=refusal), NAME)
    found = facts.refusal("lifetime-policy")
    assert found is not None and found.reply == refusal
    assert facts.headline is not None and facts.headline.cause == "lifetime-policy"
    assert "longer than 90 days" in facts.headline.text


def grant(eid: int, name: str, expires: dt.datetime | None) -> dict[str, Any]:
    """A grant entry of the token's owner."""
    stamp = None if expires is None else expires.isoformat()
    return {"id": eid, "owner": {"login": "acme-bot"}, "token_name": name, "token_expires_at": stamp}


def with_record(results: dict[str, Any], grants: list[dict[str, Any]], **kw: Any) -> Any:
    """Evidence with the App's reads of the record."""
    results[GRANTS] = reply(f"/orgs/{ORG}/personal-access-tokens", 200, grants)
    results[REQUESTS] = reply(f"/orgs/{ORG}/personal-access-token-requests", 200, [])
    return evidence(results, **kw)


def test_record_matched_with_the_trusted_expiry() -> None:
    """With App evidence, the record is matched using the header's expiry."""
    expires = NOW + dt.timedelta(days=360)
    ev = with_record(compliant_results(expires), [grant(1, "other", expires), grant(2, NAME, NOW)])
    record = derive(ev, NAME).record
    assert record is not None and record.state == "grant" and record.entry["id"] == 1
    assert "expiry" in record.how


def test_record_matched_without_an_untrusted_expiry() -> None:
    """A response-time expiry is not used to match: the name decides instead."""
    ev = with_record(compliant_results(NOW), [grant(1, "other", NOW), grant(2, NAME, NOW + dt.timedelta(days=9))])
    record = derive(ev, NAME).record
    assert record is not None and record.entry["id"] == 2
    assert record.how.startswith("matched by owner, name")


def test_record_matched_for_a_never_expiring_token() -> None:
    """No expiry header is a known 'never': only the entry without token_expires_at matches."""
    ev = with_record(compliant_results(None), [grant(1, NAME, NOW + dt.timedelta(days=9)), grant(2, NAME, None)])
    record = derive(ev, NAME).record
    assert record is not None and record.entry["id"] == 2


@pytest.mark.parametrize("kind", [TokenKind.CLASSIC, TokenKind.OAUTH, None])
def test_no_record_for_other_token_kinds(kind: TokenKind | None) -> None:
    """The record lists fine-grained tokens only, so any other kind has no record, even with App evidence."""
    ev = with_record(compliant_results(), [grant(1, NAME, NOW + dt.timedelta(days=360))], kind=kind)
    assert derive(ev, NAME).record is None

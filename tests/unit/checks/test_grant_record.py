"""Matching the token to its grant or pending request in the org's record (find_record and GrantRecord)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from compliance.checks.grant_record import GrantRecord, find_record
from compliance.evidence import Evidence, NotSent, Result
from compliance.probes import GRANTS, REQUESTS
from tests.evidence_factory import NOW, ORG, evidence, failure, reply

OWNER = "acme-bot"  # the login GET /user answers in compliant_results()
NAME = "Milestone's Copilot Token (read-only)"
EXPIRES = NOW + dt.timedelta(days=360)  # the expiry header of compliant_results()
OTHER_EXPIRY = NOW + dt.timedelta(days=200)
GRANTS_PATH = f"/orgs/{ORG}/personal-access-tokens"
REQUESTS_PATH = f"/orgs/{ORG}/personal-access-token-requests"


def iso(moment: dt.datetime | None) -> str | None:
    """A timestamp as GitHub writes it."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def entry(
    eid: int,
    *,
    name: str = NAME,
    expires: dt.datetime | None = EXPIRES,
    used: dt.datetime | None = NOW - dt.timedelta(days=3),
    owner: str = OWNER,
) -> dict[str, Any]:
    """A grant-shaped record entry."""
    return {
        "id": eid,
        "owner": {"login": owner},
        "token_name": name,
        "token_expires_at": iso(expires),
        "token_last_used_at": iso(used),
    }


def record_evidence(grants: list[Any] | Result | None = None, requests: list[Any] | Result | None = None) -> Evidence:
    """Compliant token answers plus the App's reads of the grant record (lists become 200 answers)."""
    ev = evidence()
    results = dict(ev.results)
    for key, path, value in ((GRANTS, GRANTS_PATH, grants), (REQUESTS, REQUESTS_PATH, requests)):
        results[key] = reply(path, 200, value) if isinstance(value, list) else value  # type: ignore[assignment]
    return evidence({k: v for k, v in results.items() if v is not None})


def find(ev: Evidence, *, expires: dt.datetime | None = EXPIRES, known: bool = True) -> GrantRecord | None:
    """find_record with the profile's token name."""
    return find_record(ev, NAME, expires, known)


def test_no_app_evidence_gives_no_record() -> None:
    """Without the App's reads there is no record at all (None), not an empty one."""
    assert find(evidence()) is None


@pytest.mark.parametrize(
    ("grants", "known", "expected_id", "how"),
    [
        pytest.param([entry(1)], True, 1, "matched by owner, expiry among 1 grants of acme-bot", id="single"),
        pytest.param(
            [entry(1), entry(2, expires=OTHER_EXPIRY)], True, 1, "matched by owner, expiry among 2 grants", id="expiry"
        ),
        pytest.param(
            [entry(1, name="old token"), entry(2)], True, 2, "matched by owner, expiry, name among 2", id="name"
        ),
        pytest.param(
            [entry(1, used=NOW - dt.timedelta(minutes=61)), entry(2, used=NOW - dt.timedelta(minutes=59))],
            True,
            2,
            "last use among 2 grants",
            id="recent-use",
        ),
        pytest.param([entry(1, name="x"), entry(2)], False, 2, "matched by owner, name among 2", id="name-no-expiry"),
        pytest.param([entry(1, expires=OTHER_EXPIRY)], False, 1, "matched by owner among 1", id="owner-only"),
        pytest.param(
            [entry(1), entry(2, owner="someone-else"), entry(3, owner="Acme-Bot-2")],
            True,
            1,
            "among 1 grants",
            id="owner",
        ),
    ],
)
def test_grant_matching(grants: list[Any], known: bool, expected_id: int, how: str) -> None:
    """Candidates narrow by owner, then the exact expiry (when trusted), then name, then use within the hour."""
    got = find(record_evidence(grants, []), known=known)
    assert got is not None and got.state == "grant" and got.found
    assert got.entry["id"] == expected_id
    assert how in got.how


def test_expiry_is_ignored_when_not_known() -> None:
    """An untrusted expiry does not filter: a lone grant with a different expiry still matches."""
    ev = record_evidence([entry(1, expires=OTHER_EXPIRY)], [])
    assert find(ev, known=True).state == "none"  # type: ignore[union-attr]
    assert find(ev, known=False).state == "grant"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "stamp",
    ["2027-11-19T12:00:00Z", "2027-11-19T12:00:00+00:00", "2027-11-19T07:00:00-05:00", "2027-11-19T12:00:00.250Z"],
)
def test_expiry_matches_across_timestamp_spellings(stamp: str) -> None:
    """The record's ISO timestamp equals the header's expiry whatever its offset or fraction of a second."""
    grant = entry(1) | {"token_expires_at": stamp}
    got = find(record_evidence([grant, entry(2, expires=OTHER_EXPIRY)], []))
    assert got is not None and got.state == "grant" and got.entry["id"] == 1


def test_never_expiring_token_matches_only_never_expiring_entries() -> None:
    """A known absent expiry (None) matches the entry with token_expires_at null, not a dated one."""
    got = find(record_evidence([entry(1), entry(2, expires=None)], []), expires=None)
    assert got is not None and got.entry["id"] == 2


def test_pending_request_when_no_grant_matches() -> None:
    """No grant of the token but a pending request: the record shows the request."""
    got = find(record_evidence([entry(1, expires=OTHER_EXPIRY)], [entry(7)]))
    assert got is not None and got.state == "request" and got.found
    assert got.entry["id"] == 7
    assert "among 1 requests of acme-bot" in got.how
    assert got.label() == f"pending request #7 ({NAME!r})"


def test_a_grant_wins_over_a_request() -> None:
    """A token that is granted is reported as a grant even if a stale request also matches."""
    got = find(record_evidence([entry(1)], [entry(7)]))
    assert got is not None and got.state == "grant"
    assert got.label() == f"grant #1 ({NAME!r})"


@pytest.mark.parametrize(
    "grants",
    [
        [entry(1), entry(2)],
        [entry(1, name="a"), entry(2, name="b")],  # no entry carries the profile's name: name does not narrow
        [entry(1, used=NOW - dt.timedelta(hours=2)), entry(2, used=NOW - dt.timedelta(hours=3))],  # none recent
    ],
)
def test_indistinguishable_grants_are_ambiguous(grants: list[Any]) -> None:
    """Two entries the filters cannot tell apart: ambiguous, naming both ids, and not found."""
    got = find(record_evidence(grants, []))
    assert got is not None and got.state == "ambiguous" and not got.found
    assert "(#1, #2)" in got.how
    assert "cannot tell which one is this token" in got.how


def test_no_matching_entry_is_none() -> None:
    """Entries exist but none matches: state none, with the counts that were listed."""
    got = find(record_evidence([entry(1, expires=OTHER_EXPIRY)], []))
    assert got is not None and got.state == "none" and not got.found
    assert "no grant or pending request of acme-bot" in got.how
    assert "(1 grants and 0 requests of acme-bot listed)" in got.how


def test_empty_record_is_none() -> None:
    """An empty record is a readable answer: none, not unavailable."""
    got = find(record_evidence([], []))
    assert got is not None and got.state == "none"


@pytest.mark.parametrize(
    ("grants", "requests", "phrase"),
    [
        (failure(GRANTS_PATH), [], f"GET {GRANTS_PATH} failed"),
        ([], failure(REQUESTS_PATH), f"GET {REQUESTS_PATH} failed"),
        (NotSent(GRANTS_PATH, "GitHub rejected the token (401)"), [], "not sent"),
        (reply(GRANTS_PATH, 403, {"message": "Resource not accessible by integration"}), [], "-> 403"),
        ([], reply(REQUESTS_PATH, 500, None), "-> 500"),
        (reply(GRANTS_PATH, 200, {"items": []}), [], "unexpected shape"),
        ([], reply(REQUESTS_PATH, 200, "text"), "unexpected shape"),
        ([entry(1)], None, ""),  # one of the two reads is missing
    ],
)
def test_unreadable_record_is_unavailable(grants: Any, requests: Any, phrase: str) -> None:
    """A read that failed, was not sent, was not 2xx or had an odd shape: unavailable, saying why."""
    got = find(record_evidence(grants, requests))
    assert got is not None and got.state == "unavailable" and not got.found
    assert phrase in got.how


def test_non_dict_entries_are_skipped() -> None:
    """Junk items in the list are ignored; the real entry still matches."""
    got = find(record_evidence(["junk", 3, entry(1)], []))
    assert got is not None and got.state == "grant" and got.entry["id"] == 1


@pytest.mark.parametrize(
    ("permissions", "expected"),
    [
        ({"organization": {"members": "read"}}, {"members": "read"}),
        ({"organization": "read"}, {}),
        ("everything", {}),
        (None, {}),
    ],
)
def test_permissions_tolerate_odd_shapes(permissions: object, expected: dict[str, str]) -> None:
    """GrantRecord.permissions reads one kind's table, and an empty one whatever else the record holds."""
    assert GrantRecord("grant", "", {"permissions": permissions}).permissions("organization") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-24T12:00:00Z", NOW),
        ("2026-11-24T12:00:00", NOW),  # naive means UTC
        ("2026-11-24T13:00:00.9+01:00", NOW),
        ("yesterday", None),
        (None, None),
        (17, None),
    ],
)
def test_timestamp(value: object, expected: dt.datetime | None) -> None:
    """GrantRecord.timestamp parses ISO times to whole-second UTC, and gives None for anything else."""
    assert GrantRecord("grant", "", {"created_at": value}).timestamp("created_at") == expected

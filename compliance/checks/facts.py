"""Facts derived once from the evidence: the expiry header read, refusals classified, the org's record matched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from compliance.checks.diagnosis import (
    Diagnosis,
    Headline,
    copilot_patterns,
    headline,
    org_access_proof,
    pattern_headline,
)
from compliance.checks.grant_record import GrantRecord, find_record
from compliance.checks.refusals import Refusal, classify
from compliance.evidence import Evidence, Reply, login_of
from compliance.model import TokenKind

__all__ = ["EXPIRY_HEADER", "Expiry", "Facts", "derive", "parse_expiration"]

EXPIRY_HEADER = "github-authentication-token-expiration"
_FORMATS = ("%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S %z")
# Causes read from a pattern of generic refusals, not from one message: they explain any generic refusal.
_PATTERNS = ("no-org-access", "pending-approval")
# GitHub has been seen to send the current time instead of the expiry (google/go-github#3708).
_RESPONSE_TIME_SLACK = dt.timedelta(seconds=120)


def parse_expiration(value: str) -> dt.datetime:
    """Parse both observed header formats ('... UTC' and '... +hhmm') into an aware UTC datetime."""
    text = " ".join(value.split())
    for fmt in _FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        try:
            return parsed.astimezone(dt.UTC)
        except OverflowError:  # an offset that pushes the moment past year 1 or 9999
            break
    raise ValueError(f"unrecognised {EXPIRY_HEADER} value {value[:40]!r}")


@dataclass(frozen=True)
class Expiry:
    """What a 200 from GET /user says of the expiry: a time, no header (never expires), or an unreadable header."""

    answered: bool = False  # GET /user answered 2xx, so the header's presence or absence means something
    at: dt.datetime | None = None
    unreadable: str = ""  # why the header could not be parsed
    is_response_time: bool = False  # the header carried the response time, not an expiry

    @property
    def never(self) -> bool:
        """The answer carried no expiry header: the token never expires."""
        return self.answered and self.at is None and not self.unreadable

    @property
    def trusted(self) -> bool:
        """The expiry (or its absence) can be relied on to match the token against the org's record."""
        return self.answered and not self.unreadable and not self.is_response_time


def read_expiry(user: object, now: dt.datetime) -> Expiry:
    """The expiry header of a GET /user answer, parsed once."""
    if not (isinstance(user, Reply) and user.ok):
        return Expiry()
    value = user.headers.get(EXPIRY_HEADER)
    if value is None:
        return Expiry(answered=True)
    try:
        at = parse_expiration(value)
    except ValueError as exc:
        return Expiry(answered=True, unreadable=str(exc))
    return Expiry(answered=True, at=at, is_response_time=abs(at - now) < _RESPONSE_TIME_SLACK)


@dataclass(frozen=True)
class Facts:
    """What the evidence shows, computed once and read by every check and by the report."""

    owner: str | None
    expiry: Expiry
    rejected: bool  # GitHub answered 401
    org_access: Reply | None  # the first answer that proves the org lets the token read its private data
    refusals: Mapping[str, Refusal]  # probe name -> the known refusal its answer is
    headline: Headline | None  # the one cause that explains the refusals
    diagnoses: tuple[Diagnosis, ...]  # what the Copilot refusals mean
    record: GrantRecord | None  # the org's record of this token; None without a GitHub App token

    def refusal(self, cause: str) -> Refusal | None:
        """The first answer classified as this cause."""
        return next((r for r in self.refusals.values() if r.cause == cause), None)

    def explained(self, probe: str) -> Headline | None:
        """The headline, when its cause explains this probe's refusal (call it for refused probes only)."""
        found = self.headline
        if found is None:
            return None
        refusal = self.refusals.get(probe)
        cause = refusal.cause if refusal else None
        if cause == found.cause or (found.cause in _PATTERNS and cause in (None, "permission-missing")):
            return found
        return None


def derive(evidence: Evidence, token_name: str) -> Facts:
    """Derive the facts of one run's evidence."""
    expiry = read_expiry(evidence.get("user"), evidence.now)
    # The grant record lists fine-grained tokens only; for any other kind it has nothing to say.
    fine = evidence.token_kind is TokenKind.FINE_GRAINED
    record = find_record(evidence, token_name, expiry.at, expiry.trusted) if fine else None
    org = evidence.target.org
    refusals = {
        name: found
        for name, result in evidence.results.items()
        if isinstance(result, Reply) and (found := classify(result, org)) is not None
    }
    proof = org_access_proof(evidence)
    head = headline(evidence, refusals, proof)
    if head is not None and head.cause == "no-org-access" and record is not None and record.state == "request":
        head = pattern_headline("pending-approval", org=org)
    elif head is not None and head.cause == "no-org-access" and record is not None and record.state == "grant":
        head = None  # the org's record shows it admits the token: each refusal is then the permission's or the role's
    return Facts(
        owner=login_of(evidence.get("user")),
        expiry=expiry,
        rejected=any(isinstance(r, Reply) and r.status == 401 for r in evidence.results.values()),
        org_access=proof,
        refusals=refusals,
        headline=head,
        diagnoses=() if head else tuple(copilot_patterns(evidence, refusals)),
        record=record,
    )

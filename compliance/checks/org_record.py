"""Org-record checks: verdicts from the org's grant record (GitHub App evidence), decisive where the token is not."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from compliance.checks.context import Context
from compliance.checks.grant_record import GrantRecord
from compliance.model import Source, Verdict, Word
from compliance.profiles import RECORD_SELECTION

__all__ = [
    "approved",
    "least_privilege",
    "lifetime_max",
    "name",
    "read_only",
    "record_disagreement",
    "repo_access",
    "resource_owner",
    "service_account",
]

ORG = Source.ORG_RECORD


def _v(word: Word, text: str, advice: str = "") -> Verdict:
    return Verdict(word, text, advice, source=ORG)


def _on_entry(check: Callable[[Context, GrantRecord], Verdict]) -> Callable[[Context], Verdict]:
    """A check that reads the token's entry in the record; `unverified` (saying why) when there is none."""

    @functools.wraps(check)
    def run(c: Context) -> Verdict:
        record = c.facts.record
        assert record is not None
        if not record.found:
            return Verdict(Word.UNVERIFIED, f"The org's record does not settle this: {record.how}.", source=ORG)
        return check(c, record)

    return run


def _cite(record: GrantRecord) -> str:
    return f"The org's record ({record.label()}, {record.how})"


@_on_entry
def read_only(c: Context, record: GrantRecord) -> Verdict:
    """READ-ONLY: every permission in the record is read."""
    held = {
        f"{k}: {v}" for kind in ("organization", "repository", "other") for k, v in record.permissions(kind).items()
    }
    writes = sorted(h for h in held if not h.endswith(": read"))
    if writes:
        return _v(Word.FAIL, f"{_cite(record)} grants more than Read: {', '.join(writes)}.")
    return _v(Word.PASS, f"{_cite(record)} lists only Read permissions: {', '.join(sorted(held)) or 'none'}.")


@_on_entry
def least_privilege(c: Context, record: GrantRecord) -> Verdict:
    """LEAST-PRIVILEGE: nothing in the record beyond the profile's permissions (metadata is implied)."""
    allowed_org = c.profile.allowed_organization()
    allowed_repo = {**c.profile.repository_permissions, "metadata": "read"}
    extra = [f"organization {k}: {v}" for k, v in record.permissions("organization").items() if k not in allowed_org]
    extra += [f"repository {k}: {v}" for k, v in record.permissions("repository").items() if k not in allowed_repo]
    extra += [f"account {k}: {v}" for k, v in record.permissions("other").items()]
    if extra:
        return _v(Word.FAIL, f"{_cite(record)} holds permissions the guide does not ask for: {', '.join(extra)}.")
    held = record.permissions("organization")
    sets = [a for a in c.profile.alternatives if all(held.get(k) == v for k, v in a.items())]
    if len(sets) > 1:
        both = " and ".join(", ".join(f"{k}: {v}" for k, v in a.items()) for a in sets)
        return _v(Word.FAIL, f"{_cite(record)} holds {both}; the guide needs only one of these permission sets.")
    return _v(Word.PASS, f"{_cite(record)} holds no permission beyond the guide's.")


@_on_entry
def name(c: Context, record: GrantRecord) -> Verdict:
    """NAME: the record's token_name."""
    actual = record.entry.get("token_name")
    if actual == c.profile.token_name:
        return _v(Word.PASS, f"{_cite(record)} names the token {actual!r}.")
    return _v(Word.FAIL, f"{_cite(record)} names the token {actual!r}, not {c.profile.token_name!r}.")


@_on_entry
def repo_access(c: Context, record: GrantRecord) -> Verdict:
    """REPO-ACCESS: the record's repository_selection."""
    actual, wanted = record.entry.get("repository_selection"), RECORD_SELECTION[c.profile.repository_access]
    if actual == wanted:
        return _v(Word.PASS, f"{_cite(record)} has repository_selection {actual!r}, as the guide asks.")
    return _v(
        Word.FAIL,
        f"{_cite(record)} has repository_selection {actual!r}; the guide asks for {wanted!r} "
        f"({c.profile.repository_access} repositories).",
    )


def approved(c: Context) -> Verdict:
    """APPROVED: a grant means approved, a pending request means not yet; neither means not admitted."""
    record = c.facts.record
    assert record is not None
    if record.state == "grant":
        return _v(Word.PASS, f"{_cite(record)}: the org has approved this token.")
    if record.state == "request":
        created = record.entry.get("created_at")
        return _v(Word.FAIL, f"{_cite(record)}: the token is still pending approval (requested {created}).")
    return Verdict(Word.UNVERIFIED, f"The org's record does not settle this: {record.how}.", source=ORG)


def resource_owner(c: Context) -> Verdict:
    """RESOURCE-OWNER: only tokens whose resource owner is the org appear in its record."""
    record = c.facts.record
    assert record is not None
    if record.found:
        return _v(Word.PASS, f"{_cite(record)}: only tokens whose resource owner is {c.org} appear there.")
    if record.state == "none":  # another owner, a blocked org, or a record entry this suite could not match
        return Verdict(
            Word.UNVERIFIED,
            f"The org's record does not settle this: {record.how}; a token owned by another resource owner is not "
            f"listed there, but neither is one whose entry could not be matched.",
            source=ORG,
        )
    return Verdict(Word.UNVERIFIED, f"The org's record does not settle this: {record.how}.", source=ORG)


@_on_entry
def lifetime_max(c: Context, record: GrantRecord) -> Verdict:
    """LIFETIME-MAX: expiry minus creation (a pending request's created_at) proves it; minus approval, a lower bound."""
    cap = c.profile.max_lifetime_days
    expires = record.timestamp("token_expires_at")
    if expires is None:
        if c.settings.allow_no_expiration:
            return _v(
                Word.NOT_APPLICABLE,
                f"{_cite(record)}: the token never expires, which --allow-no-expiration declares the org allows.",
            )
        return _v(Word.FAIL, f"{_cite(record)}: the token never expires, so its lifetime exceeds {cap} days.")
    created, granted = record.timestamp("created_at"), record.timestamp("access_granted_at")
    if created is not None:
        days = (expires - created) / dt.timedelta(days=1)
        text = f"{_cite(record)}: token_expires_at {expires:%Y-%m-%d} minus created_at {created:%Y-%m-%d}"
        if days > cap:
            return _v(Word.FAIL, f"{text} is {days:.0f} days, over the {cap}-day maximum.")
        return _v(Word.PASS, f"{text} is {days:.0f} days, within the {cap}-day maximum.")
    if granted is None:
        return Verdict(Word.UNVERIFIED, f"{_cite(record)} has neither created_at nor access_granted_at.", source=ORG)
    days = (expires - granted) / dt.timedelta(days=1)
    text = (
        f"{_cite(record)}: token_expires_at {expires:%Y-%m-%d} minus access_granted_at {granted:%Y-%m-%d} is "
        f"{days:.0f} days; access_granted_at is when the org approved the token, not when it was created, so the "
        "lifetime is at least that"
    )
    if days > cap:
        return _v(Word.FAIL, f"{text}, already over the {cap}-day maximum.")
    return Verdict(
        Word.UNVERIFIED,
        f"{text}, and may still be over the {cap}-day maximum if the token waited for approval.",
        "Confirm on the token's settings page when it was created, or attest its lifetime (--attestations).",
        source=ORG,
    )


def service_account(c: Context) -> Verdict | None:
    """SERVICE-ACCOUNT: the record's owner against --expected-owner (nothing to add without it)."""
    record = c.facts.record
    expected = c.settings.expected_owner
    if record is None or not record.found or expected is None:
        return None
    owner = (record.entry.get("owner") or {}).get("login")
    if isinstance(owner, str) and owner.lower() == expected.lower():
        return _v(Word.PASS, f"{_cite(record)}: the token belongs to {owner}, the expected service account.")
    return _v(Word.FAIL, f"{_cite(record)}: the token belongs to {owner}, not to {expected}.")


def record_disagreement(c: Context, perm: str | None, token: Verdict) -> str:
    """A sentence when the record grants a permission (`perm`) that the token's own requests were refused."""
    record = c.facts.record
    if record is None or not record.found or perm is None or token.word not in (Word.FAIL, Word.WARN):
        return ""
    granted = record.permissions("organization").get(perm)
    if not granted:
        return ""
    return (
        f" The org's record ({record.label()}) grants {perm}: {granted}, yet the token's request was refused: "
        "the record and the token's own answers disagree (for Copilot, the owner's org role also gates access)."
    )

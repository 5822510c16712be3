"""Matching the token to its entry in the org's grant record (read with a GitHub App token): grant or request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from compliance.evidence import Evidence, Failure, NotSent, Reply, login_of
from compliance.probes import GRANTS, REQUESTS

__all__ = ["GrantRecord", "find_record"]

_RECENT = dt.timedelta(hours=1)
# Assumption: no recording shows whether the expiry header equals the record's token_expires_at to the second, so
# any two moments within an hour count as the same expiry (tokens of one owner rarely expire within the same hour).
_EXPIRY_SLACK = dt.timedelta(hours=1)


@dataclass(frozen=True)
class GrantRecord:
    """What the org's record says about the token under test."""

    state: str  # "grant" | "request" | "none" | "ambiguous" | "unavailable"
    how: str  # how the entry was found, or why not
    entry: dict[str, Any] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        """True when exactly one grant or pending request is this token's."""
        return self.state in ("grant", "request")

    def permissions(self, kind: str) -> dict[str, str]:
        """The entry's permissions of one kind (organization, repository, other)."""
        perms = self.entry.get("permissions")
        table = perms.get(kind) if isinstance(perms, dict) else None
        return {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else {}

    def timestamp(self, key: str) -> dt.datetime | None:
        """An ISO timestamp field of the entry."""
        return _when(self.entry.get(key))

    def label(self) -> str:
        """A short name for the entry: grant or request id and token name."""
        kind = "grant" if self.state == "grant" else "pending request"
        return f"{kind} #{self.entry.get('id')} ({self.entry.get('token_name')!r})"


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC).replace(microsecond=0)
    except (ValueError, OverflowError):  # not ISO, or an offset that pushes it past year 1 or 9999
        return None


def _entries(result: Any) -> list[dict[str, Any]] | None:
    if isinstance(result, Reply) and result.ok and isinstance(result.body, list):
        return [e for e in result.body if isinstance(e, dict)]
    return None


def _same_expiry(recorded: dt.datetime | None, header: dt.datetime | None) -> bool:
    """The record's expiry and the header's name the same moment, within _EXPIRY_SLACK (or both say never)."""
    if recorded is None or header is None:
        return recorded is header
    return abs(recorded - header) <= _EXPIRY_SLACK


def _narrow(
    entries: list[dict[str, Any]], expires: dt.datetime | None, known: bool, name: str, now: dt.datetime
) -> tuple[list[dict[str, Any]], list[str]]:
    """Narrow candidates by expiry (None = never), then name, then recent use; say which filters applied."""
    used: list[str] = []
    if known:
        entries = [e for e in entries if _same_expiry(_when(e.get("token_expires_at")), expires)]
        used.append("expiry")
    if len(entries) > 1 and any(e.get("token_name") == name for e in entries):
        entries = [e for e in entries if e.get("token_name") == name]
        used.append("name")
    recent = [e for e in entries if (w := _when(e.get("token_last_used_at"))) and abs(now - w) <= _RECENT]
    if len(entries) > 1 and recent:
        entries = recent
        used.append("last use")
    return entries, used


def find_record(e: Evidence, token_name: str, expires: dt.datetime | None, known: bool) -> GrantRecord | None:
    """Match the token to its grant or pending request (expiry used when `known`); None without an App token."""
    grants_result, requests_result = e.get(GRANTS), e.get(REQUESTS)
    if grants_result is None and requests_result is None:
        return None
    for result in (grants_result, requests_result):
        if isinstance(result, (Failure, NotSent)):
            return GrantRecord("unavailable", f"the org's record could not be read: {result.describe()}")
        if isinstance(result, Reply) and not result.ok:
            return GrantRecord("unavailable", f"the org's record could not be read: {result.describe()}")
    grants, requests = _entries(grants_result), _entries(requests_result)
    if grants is None or requests is None:
        return GrantRecord("unavailable", "the org's record answered with an unexpected shape")
    owner = login_of(e.get("user"))
    for state, entries in (("grant", grants), ("request", requests)):
        mine = [x for x in entries if isinstance(x.get("owner"), dict) and x["owner"].get("login") == owner]
        found, used = _narrow(mine, expires, known, token_name, e.now)
        by = ", ".join(["owner", *used])
        if len(found) == 1:
            return GrantRecord(state, f"matched by {by} among {len(mine)} {state}s of {owner}", found[0])
        if len(found) > 1:
            ids = ", ".join(f"#{x.get('id')}" for x in found)
            return GrantRecord(
                "ambiguous",
                f"{len(found)} {state}s of {owner} match by {by} ({ids}); the record "
                "cannot tell which one is this token",
            )
    return GrantRecord(
        "none",
        f"no grant or pending request of {owner} in the org's record matches this token "
        f"({len(grants)} grants and {len(requests)} requests of {owner} listed)",
    )

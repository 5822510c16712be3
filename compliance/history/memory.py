"""Remembered facts: what one run saw that later runs cannot see again, recalled from a verified history.

A token's creation time shows only in the org's grant record while the token waits for approval (a pending
request's `created_at`); once approved, the record shows the approval time instead. A run that saw it keeps it in
its history record, and a later run of the same token (same fingerprint, same expiry) proves LIFETIME-MAX from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from compliance.history.record import parse_time

__all__ = ["Remembered", "recall"]


@dataclass(frozen=True)
class Remembered:
    """A token's creation time as the org's record showed it, and the history record that keeps it."""

    fingerprint: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    seen_at: dt.datetime
    seq: int
    hash: str
    run_url: str | None

    def cite(self) -> str:
        """Where the fact comes from, as one phrase."""
        where = f", {self.run_url}" if self.run_url else ""
        return (
            f"the org's record as a run saw it on {self.seen_at:%Y-%m-%d} (history record {self.seq}, "
            f"{self.hash[:19]}…{where})"
        )


def recall(
    records: Iterable[dict[str, Any]], org: str, fingerprint: str | None, hashed_token: str | None = None
) -> tuple[Remembered, ...]:
    """Kept creation times of the org's token, newest first: by fingerprint, and by hashed_token where both know it."""
    if not fingerprint:
        return ()
    found: list[Remembered] = []
    for r in records:
        token = r["token"]
        created = parse_time(token.get("created_at"))
        if r["org"].lower() != org.lower() or token.get("fingerprint") != fingerprint or created is None:
            continue
        if hashed_token and token.get("hashed_token") and token["hashed_token"] != hashed_token:
            continue  # the same 8-hex fingerprint, another token
        seen = parse_time(r["at"])
        assert seen is not None  # the record schema fixes its format
        expires = parse_time(token.get("expires_at"))
        found.append(Remembered(fingerprint, created, expires, seen, r["seq"], r["hash"], r["run_url"]))
    return tuple(reversed(found))

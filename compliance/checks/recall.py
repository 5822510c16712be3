"""Checks that lean on remembered facts: LIFETIME-MAX from a creation time an earlier run saw in the org's record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from compliance.checks.context import Context, stamp
from compliance.history.memory import Remembered
from compliance.model import Source, Verdict, Word

__all__ = ["lifetime_from_history"]

# The remembered expiry and today's are read from the same header, so they name the same moment; an hour of slack
# as the grant-record match allows (compliance/checks/grant_record.py).
_SAME_EXPIRY = dt.timedelta(hours=1)


def lifetime_from_history(c: Context, remembered: Sequence[Remembered]) -> Verdict | None:
    """LIFETIME-MAX: today's expiry minus the creation time kept in the history, for the same token; else None."""
    expires = c.facts.expiry.at
    if expires is None or not c.facts.expiry.trusted:
        return None
    same = [m for m in remembered if m.expires_at is not None and abs(m.expires_at - expires) <= _SAME_EXPIRY]
    if not same:
        return None
    fact, cap = same[0], c.profile.max_lifetime_days
    days = (expires - fact.created_at) / dt.timedelta(days=1)
    text = (
        f"The token (fingerprint {fact.fingerprint}, expiring {stamp(expires)}) was created "
        f"{stamp(fact.created_at)}, as {fact.cite()} showed: a lifetime of {days:.0f} days"
    )
    if days > cap:
        return Verdict(Word.FAIL, f"{text}, over the {cap}-day maximum.", source=Source.ORG_RECORD)
    return Verdict(Word.PASS, f"{text}, within the {cap}-day maximum.", source=Source.ORG_RECORD)

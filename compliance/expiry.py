"""The token's expiry, which GitHub reveals only in the GitHub-Authentication-Token-Expiration header."""

from __future__ import annotations

import datetime as dt

__all__ = ["HEADER", "parse_expiration"]

HEADER = "github-authentication-token-expiration"
_FORMATS = ("%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S %z")


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
        return parsed.astimezone(dt.UTC)
    raise ValueError(f"unrecognised {HEADER} value {value[:40]!r}")

"""Expiry checks: the token expires, within the lifetime cap, and not too soon."""

from __future__ import annotations

import datetime as dt

from compliance.checks.context import (
    Context,
    answer,
    days,
    error,
    fail,
    not_applicable,
    passed,
    stamp,
    unverified,
)
from compliance.model import Verdict, Word

__all__ = ["check_expiration_set", "check_expiry_headroom", "check_lifetime_max"]


def _expiry(c: Context) -> dt.datetime | Verdict | None:
    """The expiry from the facts; None when the token never expires; the verdict when GET /user says nothing."""
    user = answer(c, "user")
    if isinstance(user, Verdict):
        return user
    if not user.ok:
        return error(f"{user.describe()}: no expiry header to read.")
    if c.facts.expiry.unreadable:
        problem = c.facts.expiry.unreadable
        return error(f"GET /user carried an unreadable GitHub-Authentication-Token-Expiration header: {problem}.")
    return c.facts.expiry.at


def check_expiration_set(c: Context) -> Verdict:
    """EXPIRATION-SET: the expiry header is present; its absence means the token never expires."""
    expires = _expiry(c)
    if isinstance(expires, Verdict):
        return expires
    if expires is None:
        if c.settings.allow_no_expiration:
            return passed(
                "GET /user carried no expiry header, so the token never expires; --allow-no-expiration "
                "declares that the org policy allows this."
            )
        return fail(
            "GET /user carried no GitHub-Authentication-Token-Expiration header: the token never expires, "
            "and the org policy was not declared to allow that (--allow-no-expiration)."
        )
    left = days(expires - c.evidence.now)
    return passed(
        f"The token expires {stamp(expires)} ({left} days left), per the GitHub-Authentication-Token-Expiration header."
    )


def check_lifetime_max(c: Context) -> Verdict:
    """LIFETIME-MAX: proven too long by an expiry beyond the cap or the org's own refusal; otherwise unknowable."""
    cap = c.profile.max_lifetime_days
    refusal = c.facts.refusal("lifetime-policy")
    if refusal is not None:
        return Verdict(Word.FAIL, f"{refusal.reply.describe()}: {refusal.text}", cause=refusal.cause)
    expires = _expiry(c)
    if isinstance(expires, Verdict):
        return expires
    if expires is None:
        if c.settings.allow_no_expiration:
            return not_applicable(
                "The token never expires and --allow-no-expiration declares that the org allows this, so the "
                f"{cap}-day cap does not apply."
            )
        return fail(f"The token never expires, so its lifetime exceeds {cap} days.")
    left = expires - c.evidence.now
    if left > dt.timedelta(days=cap):
        return fail(
            f"The token expires {stamp(expires)}, {days(left)} days from now, so its lifetime exceeds {cap} days."
        )
    if c.facts.expiry.is_response_time:
        return unverified(
            f"The expiry header equals the response time ({stamp(expires)}), a known GitHub fault "
            f"(google/go-github#3708); the real expiry is in {c.app_record}."
        )
    return unverified(
        f"The token expires {stamp(expires)} ({days(left)} days left, within {cap} days), but a lifetime counts "
        f"from creation, which only {c.app_record} can show (a pending request's created_at; a grant's approval "
        "time only bounds it from below).",
        "Confirm the token was created with a 1-year expiration, or run with a GitHub App token to read the record.",
    )


def check_expiry_headroom(c: Context) -> Verdict:
    """EXPIRY-HEADROOM: days left against the warning window."""
    window = c.settings.expiry_warning_days
    expires = _expiry(c)
    if isinstance(expires, Verdict):
        return expires
    if expires is None:
        return not_applicable("The token never expires.")
    if c.facts.expiry.is_response_time:
        return unverified(
            f"The expiry header equals the response time ({stamp(expires)}), a known GitHub fault "
            "(google/go-github#3708), so the days left are unknown."
        )
    left = days(expires - c.evidence.now)
    if left < window:
        return fail(f"The token expires {stamp(expires)}: {left} days left, inside the {window}-day warning window.")
    return passed(f"The token expires {stamp(expires)}: {left} days left, beyond the {window}-day warning window.")

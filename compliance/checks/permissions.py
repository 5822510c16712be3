"""Permission checks: read-only, the permissions the guide asks for, and nothing beyond them."""

from __future__ import annotations

from compliance.checks.context import (
    Context,
    answer,
    blocked,
    error,
    explained,
    fail,
    not_applicable,
    passed,
    suffix,
    unverified,
    warn,
)
from compliance.evidence import Reply
from compliance.model import TokenKind, Verdict, Word
from compliance.probes import EXCESS_PROBES
from compliance.profiles import spoken_list

ADMINISTRATION = "organization_administration"
# The permission id each negative probe's 200 proves (GitHub's map: these GETs need exactly that permission).
_EXCESS_IDS = {
    "excess:administration": ADMINISTRATION,
    "excess:secrets": "organization_secrets",
    "excess:hooks": "organization_hooks",
}

__all__ = [
    "check_copilot_business_read",
    "check_copilot_metrics",
    "check_least_privilege",
    "check_members_read",
    "check_read_only",
]


def check_read_only(c: Context) -> Verdict:
    """READ-ONLY: classic scopes can be read; a fine-grained token's read/write split cannot be seen with GETs."""
    user = answer(c, "user")
    if isinstance(user, Verdict):
        return user
    scopes = [s.strip() for s in user.headers.get("x-oauth-scopes", "").split(",") if s.strip()]
    if c.evidence.token_kind is not TokenKind.FINE_GRAINED and scopes:
        writable = [s for s in scopes if not s.startswith("read:")]
        if writable:
            return fail(f"GET /user reports the classic scopes {', '.join(scopes)}; {', '.join(writable)} can write.")
        return passed(f"GET /user reports only read scopes: {', '.join(scopes)}.")
    return unverified(
        "GET requests cannot tell Read from Write, and no endpoint shows a fine-grained token its own permissions; "
        + c.app_record
        + " lists each permission's access level.",
        "Check on the token's settings page that every permission is Read.",
    )


def check_members_read(c: Context) -> Verdict:
    """MEMBERS-READ: GET /user/memberships/orgs/{org} needs Members: Read (the member list answers without it)."""
    r = answer(c, "membership")
    if isinstance(r, Verdict):
        return r
    if r.ok and isinstance(r.body, dict):
        return passed(
            f"{r.describe()} (role {r.body.get('role')}, state {r.body.get('state')}); this endpoint needs "
            "Members: Read."
        )
    by_cause = explained(c, "membership", r)
    if by_cause:
        return by_cause
    if r.status == 403:
        return fail(r.describe() + ". The token lacks the organization permission Members: Read.")
    if r.status == 404:
        return fail(
            f"{r.describe()}. GitHub answers 404 when the token's owner is not a member of {c.org} or the token "
            f"cannot reach {c.org}'s members."
        )
    return error(f"{r.describe()}: unexpected answer.")


def check_copilot_business_read(c: Context) -> Verdict:
    """COPILOT-BUSINESS-READ: Copilot billing and seats both answer 200."""
    if c.evidence.target.is_server:
        return not_applicable(
            "GitHub Enterprise Server has no Copilot REST endpoints (/orgs/{org}/copilot/billing is not in its "
            "API), so the Copilot Business permission cannot apply here."
        )
    billing, seats = answer(c, "copilot_billing"), answer(c, "copilot_seats")
    for got in (billing, seats):
        if isinstance(got, Verdict):
            return got
    assert isinstance(billing, Reply)
    assert isinstance(seats, Reply)
    if billing.ok and seats.ok:
        total = seats.body.get("total_seats") if isinstance(seats.body, dict) else None
        seen = f"{billing.describe()}; {seats.describe()} ({total} seats)"
        admin = c.reply("excess:administration")
        if admin and admin.ok and ADMINISTRATION in c.profile.allowed_organization():
            return passed(
                f"{seen}; the token also holds Administration: Read, which opens the same endpoints and which the "
                "guide accepts instead of GitHub Copilot Business: Read."
            )
        if admin and admin.ok:
            return warn(
                f"{seen}; but the token also holds Administration: Read, which opens the same endpoints, so "
                "these answers do not prove GitHub Copilot Business: Read."
            )
        return passed(seen + ".")
    refused = [r for r in (billing, seats) if not r.ok]
    if any(not r.refused for r in refused):
        return error("; ".join(r.describe() for r in refused) + ": unexpected answer.")
    by_cause = explained(c, "copilot_billing" if not billing.ok else "copilot_seats", refused[0])
    if by_cause:
        return by_cause
    seen = "; ".join(r.describe() for r in refused)
    named = c.facts.refusals.get("copilot_billing")
    if named is not None and "COPILOT-BUSINESS-READ" in named.kind.proves:
        return Verdict(Word.FAIL, f"{seen}. {named.text}", named.fix, cause=named.cause)
    cause = suffix(c, "owner-not-org-owner", "no-copilot-or-hidden", "missing-copilot-permission")
    return fail(seen + "." + cause)


def check_least_privilege(c: Context) -> Verdict:
    """LEAST-PRIVILEGE: negative probes prove excess when they succeed; their refusal covers only what they probe."""
    excess, refused, held = [], [], []
    allowed = c.profile.allowed_organization()
    for probe in EXCESS_PROBES:
        result = c.evidence.get(probe.name)
        if isinstance(result, Reply) and result.ok and _EXCESS_IDS.get(probe.name) in allowed:
            held.append(probe.permission)
        elif isinstance(result, Reply) and result.ok:
            excess.append(f"{result.describe()}: the token holds {probe.permission} access")
        elif isinstance(result, Reply) and result.refused:
            refused.append(probe.permission)
    if excess:
        return fail("; ".join(excess) + f". The guide asks only for {c.profile.permission_phrase()}.")
    answers = [answer(c, p.name) for p in EXCESS_PROBES]
    stopped = next((a for a in answers if isinstance(a, Verdict)), None)
    if stopped:
        return stopped
    refused_wholesale = blocked(c)
    if refused_wholesale:
        return refused_wholesale
    if len(refused) + len(held) < len(EXCESS_PROBES):
        odd = [a for a in answers if isinstance(a, Reply) and not a.refused and not a.ok]
        return error("; ".join(a.describe() for a in odd) + ": unexpected answer.")
    also = f" ({', '.join(held)} is held, which the guide allows)" if held else ""
    return unverified(
        f"The probed permissions {', '.join(refused)} were refused{also}; the other organization and repository "
        "permissions cannot be probed with GET requests, and " + c.app_record + " lists them all.",
        _only_advice(c),
    )


def check_copilot_metrics(c: Context) -> Verdict:
    """COPILOT-METRICS: the 28-day report needs Organization Copilot metrics: Read and the metrics policy."""
    if c.evidence.target.is_server:
        return not_applicable("GitHub Enterprise Server has no Copilot usage metrics endpoints.")
    r = answer(c, "copilot_metrics")
    if isinstance(r, Verdict):
        return r
    if r.ok:
        body = r.body if isinstance(r.body, dict) else {}
        return passed(f"{r.describe()}: report {body.get('report_start_day')} to {body.get('report_end_day')}.")
    outdated = (
        " The guide says GitHub Copilot Business: Read covers metrics, but GitHub retired that API on "
        "2026-04-02; the reports now need Organization Copilot metrics: Read."
    )
    by_cause = explained(c, "copilot_metrics", r)
    if by_cause:
        return by_cause
    named = c.facts.refusals.get("copilot_metrics")
    if named is not None and "COPILOT-METRICS" in named.kind.proves:
        return Verdict(Word.FAIL, f"{r.describe()}: {named.text}", named.fix, cause=named.cause)
    if r.status == 403:
        return fail(f"{r.describe()}: the token lacks Organization Copilot metrics: Read.{outdated}")
    if r.status == 404:
        return fail(
            f"{r.describe()}: the org's Copilot usage metrics policy is off, the org has no Copilot, or the "
            f"token lacks Organization Copilot metrics: Read (GitHub answers 404 for each).{outdated}"
        )
    return error(f"{r.describe()}: unexpected answer.")


def _only_advice(c: Context) -> str:
    """What to look for on the token's settings page: only the guide's permissions (and the optional ones)."""
    names = c.profile.permission_names()
    optional = c.profile.permission_names(optional=True)
    also = f" (and optionally {', '.join(optional)})" if optional else ""
    said = c.profile.permission_phrase() if c.profile.alternatives else spoken_list(names)
    return f"Check on the token's settings page that only {said}{also} are granted."

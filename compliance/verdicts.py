"""Verdicts: one small pure function per requirement id, from evidence to a verdict word and its reasons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from compliance.catalogue import Profile
from compliance.diagnosis import Diagnosis, lifetime_refusal, org_access_proof, rejected
from compliance.evidence import Evidence, Failure, NotSent, Reply
from compliance.expiry import HEADER, parse_expiration
from compliance.grants import GrantRecord
from compliance.probes import EXCESS_PROBES
from compliance.token import TokenKind

__all__ = ["CHECKS", "Context", "Settings", "Verdict", "Word"]

_APP_RECORD = "the org's grant record (GET /orgs/{org}/personal-access-tokens, readable with a GitHub App token)"


class Word(Enum):
    """The six verdict words of the contract."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    UNVERIFIED = "unverified"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Verdict:
    """A verdict word, what was observed, and (when not a pass) the specific advice."""

    word: Word
    evidence: str
    advice: str = ""
    source: str = "token"  # token | org-record | attestation


@dataclass(frozen=True)
class Settings:
    """The options that change verdicts."""

    allow_no_expiration: bool = False
    expiry_warning_days: int = 30
    expected_owner: str | None = None


@dataclass(frozen=True)
class Context:
    """Everything a check may read."""

    evidence: Evidence
    profile: Profile
    settings: Settings
    diagnoses: tuple[Diagnosis, ...]
    record: GrantRecord | None = None

    @property
    def org(self) -> str:
        """The organization under check."""
        return self.evidence.target.org

    def diag(self, code: str) -> Diagnosis | None:
        """The diagnosis with this code, if the evidence shows it."""
        return next((d for d in self.diagnoses if d.code == code), None)

    def reply(self, probe: str) -> Reply | None:
        """The probe's HTTP answer, if it got one."""
        result = self.evidence.get(probe)
        return result if isinstance(result, Reply) else None


def _pass(text: str) -> Verdict:
    return Verdict(Word.PASS, text)


def _fail(text: str, advice: str = "") -> Verdict:
    return Verdict(Word.FAIL, text, advice)


def _warn(text: str, advice: str = "") -> Verdict:
    return Verdict(Word.WARN, text, advice)


def _unverified(text: str, advice: str = "") -> Verdict:
    return Verdict(Word.UNVERIFIED, text, advice)


def _na(text: str) -> Verdict:
    return Verdict(Word.NOT_APPLICABLE, text)


def _error(text: str) -> Verdict:
    return Verdict(
        Word.ERROR, text, "Re-run the suite; if the error persists, check GitHub's status page and --api-url."
    )


_REJECTED = "GitHub rejected the token (401), so this cannot be observed."


def _answer(c: Context, probe: str) -> Reply | Verdict:
    """The probe's reply, or the verdict that its absence forces (error, or unverified after a 401)."""
    result = c.evidence.get(probe)
    if isinstance(result, Failure):
        return _error(result.describe())
    if isinstance(result, NotSent):
        return _error(result.describe()) if result.error else _unverified(result.describe())
    if result is None:
        return _unverified(f"the {probe} probe was not part of this run")
    if result.status == 401:
        return _unverified(_REJECTED)
    return result


def _blocked(c: Context) -> Verdict | None:
    """The unverified verdict forced when the org refuses the token wholesale, naming every cause."""
    for code in ("lifetime-policy", "no-org-access"):
        found = c.diag(code)
        if found:
            return _unverified(found.text, "Resolve the cause named here, then re-run the suite.")
    return None


def _first_failure(c: Context) -> Verdict | None:
    """`error` from the first probe that got no answer: org access could not be observed."""
    failed = next((r for r in c.evidence.results.values() if isinstance(r, Failure)), None)
    return _error(failed.describe()) if failed else None


def _suffix(c: Context, *codes: str) -> str:
    found = [d.text for code in codes if (d := c.diag(code))]
    return (" " + " ".join(found)) if found else ""


def _days(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 86400)


def check_fine_grained(c: Context) -> Verdict:
    """FINE-GRAINED: the prefix names the credential type; classic tokens also send X-OAuth-Scopes."""
    kind = c.evidence.token_kind
    if kind is None:
        return _unverified("The token's type was not recorded in this evidence.")
    if kind is not TokenKind.FINE_GRAINED:
        return _fail(f"The token is a {kind.value} token, not a fine-grained personal access token (github_pat_...).")
    user = c.reply("user")
    scopes = user.headers.get("x-oauth-scopes") if user else None
    if scopes:
        return _warn(
            f"The prefix is github_pat_, yet GET /user carried X-OAuth-Scopes: {scopes}, which GitHub sends for "
            "classic tokens only."
        )
    seen = "; GET /user carried no X-OAuth-Scopes header" if user and user.ok else ""
    return _pass(f"The token has the fine-grained prefix github_pat_{seen}.")


def check_active(c: Context) -> Verdict:
    """ACTIVE: GET /user answers 200 only for a token that authenticates."""
    result = c.evidence.get("user")
    if isinstance(result, Failure):
        return _error(result.describe())
    if not isinstance(result, Reply):
        return _unverified("GET /user was not sent.")
    if result.status == 401:
        return _fail(f"{result.describe()}: the token expired, was revoked, or was copied incompletely.")
    if not result.ok or not isinstance(result.body, dict):
        return _error(f"{result.describe()}: GitHub did not confirm the token's identity.")
    return _pass(f"{result.describe()}: authenticated as {result.body.get('login')}.")


def check_name(c: Context) -> Verdict:
    """NAME: a token never learns its own name; only the token page and the org's grant record show it."""
    return _unverified(
        "GitHub shows a token's name only on its settings page and in " + _APP_RECORD.format(org=c.org) + ".",
        f'Confirm on the token\'s settings page that it is named "{c.profile.token_name}".',
    )


def _expiry(c: Context) -> dt.datetime | Verdict | None:
    user = _answer(c, "user")
    if isinstance(user, Verdict):
        return user
    if not user.ok:
        return _error(f"{user.describe()}: no expiry header to read.")
    value = user.headers.get(HEADER)
    if value is None:
        return None
    try:
        return parse_expiration(value)
    except ValueError as exc:
        return _error(f"GET /user carried an unreadable GitHub-Authentication-Token-Expiration header: {exc}.")


def _header_bug(c: Context, expires: dt.datetime) -> bool:
    """GitHub has been seen to send the current time instead of the expiry (google/go-github#3708)."""
    return abs((expires - c.evidence.now).total_seconds()) < 120


def _stamp(expires: dt.datetime) -> str:
    return expires.strftime("%Y-%m-%d %H:%M UTC")


def check_expiration_set(c: Context) -> Verdict:
    """EXPIRATION-SET: the expiry header is present; its absence means the token never expires."""
    expires = _expiry(c)
    if isinstance(expires, Verdict):
        return expires
    if expires is None:
        if c.settings.allow_no_expiration:
            return _pass(
                "GET /user carried no expiry header, so the token never expires; --allow-no-expiration "
                "declares that the org policy allows this."
            )
        return _fail(
            "GET /user carried no GitHub-Authentication-Token-Expiration header: the token never expires, "
            "and the org policy was not declared to allow that (--allow-no-expiration)."
        )
    days = _days(expires - c.evidence.now)
    return _pass(
        f"The token expires {_stamp(expires)} ({days} days left), per the GitHub-Authentication-Token-"
        "Expiration header."
    )


def check_lifetime_max(c: Context) -> Verdict:
    """LIFETIME-MAX: proven too long by an expiry beyond the cap or the org's own refusal; otherwise unknowable."""
    cap = c.profile.max_lifetime_days
    refusal = lifetime_refusal(c.evidence)
    if refusal is not None:
        return _fail(f"{refusal.describe()}: the org refuses the token because its lifetime is too long.")
    expires = _expiry(c)
    if isinstance(expires, Verdict):
        return expires
    if expires is None:
        if c.settings.allow_no_expiration:
            return _na(
                "The token never expires and --allow-no-expiration declares that the org allows this, so the "
                f"{cap}-day cap does not apply."
            )
        return _fail(f"The token never expires, so its lifetime exceeds {cap} days.")
    left = expires - c.evidence.now
    if left > dt.timedelta(days=cap):
        return _fail(
            f"The token expires {_stamp(expires)}, {_days(left)} days from now, so its lifetime exceeds {cap} days."
        )
    record = _APP_RECORD.format(org=c.org)
    if _header_bug(c, expires):
        return _unverified(
            f"The expiry header equals the response time ({_stamp(expires)}), a known GitHub fault "
            f"(google/go-github#3708); the real expiry is in {record}."
        )
    return _unverified(
        f"The token expires {_stamp(expires)} ({_days(left)} days left, within {cap} days), but a lifetime counts "
        f"from creation, which only {record} shows (token_expires_at minus access_granted_at).",
        "Confirm the token was created with a 1-year expiration, or run with a GitHub App token to read the record.",
    )


def check_expiry_headroom(c: Context) -> Verdict:
    """EXPIRY-HEADROOM: days left against the warning window."""
    window = c.settings.expiry_warning_days
    expires = _expiry(c)
    if isinstance(expires, Verdict):
        return expires
    if expires is None:
        return _na("The token never expires.")
    if _header_bug(c, expires):
        return _unverified(
            f"The expiry header equals the response time ({_stamp(expires)}), a known GitHub fault "
            "(google/go-github#3708), so the days left are unknown."
        )
    left = _days(expires - c.evidence.now)
    if left < window:
        return _fail(f"The token expires {_stamp(expires)}: {left} days left, inside the {window}-day warning window.")
    return _pass(f"The token expires {_stamp(expires)}: {left} days left, beyond the {window}-day warning window.")


def check_resource_owner(c: Context) -> Verdict:
    """RESOURCE-OWNER: only a token owned by the org (and admitted by it) can read the org's private data."""
    if rejected(c.evidence):
        return _unverified(_REJECTED)
    proof = org_access_proof(c.evidence)
    if proof is not None:
        return _pass(
            f"{proof.describe()}: {c.org} lets the token read its private data, so {c.org} is its resource "
            "owner and admits fine-grained tokens."
        )
    blocked = _blocked(c)
    if blocked:
        return blocked
    broken = _first_failure(c)
    if broken:
        return broken
    return _unverified(f"No request for {c.org}'s private data succeeded, so its resource ownership is not shown.")


def check_repo_access(c: Context) -> Verdict:
    """REPO-ACCESS: a private repository must not be visible; silence proves something only if private ones exist."""
    repos = _answer(c, "private_repos")
    if isinstance(repos, Verdict):
        return repos
    if not repos.ok or not isinstance(repos.body, list):
        return _error(f"{repos.describe()}: the repository list could not be read.")
    visible = [r for r in repos.body if isinstance(r, dict) and r.get("private")]
    wanted = c.profile.repository_access
    record = _APP_RECORD.format(org=c.org)
    if visible:
        name = visible[0].get("full_name") or visible[0].get("name") or "?"
        if wanted == "all":
            return _unverified(
                f"{repos.describe()}: private repository {name} is visible, so access is not public-"
                f"only, but only {record} tells All repositories from selected ones "
                "(repository_selection).",
                "Check Repository access on the token's settings page.",
            )
        return _fail(
            f"{repos.describe()}: the token sees private repository {name}; the guide asks for public "
            "repositories only."
        )
    blocked = _blocked(c)
    if blocked:
        return blocked
    org = c.reply("org")
    body = org.body if org and isinstance(org.body, dict) else {}
    owned = body.get("owned_private_repos", body.get("total_private_repos"))
    if isinstance(owned, int) and owned > 0:
        if wanted == "all":
            return _fail(
                f"{c.org} owns {owned} private repositories and {repos.describe()} lists none of them: the "
                "token does not have All repositories."
            )
        return _pass(f"{c.org} owns {owned} private repositories and {repos.describe()} lists none of them.")
    return _unverified(
        f"{repos.describe()} lists no private repository, but {c.org}'s private repository count is not shown to "
        f"this token (or it has none), so the repository selection cannot be observed; {record} shows "
        "repository_selection.",
        "Check Repository access on the token's settings page.",
    )


def check_read_only(c: Context) -> Verdict:
    """READ-ONLY: classic scopes can be read; a fine-grained token's read/write split cannot be seen with GETs."""
    user = _answer(c, "user")
    if isinstance(user, Verdict):
        return user
    scopes = [s.strip() for s in user.headers.get("x-oauth-scopes", "").split(",") if s.strip()]
    if c.evidence.token_kind is not TokenKind.FINE_GRAINED and scopes:
        writable = [s for s in scopes if not s.startswith("read:")]
        if writable:
            return _fail(f"GET /user reports the classic scopes {', '.join(scopes)}; {', '.join(writable)} can write.")
        return _pass(f"GET /user reports only read scopes: {', '.join(scopes)}.")
    return _unverified(
        "GET requests cannot tell Read from Write, and no endpoint shows a fine-grained token its own permissions; "
        + _APP_RECORD.format(org=c.org)
        + " lists each permission's access level.",
        "Check on the token's settings page that every permission is Read.",
    )


def check_members_read(c: Context) -> Verdict:
    """MEMBERS-READ: GET /user/memberships/orgs/{org} needs Members: Read (the member list answers without it)."""
    r = _answer(c, "membership")
    if isinstance(r, Verdict):
        return r
    if r.ok and isinstance(r.body, dict):
        return _pass(
            f"{r.describe()} (role {r.body.get('role')}, state {r.body.get('state')}); this endpoint needs "
            "Members: Read."
        )
    if r.status == 403:
        cause = (
            _suffix(c, "lifetime-policy", "no-org-access")
            or " The token lacks the organization permission Members: Read."
        )
        return _fail(r.describe() + "." + cause)
    if r.status == 404:
        cause = _suffix(c, "lifetime-policy", "no-org-access") or (
            f" GitHub answers 404 when the token's owner is not a member of {c.org} or the token cannot reach "
            f"{c.org}'s members."
        )
        return _fail(r.describe() + "." + cause)
    return _error(f"{r.describe()}: unexpected answer.")


def check_copilot_business_read(c: Context) -> Verdict:
    """COPILOT-BUSINESS-READ: Copilot billing and seats both answer 200."""
    if c.evidence.target.is_server:
        return _na(
            "GitHub Enterprise Server has no Copilot REST endpoints (/orgs/{org}/copilot/billing is not in its "
            "API), so the Copilot Business permission cannot apply here."
        )
    billing, seats = _answer(c, "copilot_billing"), _answer(c, "copilot_seats")
    for answer in (billing, seats):
        if isinstance(answer, Verdict):
            return answer
    assert isinstance(billing, Reply)
    assert isinstance(seats, Reply)
    if billing.ok and seats.ok:
        total = seats.body.get("total_seats") if isinstance(seats.body, dict) else None
        seen = f"{billing.describe()}; {seats.describe()} ({total} seats)"
        admin = c.reply("excess:administration")
        if admin and admin.ok:
            return _warn(
                f"{seen}; but the token also holds Administration: Read, which opens the same endpoints, so "
                "these answers do not prove GitHub Copilot Business: Read."
            )
        return _pass(seen + ".")
    refused = [r for r in (billing, seats) if not r.ok]
    if any(not r.refused for r in refused):
        return _error("; ".join(r.describe() for r in refused) + ": unexpected answer.")
    cause = _suffix(
        c,
        "lifetime-policy",
        "no-org-access",
        "owner-not-org-owner",
        "no-copilot-or-hidden",
        "missing-copilot-permission",
    )
    return _fail("; ".join(r.describe() for r in refused) + "." + cause)


def check_least_privilege(c: Context) -> Verdict:
    """LEAST-PRIVILEGE: negative probes prove excess when they succeed; their refusal covers only what they probe."""
    excess, refused = [], []
    for probe in EXCESS_PROBES:
        result = c.evidence.get(probe.name)
        if isinstance(result, Reply) and result.ok:
            excess.append(f"{result.describe()}: the token holds {probe.permission} access")
        elif isinstance(result, Reply) and result.refused:
            refused.append(probe.permission)
    if excess:
        return _fail("; ".join(excess) + ". The guide asks only for Members: Read and GitHub Copilot Business: Read.")
    answers = [_answer(c, p.name) for p in EXCESS_PROBES]
    stopped = next((a for a in answers if isinstance(a, Verdict)), None)
    if stopped:
        return stopped
    blocked = _blocked(c)
    if blocked:
        return blocked
    if len(refused) < len(EXCESS_PROBES):
        odd = [a for a in answers if isinstance(a, Reply) and not a.refused]
        return _error("; ".join(a.describe() for a in odd) + ": unexpected answer.")
    return _unverified(
        f"The probed permissions {', '.join(refused)} were refused; the other organization and repository permissions "
        "cannot be probed with GET requests, and " + _APP_RECORD.format(org=c.org) + " lists them all.",
        "Check on the token's settings page that only Members and GitHub Copilot Business (and optionally "
        "Organization Copilot metrics) are granted.",
    )


def check_approved(c: Context) -> Verdict:
    """APPROVED: a pending token reads public resources only, so any private read proves approval."""
    if rejected(c.evidence):
        return _unverified(_REJECTED)
    proof = org_access_proof(c.evidence)
    if proof is not None:
        return _pass(
            f"{proof.describe()}: a pending token reads public resources only, so this token is approved "
            "(or needs no approval because its owner is an org owner)."
        )
    blocked = _blocked(c)
    if blocked:
        return blocked
    broken = _first_failure(c)
    if broken:
        return broken
    return _unverified(
        f"No request for {c.org}'s private data succeeded, so approval is not shown; "
        + _APP_RECORD.format(org=c.org)
        + " and its pending requests show it."
    )


def check_service_account(c: Context) -> Verdict:
    """SERVICE-ACCOUNT: the owner's login against the declared service account."""
    user = _answer(c, "user")
    if isinstance(user, Verdict):
        return user
    body = user.body if isinstance(user.body, dict) else {}
    login, kind = body.get("login"), body.get("type")
    if not isinstance(login, str):
        return _error(f"{user.describe()}: the answer carries no login.")
    expected = c.settings.expected_owner
    if expected is None:
        return _unverified(
            f"The token belongs to {login} (account type {kind}); GitHub does not mark service accounts, so this "
            "cannot be told from the token.",
            "Name the org's bot account with --expected-owner LOGIN.",
        )
    if login.lower() == expected.lower():
        return _pass(f"{user.describe()}: the token belongs to {login}, the expected service account.")
    return _fail(f"The token belongs to {login}, not to the expected service account {expected}.")


def check_owner_membership(c: Context) -> Verdict:
    """OWNER-MEMBERSHIP: the owner's org role and state; Copilot billing is owner-only, which also proves the role."""
    r = _answer(c, "membership")
    if isinstance(r, Verdict):
        return r
    if r.ok and isinstance(r.body, dict):
        role, state = r.body.get("role"), r.body.get("state")
        login = (r.body.get("user") or {}).get("login", "The token's owner")
        if state != "active":
            return _fail(f"{r.describe()}: {login}'s membership of {c.org} is {state}, not active.")
        if role == "admin" or c.evidence.target.is_server:
            return _pass(f"{r.describe()}: {login} is an active org member with role {role}.")
        return _fail(
            f"{r.describe()}: {login} is an active org {role}, but GitHub shows Copilot billing and seats to "
            "org owners only."
        )
    billing = c.reply("copilot_billing")
    if billing is not None and billing.ok:
        return _pass(
            f"{billing.describe()} and GitHub shows Copilot billing to org owners only, so the token's owner "
            f"is an owner of {c.org}."
        )
    blocked = _blocked(c)
    if blocked:
        return blocked
    return _unverified(f"{r.describe()}: the owner's role needs Members: Read to be read.")


def check_copilot_metrics(c: Context) -> Verdict:
    """COPILOT-METRICS: the 28-day report needs Organization Copilot metrics: Read and the metrics policy."""
    if c.evidence.target.is_server:
        return _na("GitHub Enterprise Server has no Copilot usage metrics endpoints.")
    r = _answer(c, "copilot_metrics")
    if isinstance(r, Verdict):
        return r
    if r.ok:
        body = r.body if isinstance(r.body, dict) else {}
        return _pass(f"{r.describe()}: report {body.get('report_start_day')} to {body.get('report_end_day')}.")
    outdated = (
        " The guide says GitHub Copilot Business: Read covers metrics, but GitHub retired that API on "
        "2026-04-02; the reports now need Organization Copilot metrics: Read."
    )
    if c.diag("no-org-access") or c.diag("lifetime-policy"):
        return _fail(r.describe() + "." + _suffix(c, "lifetime-policy", "no-org-access"))
    if r.status == 403 and "disabled" not in r.message.lower():
        return _fail(f"{r.describe()}: the token lacks Organization Copilot metrics: Read.{outdated}")
    if r.status in (403, 422) or "disabled" in r.message.lower():
        return _fail(f"{r.describe()}: the org's Copilot usage metrics policy is disabled.")
    if r.status == 404:
        return _fail(
            f"{r.describe()}: the org's Copilot usage metrics policy is off, the org has no Copilot, or the "
            f"token lacks Organization Copilot metrics: Read (GitHub answers 404 for each).{outdated}"
        )
    return _error(f"{r.describe()}: unexpected answer.")


def check_token_storage(c: Context) -> Verdict:
    """TOKEN-STORAGE: a token file must be private to its owner."""
    source = c.evidence.token_source
    if source is None or source.file is None:
        where = f"the environment variable {source.env_var}" if source and source.env_var else "no file"
        return _na(f"The token came from {where}, not a file.")
    mode = source.file_mode or 0
    if mode & 0o077:
        return _fail(
            f"{source.file} has mode {mode:04o}: group or others can read the token.", f"Run chmod 600 {source.file}."
        )
    if source.file_owned_by_user is False:
        return _fail(f"{source.file} has mode {mode:04o} but belongs to another user.")
    return _pass(f"{source.file} has mode {mode:04o} and belongs to the user running the suite.")


CHECKS: dict[str, Callable[[Context], Verdict]] = {
    "FINE-GRAINED": check_fine_grained,
    "ACTIVE": check_active,
    "NAME": check_name,
    "EXPIRATION-SET": check_expiration_set,
    "LIFETIME-MAX": check_lifetime_max,
    "EXPIRY-HEADROOM": check_expiry_headroom,
    "RESOURCE-OWNER": check_resource_owner,
    "REPO-ACCESS": check_repo_access,
    "READ-ONLY": check_read_only,
    "MEMBERS-READ": check_members_read,
    "COPILOT-BUSINESS-READ": check_copilot_business_read,
    "LEAST-PRIVILEGE": check_least_privilege,
    "APPROVED": check_approved,
    "SERVICE-ACCOUNT": check_service_account,
    "OWNER-MEMBERSHIP": check_owner_membership,
    "COPILOT-METRICS": check_copilot_metrics,
    "TOKEN-STORAGE": check_token_storage,
}

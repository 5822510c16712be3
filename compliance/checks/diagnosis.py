"""Refusal patterns across probes: the one cause that explains the refusals, and what several together mean."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from compliance.checks.refusals import Refusal, RefusalKind, fill, kind_of
from compliance.evidence import Evidence, Reply
from compliance.model import Word
from compliance.probes import ORG_PRIVATE

__all__ = ["Diagnosis", "Headline", "copilot_patterns", "headline", "org_access_proof", "pattern_headline"]

# Generic refusals: GitHub says no without naming a cause.
_GENERIC = ("permission-missing", None)


@dataclass(frozen=True)
class Diagnosis:
    """A named pattern and the sentence that explains it."""

    code: str
    text: str


@dataclass(frozen=True)
class Headline:
    """The one cause that explains the run's refusals, its one fix, and what it proves; said once, at the top."""

    cause: str
    scope: str
    text: str
    fix: str
    blocks_token: bool  # false: the token may be fine, the cause only hides it from here
    source: str
    proves: Mapping[str, Word] = field(default_factory=dict)
    assumption: bool = False

    @classmethod
    def of(cls, kind: RefusalKind, text: str, fix: str, scope: str = "") -> Headline:
        """The headline a known refusal makes, with its sentence and fix filled in."""
        return cls(
            kind.cause, scope or kind.scope, text, fix, kind.blocks_token, kind.source, kind.proves, kind.assumption
        )


def _reply(e: Evidence, name: str) -> Reply | None:
    result = e.get(name)
    return result if isinstance(result, Reply) else None


def org_access_proof(e: Evidence) -> Reply | None:
    """The first answer that proves the org lets this token read its private data."""
    for name in ORG_PRIVATE:
        reply = _reply(e, name)
        if reply is not None and reply.ok:
            return reply
    repos = _reply(e, "private_repos")
    if repos is not None and repos.ok and isinstance(repos.body, list):
        private = [r for r in repos.body if isinstance(r, dict) and r.get("private") is True]
        return repos if private else None  # a public repository proves nothing about the org's private data
    return None


def _cause(refusals: Mapping[str, Refusal], probe: str) -> str | None:
    found = refusals.get(probe)
    return found.cause if found else None


def headline(e: Evidence, refusals: Mapping[str, Refusal], proof: Reply | None) -> Headline | None:
    """The cause that explains every refusal: an org-wide refusal GitHub named, or the no-org-access pattern."""
    named = next((r for r in refusals.values() if r.kind.org_wide), None)
    if named is not None:
        return Headline.of(named.kind, named.text, named.fix, named.scope)
    sent = [(n, e.get(n)) for n in ORG_PRIVATE if e.get(n) is not None]
    generic = [n for n, r in sent if isinstance(r, Reply) and r.refused and _cause(refusals, n) in _GENERIC]
    if not sent or len(generic) != len(sent) or proof is not None:
        return None
    org = e.target.org
    public = _reply(e, "org")
    seen = f", while GET /orgs/{org} (public data) answered {public.status}" if public is not None and public.ok else ""
    return pattern_headline("no-org-access", org=org, seen=seen)


def pattern_headline(cause: str, **values: str) -> Headline:
    """The headline of a cause read from a pattern of answers (or settled by the org's record), names filled in."""
    kind = kind_of(cause)
    return Headline.of(kind, fill(kind.text, **values), fill(kind.fix, **values))


def copilot_patterns(e: Evidence, refusals: Mapping[str, Refusal]) -> list[Diagnosis]:
    """What a refused Copilot billing request means, given the owner's role and GitHub's message."""
    billing, membership = _reply(e, "copilot_billing"), _reply(e, "membership")
    if billing is None or billing.ok:
        return []
    named = refusals.get("copilot_billing")
    if named is not None and named.cause not in _GENERIC:
        return [Diagnosis(named.cause, f"{billing.describe()}: {named.text}")]
    role = membership.body.get("role") if membership and membership.ok and isinstance(membership.body, dict) else None
    if role is not None and role != "admin" and billing.refused:
        login = (membership.body.get("user") or {}).get("login", "the token's owner") if membership else ""
        return [
            Diagnosis(
                "owner-not-org-owner",
                f"The token's owner {login} is an org {role}, not an owner, and GitHub shows Copilot billing and seats "
                "to org owners only; that alone explains the refusal, and whether the token also lacks GitHub Copilot "
                "Business: Read cannot be seen until the owner's role changes.",
            )
        ]
    if billing.status == 404:
        return [
            Diagnosis(
                "no-copilot-or-hidden",
                f"{billing.describe()}: either the org has no Copilot Business or Enterprise subscription, or the "
                "token lacks GitHub Copilot Business: Read (GitHub answers 404 for both).",
            )
        ]
    if billing.status == 403:
        return [
            Diagnosis(
                "missing-copilot-permission",
                f"{billing.describe()}: the token lacks the organization permission GitHub Copilot Business: Read.",
            )
        ]
    return []

"""Refusal patterns across probes: what several refusals together mean, naming every cause GitHub cannot tell apart."""

from __future__ import annotations

from dataclasses import dataclass

from compliance.evidence import Evidence, Reply
from compliance.probes import ORG_PRIVATE

__all__ = ["Diagnosis", "diagnose", "lifetime_refusal", "org_access_proof"]


@dataclass(frozen=True)
class Diagnosis:
    """A named pattern and the sentence that explains it."""

    code: str
    text: str


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
    if repos is not None and repos.ok and isinstance(repos.body, list) and repos.body:
        return repos
    return None


def lifetime_refusal(e: Evidence) -> Reply | None:
    """A refusal whose message says the org's maximum-lifetime policy blocks the token."""
    for reply in e.results.values():
        if isinstance(reply, Reply) and reply.status == 403 and "lifetime" in reply.message.lower():
            return reply
    return None


def _no_org_access(e: Evidence, proof: Reply | None, refusal: Reply | None) -> bool:
    sent = [e.get(n) for n in ORG_PRIVATE if e.get(n) is not None]
    return bool(sent) and all(isinstance(r, Reply) and r.refused for r in sent) and proof is None and refusal is None


def diagnose(e: Evidence, proof: Reply | None, refusal: Reply | None) -> list[Diagnosis]:
    """Every pattern that the evidence shows, most fundamental first (given its org-access proof and refusal)."""
    org = e.target.org
    found: list[Diagnosis] = []
    if any(isinstance(r, Reply) and r.status == 401 for r in e.results.values()):
        found.append(
            Diagnosis(
                "token-rejected",
                "GitHub answered 401 (Bad credentials): the token expired, was revoked, or was copied incompletely.",
            )
        )
        return found
    if refusal is not None:
        found.append(
            Diagnosis(
                "lifetime-policy",
                f"{refusal.describe()}: the org's maximum-lifetime policy blocks "
                "this token until it is regenerated with a shorter expiration.",
            )
        )
    no_access = _no_org_access(e, proof, refusal)
    if no_access:
        found.append(
            Diagnosis(
                "no-org-access",
                f"Every request for {org}'s private data was refused while its public data was readable. GitHub "
                f"answers this way when the token's resource owner is not {org}, when the token is still pending "
                f"approval by an org owner, and when {org} does not allow fine-grained tokens; the token alone cannot "
                "tell which. An org owner sees which under Organization settings > Personal access tokens (active "
                "tokens and pending requests).",
            )
        )
    if not no_access and refusal is None:
        found.extend(_copilot_patterns(e))
    return found


def _copilot_patterns(e: Evidence) -> list[Diagnosis]:
    billing, membership = _reply(e, "copilot_billing"), _reply(e, "membership")
    if billing is None or billing.ok:
        return []
    role = membership.body.get("role") if membership and membership.ok and isinstance(membership.body, dict) else None
    if role is not None and role != "admin":
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

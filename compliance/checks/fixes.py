"""Fixes: the one fix text per verdict, and the pre-filled GitHub 'new token' link for a profile and org."""

from __future__ import annotations

from urllib.parse import urlencode

from compliance.catalogue import Requirement
from compliance.checks.registry import TokenLink
from compliance.model import Target, Verdict, Word
from compliance.profiles import REPOSITORY_ACCESS, Profile

__all__ = ["fix_text", "link_caveat", "token_link", "token_template_url"]


def token_template_url(web_url: str | None, profile: Profile, org: str, *, with_optional: bool = False) -> str | None:
    """A 'new fine-grained token' link with the guide's name, description, owner, expiry and permissions."""
    if web_url is None or not org:
        return None
    params = {
        "name": profile.token_name,
        "description": profile.token_description,
        "target_name": org,
        "expires_in": str(profile.expires_in_days),
    }
    params.update(profile.organization_permissions)
    if profile.alternatives:  # one of the sets is required: the link asks for the first, the profile's narrowest
        params.update(profile.alternatives[0])
    if with_optional:
        params.update(profile.optional_organization_permissions)
    params.update(profile.repository_permissions)
    return f"{web_url}/settings/personal-access-tokens/new?{urlencode(params)}"


def link_caveat(profile: Profile) -> str:
    """What the pre-filled link is not: evidence, or a way to choose repository access."""
    access = REPOSITORY_ACCESS[profile.repository_access][0]
    return (
        "The pre-filled token link is a convenience, not evidence: GitHub may ignore or change a field, and it cannot "
        f"pre-select Repository access (choose {access} by hand), so check every field on GitHub's form; this suite "
        "then checks the token itself."
    )


def token_link(kind: TokenLink, target: Target, profile: Profile) -> str | None:
    """The pre-filled token link a requirement's fix carries, if any."""
    if kind is TokenLink.NONE:
        return None
    return token_template_url(
        target.web_url, profile, target.org, with_optional=kind is TokenLink.NEW_TOKEN_WITH_OPTIONAL
    )


def fix_text(req: Requirement, verdict: Verdict, headline: str = "") -> str:
    """The one fix: a pointer to the headline cause, a named cause's own fix, or advice plus the catalogue's fix."""
    if verdict.word in (Word.PASS, Word.NOT_APPLICABLE):
        return ""
    if verdict.cause and verdict.cause == headline:
        return f"Fix the cause named at the top first ({headline}); this requirement is then checked again."
    if verdict.cause:
        return verdict.advice
    parts = [verdict.advice] if verdict.advice else []
    if verdict.word in (Word.FAIL, Word.WARN):
        parts.append(req.remediation)
    return " ".join(parts)

"""Org access checks: resource owner, approval, repository access and the owner's membership."""

from __future__ import annotations

from compliance.checks.context import (
    REJECTED,
    Context,
    answer,
    blocked,
    error,
    fail,
    first_failure,
    not_applicable,
    passed,
    unverified,
)
from compliance.model import TokenKind, Verdict, Word

__all__ = ["check_approved", "check_repo_access", "check_resource_owner"]


def _not_fine_grained(c: Context) -> Verdict | None:
    """Resource owner and approval are fine-grained token concepts: for any other kind they do not apply."""
    kind = c.evidence.token_kind
    if kind is None or kind is TokenKind.FINE_GRAINED:
        return None
    return not_applicable(
        f"A {kind.value} token has no resource owner and needs no approval: both are fine-grained token concepts "
        "(FINE-GRAINED fails for this token)."
    )


def _named_fail(c: Context, rid: str) -> Verdict | None:
    """`fail` when the headline cause is a refusal whose message itself proves this requirement does not hold."""
    found = c.facts.headline
    if found is None or found.proves.get(rid) is not Word.FAIL:
        return None
    return Verdict(Word.FAIL, found.text, cause=found.cause)


def _org_admission(c: Context, rid: str, proven: str, not_shown: str) -> Verdict:
    """RESOURCE-OWNER and APPROVED alike: a private read proves both; a named refusal, a cause or silence does not."""
    other = _not_fine_grained(c)
    if other:
        return other
    if c.facts.rejected:
        return unverified(REJECTED)
    proof = c.facts.org_access
    if proof is not None:
        return passed(f"{proof.describe()}: {proven}")
    return _named_fail(c, rid) or blocked(c) or first_failure(c) or unverified(not_shown)


def check_resource_owner(c: Context) -> Verdict:
    """RESOURCE-OWNER: only a token owned by the org (and admitted by it) can read the org's private data."""
    return _org_admission(
        c,
        "RESOURCE-OWNER",
        f"{c.org} lets the token read its private data, so {c.org} is its resource owner and admits fine-grained "
        "tokens.",
        f"No request for {c.org}'s private data succeeded, so its resource ownership is not shown.",
    )


def check_approved(c: Context) -> Verdict:
    """APPROVED: a pending token reads public resources only, so any private read proves approval."""
    return _org_admission(
        c,
        "APPROVED",
        "a pending token reads public resources only, so this token is approved (or needs no approval because its "
        "owner is an org owner).",
        f"No request for {c.org}'s private data succeeded, so approval is not shown; {c.app_record} and its pending "
        "requests show it.",
    )


def check_repo_access(c: Context) -> Verdict:
    """REPO-ACCESS: a private repository must not be visible; silence proves something only if private ones exist."""
    repos = answer(c, "private_repos")
    if isinstance(repos, Verdict):
        return repos
    if repos.refused and c.facts.headline is not None:
        return Verdict(Word.UNVERIFIED, f"{repos.describe()}. {c.facts.headline.text}", cause=c.facts.headline.cause)
    if not repos.ok or not isinstance(repos.body, list):
        return error(f"{repos.describe()}: the repository list could not be read.")
    visible = [r for r in repos.body if isinstance(r, dict) and _not_public(r)]
    wanted = c.profile.repository_access
    if visible:
        name = visible[0].get("full_name") or visible[0].get("name") or "?"
        kind = "internal" if visible[0].get("visibility") == "internal" else "private"
        if wanted in ("all", "selected"):
            return unverified(
                f"{repos.describe()}: {kind} repository {name} is visible, so access is not public-"
                f"only, but only {c.app_record} tells All repositories from selected ones "
                "(repository_selection).",
                "Check Repository access on the token's settings page.",
            )
        return fail(
            f"{repos.describe()}: the token sees {kind} repository {name}; the guide asks for public repositories only."
        )
    refused_wholesale = blocked(c)
    if refused_wholesale:
        return refused_wholesale
    if repos.next_page:
        return unverified(
            f"{repos.describe()} lists {len(repos.body)} repositories, all public, and has more pages, so the listing "
            f"does not show whether a private or internal repository is visible; {c.app_record} shows "
            "repository_selection.",
            "Check Repository access on the token's settings page.",
        )
    org = c.reply("org")
    body = org.body if org and isinstance(org.body, dict) else {}
    owned = body.get("owned_private_repos", body.get("total_private_repos"))
    if isinstance(owned, int) and owned > 0:
        if wanted == "all":
            return fail(
                f"{c.org} owns {owned} private repositories and {repos.describe()} lists none of them: the "
                "token does not have All repositories."
            )
        if wanted == "selected":
            return unverified(
                f"{c.org} owns {owned} private repositories and {repos.describe()} lists none of them: the token "
                f"selected none of them (or has public access only); {c.app_record} shows repository_selection.",
                "Check Repository access on the token's settings page.",
            )
        return passed(
            f"{c.org} owns {owned} private repositories and {repos.describe()}, every repository the token can see, "
            "lists none of them and no internal one."
        )
    return unverified(
        f"{repos.describe()} lists no private repository, but {c.org}'s private repository count is not shown to "
        f"this token (or it has none), so the repository selection cannot be observed; {c.app_record} shows "
        "repository_selection.",
        "Check Repository access on the token's settings page.",
    )


def _not_public(repo: dict[str, object]) -> bool:
    """A private or internal repository (GitHub marks internal ones private too, with visibility internal)."""
    return repo.get("private") is True or repo.get("visibility") in ("private", "internal")

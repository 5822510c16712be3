"""Fixes: the pre-filled GitHub token template link for a profile and org."""

from __future__ import annotations

from urllib.parse import urlencode

from compliance.catalogue import Profile

__all__ = ["token_template_url"]


def token_template_url(web_url: str | None, profile: Profile, org: str, *, with_metrics: bool = False) -> str | None:
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
    if with_metrics:
        params.update(profile.optional_organization_permissions)
    params.update(profile.repository_permissions)
    return f"{web_url}/settings/personal-access-tokens/new?{urlencode(params)}"

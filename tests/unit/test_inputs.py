"""Option validation: API URLs and the kind of target they name, the environment, and the mode."""

from __future__ import annotations

import pytest

from compliance.checks.fixes import token_template_url
from compliance.checks.registry import REGISTRY
from compliance.inputs import parse_api_url, resolve
from compliance.model import Target
from compliance.model import UsageError as InputError
from compliance.profiles import load_profile
from tests.support import CANARY


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.github.com/", "https://api.github.com"),
        ("https://api.octocorp.ghe.com", "https://api.octocorp.ghe.com"),
        ("https://ghe.example.com/api/v3/", "https://ghe.example.com/api/v3"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://[::1]:8080/api/v3", "http://[::1]:8080/api/v3"),
    ],
)
def test_api_urls_accepted(url: str, expected: str) -> None:
    """GitHub.com, GHE.com, GHES and loopback URLs are accepted and normalised."""
    assert parse_api_url(url) == expected


def test_target_kinds_and_token_links() -> None:
    """GHE.com links point at the tenant; GHES has no template links; github.com uses github.com."""
    profile = load_profile("milestone-copilot", REGISTRY.keys())
    assert Target("acme", "https://api.octocorp.ghe.com").web_url == "https://octocorp.ghe.com"
    server = Target("acme", "https://ghe.example.com/api/v3")
    assert server.is_server
    assert server.web_url is None
    assert token_template_url(server.web_url, profile, "acme") is None
    link = token_template_url(Target("acme", "https://api.github.com").web_url, profile, "acme")
    assert link is not None
    assert link.startswith("https://github.com/settings/personal-access-tokens/new?")
    assert "target_name=acme" in link
    assert "expires_in=365" in link


def test_api_url_from_environment() -> None:
    """GITHUB_API_URL is the default API base, with its trailing slash removed."""
    opts = resolve({"org": "acme"}, {"GITHUB_TOKEN": CANARY, "GITHUB_API_URL": "https://api.github.com/"})
    assert opts.target.api_url == "https://api.github.com"


def test_mode_auto() -> None:
    """Auto means live with --org and a token, replay with neither, and a usage error with --org alone."""
    assert resolve({"org": "acme"}, {"GITHUB_TOKEN": CANARY}).mode.value == "live"
    assert resolve({}, {}).mode.value == "replay"
    with pytest.raises(InputError, match="needs a token"):
        resolve({"org": "acme"}, {})

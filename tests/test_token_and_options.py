"""The masked token type and option validation."""

from __future__ import annotations

import pickle

import pytest

from compliance.checks.facts import parse_expiration
from compliance.checks.fixes import token_template_url
from compliance.checks.registry import REGISTRY
from compliance.inputs import parse_api_url, resolve
from compliance.model import Target, TokenKind
from compliance.model import UsageError as InputError
from compliance.profiles import load_profile
from compliance.token import Token, parse_token
from tests.conftest import CANARY, leak_forms


def test_token_never_prints() -> None:
    """repr, str, format and f-strings show a fingerprint, never the value; pickling is refused."""
    token = Token(CANARY)
    shown = " ".join([repr(token), str(token), f"{token}", f"{token!r}", format(token, ""), str([token])])
    for form in leak_forms(CANARY):
        assert form not in shown
    assert token.fingerprint in shown
    with pytest.raises(TypeError):
        pickle.dumps(token)
    assert token.reveal() == CANARY
    assert token.kind is TokenKind.FINE_GRAINED


@pytest.mark.parametrize(("value", "stripped"), [(CANARY, False), (f"{CANARY}\n", True), (f"  {CANARY}\t", True)])
def test_token_whitespace(value: str, stripped: bool) -> None:
    """Surrounding whitespace is stripped and reported."""
    token, was_stripped = parse_token(value, "X")
    assert token.reveal() == CANARY
    assert was_stripped is stripped


def test_bad_token_message_never_echoes_value() -> None:
    """The error for a malformed token does not contain it."""
    with pytest.raises(ValueError, match="does not hold a GitHub token") as err:
        parse_token("github_pat_short value!", "X")
    assert "short value" not in str(err.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-11-20 00:00:00 UTC", "2027-11-20T00:00:00+00:00"),
        ("2023-04-26 20:23:26 +0200", "2023-04-26T18:23:26+00:00"),
        ("2025-09-05 17:55:53 +0500", "2025-09-05T12:55:53+00:00"),
    ],
)
def test_expiry_header_formats(value: str, expected: str) -> None:
    """Both observed header formats parse to UTC."""
    assert parse_expiration(value).isoformat() == expected


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

"""A small authenticated HTTP client for publishing, with plain-sentence errors and no credential in any output."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from compliance import __version__

__all__ = [
    "PublishError",
    "Publisher",
    "checked_url",
    "github_api_url",
    "guard_token_under_test",
    "repository_publisher",
]

_TOKEN_FILE_LIMIT = 4096


class PublishError(RuntimeError):
    """A publishing step failed; the message is one plain sentence."""


class _Secret(httpx.Auth):
    def __init__(self, header: str) -> None:
        self._header = header

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = self._header
        yield request


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_url(raw: str, what: str) -> str:
    """A base URL credentials may go to: https, or http to a real loopback host; parsed, never prefix-matched."""
    text = raw.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        raise PublishError(f"{what} {raw!r} is not a valid URL.") from None
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise PublishError(f"{what} must not contain a user name or password; credentials come from the environment.")
    if not host or parts.scheme not in ("https", "http"):
        raise PublishError(f"{what} {raw!r} is not an https:// URL with a host.")
    if parts.scheme == "http" and not _loopback(host):
        raise PublishError(f"{what} {raw!r} would send credentials unencrypted; use https://.")
    if parts.query or parts.fragment:
        raise PublishError(f"{what} {raw!r} has a query or fragment; give only the base URL.")
    return text.rstrip("/")


def github_api_url() -> str:
    """GITHUB_API_URL (Actions sets it), checked like any URL that receives a credential."""
    return checked_url(os.environ.get("GITHUB_API_URL") or "https://api.github.com", "GITHUB_API_URL")


def _tokens_under_test() -> list[str]:
    """Every value the suite may have checked: COMPLIANCE_TOKEN_ENV's variable (default GITHUB_TOKEN), its file."""
    found = [os.environ.get(os.environ.get("COMPLIANCE_TOKEN_ENV") or "GITHUB_TOKEN", "")]
    token_file = os.environ.get("COMPLIANCE_TOKEN_FILE")
    if token_file:
        try:
            with Path(token_file).open("rb") as fh:
                found.append(fh.read(_TOKEN_FILE_LIMIT).decode("utf-8", "replace"))
        except OSError:
            raise PublishError(f"COMPLIANCE_TOKEN_FILE {token_file} cannot be read; fix the path.") from None
    return [t.strip() for t in found if t.strip()]


def guard_token_under_test(*credentials: str) -> None:
    """Refuse to publish with the token that the suite checks, whatever its kind and surrounding whitespace."""
    under_test = _tokens_under_test()
    for credential in credentials:
        if credential and credential.strip() in under_test:
            raise PublishError(
                "Refusing to publish with the token under test; give the publishing step its own "
                "credential (e.g. the workflow's GITHUB_TOKEN as GH_TOKEN)."
            )


class Publisher:
    """Sends requests to one service; `messages` maps status codes to the sentence to raise."""

    def __init__(self, base_url: str, authorization: str, messages: dict[int, str], accept: str) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            auth=_Secret(authorization),
            headers={"Accept": accept, "User-Agent": f"copilot-token-compliance/{__version__}"},
            timeout=httpx.Timeout(30.0, connect=5.0),
            follow_redirects=False,
            trust_env=not _loopback(urlsplit(base_url).hostname or ""),  # never hand a loopback credential to a proxy
        )
        self._messages = messages

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def send(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request; a non-2xx answer becomes a PublishError with a plain sentence."""
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise PublishError(f"Could not reach {self._client.base_url} ({type(exc).__name__}).") from None
        if response.is_success:
            if not response.content or "json" not in response.headers.get("content-type", ""):
                return None
            try:
                return response.json()
            except ValueError:
                raise PublishError(
                    f"{method} {path} answered {response.status_code} with a body that is not JSON."
                ) from None
        fallback = f"{method} {path} answered {response.status_code}."
        raise PublishError(self._messages.get(response.status_code, fallback))


def repository_publisher(repo: str, messages: dict[int, str] | None = None) -> Publisher:
    """GitHub's API with the workflow's GH_TOKEN for one repository: the token set and not the one under test."""
    token = os.environ.get("GH_TOKEN", "")
    if not token:
        raise PublishError("GH_TOKEN is not set; pass the workflow's GITHUB_TOKEN (issues: write) as GH_TOKEN.")
    if "/" not in repo:
        raise PublishError("--repo must be OWNER/REPO (GITHUB_REPOSITORY in Actions).")
    guard_token_under_test(token)
    said = {
        401: "GitHub rejected GH_TOKEN (401).",
        403: "GH_TOKEN may not write issues here (403); the job needs permissions: issues: write.",
        404: f"Repository {repo} not found (404).",
        **(messages or {}),
    }
    return Publisher(github_api_url(), f"Bearer {token}", said, "application/vnd.github+json")

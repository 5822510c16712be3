"""A small authenticated HTTP client for publishing, with plain-sentence errors and no credential in any output."""

from __future__ import annotations

import os
from typing import Any

import httpx

from compliance import __version__

__all__ = ["PublishError", "Publisher", "guard_token_under_test"]


class PublishError(RuntimeError):
    """A publishing step failed; the message is one plain sentence."""


class _Secret(httpx.Auth):
    def __init__(self, header: str) -> None:
        self._header = header

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = self._header
        yield request


def guard_token_under_test(credential: str) -> None:
    """Refuse to publish with the token that the suite checks."""
    under_test = os.environ.get(os.environ.get("COMPLIANCE_TOKEN_ENV", "GITHUB_TOKEN"), "")
    if credential and credential.strip() == under_test.strip() and under_test.startswith("github_pat_"):
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
            return response.json() if response.content and "json" in response.headers.get("content-type", "") else None
        fallback = f"{method} {path} answered {response.status_code}."
        raise PublishError(self._messages.get(response.status_code, fallback))

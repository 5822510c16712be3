"""What GitHub answered: one result per probe, plus the facts about the token known locally."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compliance.model import Target, TokenKind, TokenSource

__all__ = [
    "KEPT_HEADERS",
    "Evidence",
    "Failure",
    "NotSent",
    "Reply",
    "RequestRecord",
    "Result",
    "login_of",
    "next_link",
]

# Response headers that verdicts or the evidence appendix use; nothing else is kept.
KEPT_HEADERS = (
    "github-authentication-token-expiration",
    "x-accepted-github-permissions",
    "x-oauth-scopes",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-resource",
    "retry-after",
    "date",
    "x-github-enterprise-version",
    "content-type",
    "link",
)


def next_link(header: str) -> str | None:
    """The rel="next" URL of a Link header."""
    for part in header.split(","):
        url, _, rest = part.partition(";")
        if 'rel="next"' in rest.replace(" ", ""):
            return url.strip().strip("<>")
    return None


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, the kept headers (lower-case names) and the JSON body if it parsed."""

    path: str
    status: int
    headers: Mapping[str, str]
    body: Any = None

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return 200 <= self.status < 300

    @property
    def refused(self) -> bool:
        """True when GitHub denied access (403 or 404)."""
        return self.status in (403, 404)

    @property
    def message(self) -> str:
        """GitHub's error message, if the body carried one."""
        if isinstance(self.body, dict) and isinstance(self.body.get("message"), str):
            return str(self.body["message"])
        return ""

    @property
    def next_page(self) -> str | None:
        """The rel="next" URL of the answer's Link header: GitHub has more of this list."""
        return next_link(self.headers.get("link", ""))

    def describe(self) -> str:
        """One line: request, status, and GitHub's message or the permission it asked for."""
        text = f"GET {self.path} -> {self.status}"
        if self.message:
            text += f" ({self.message.strip()[:160]})"
        needs = self.headers.get("x-accepted-github-permissions")
        if needs and not self.ok:
            text += f"; X-Accepted-GitHub-Permissions: {needs}"
        return text


@dataclass(frozen=True)
class Failure:
    """A probe that could not get a usable answer (network, 5xx after retries, rate limit, bad data)."""

    path: str
    reason: str

    def describe(self) -> str:
        """One line naming the request and why it failed."""
        return f"GET {self.path} failed: {self.reason}"


@dataclass(frozen=True)
class NotSent:
    """A probe deliberately not sent, and why; `error` when a failure (not a verdict-worthy answer) stopped it."""

    path: str
    reason: str
    error: bool = False

    def describe(self) -> str:
        """One line naming the request and why it was not sent."""
        return f"GET {self.path} not sent: {self.reason}"


Result = Reply | Failure | NotSent


def login_of(result: Result | None) -> str | None:
    """The login in a successful GET /user answer."""
    if isinstance(result, Reply) and result.ok and isinstance(result.body, dict):
        login = result.body.get("login")
        return login if isinstance(login, str) else None
    return None


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP request of the run, for the JSON `requests` list: never a header value."""

    method: str
    path: str
    status: int | None


@dataclass(frozen=True)
class Evidence:
    """Everything the verdicts may look at, fetched once."""

    target: Target
    token_kind: TokenKind | None
    token_source: TokenSource | None
    now: dt.datetime
    results: Mapping[str, Result]
    requests: tuple[RequestRecord, ...] = field(default=())

    def get(self, probe: str) -> Result | None:
        """The result of a probe, or None when the probe does not apply to this target."""
        return self.results.get(probe)

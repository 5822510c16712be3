"""Build Evidence by hand for the pure verdict tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from compliance.evidence import Evidence, Failure, Reply, Result
from compliance.model import Target, TokenKind, TokenSource

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
ORG = "acme"


def reply(path: str, status: int = 200, body: Any = None, **headers: str) -> Reply:
    """A Reply with lower-case header names (underscores become hyphens)."""
    return Reply(path, status, {k.replace("_", "-").lower(): v for k, v in headers.items()}, body)


def compliant_results(expires: dt.datetime | None = NOW + dt.timedelta(days=360)) -> dict[str, Result]:
    """What GitHub answers for a compliant token."""
    user_headers = (
        {"github-authentication-token-expiration": expires.strftime("%Y-%m-%d %H:%M:%S UTC")} if expires else {}
    )
    refused = {"message": "Resource not accessible by personal access token"}
    return {
        "user": Reply("/user", 200, user_headers, {"login": "acme-bot", "type": "User"}),
        "org": reply(f"/orgs/{ORG}", body={"login": ORG, "owned_private_repos": 2}),
        "membership": reply(
            f"/user/memberships/orgs/{ORG}", body={"role": "admin", "state": "active", "user": {"login": "acme-bot"}}
        ),
        "copilot_billing": reply(f"/orgs/{ORG}/copilot/billing", body={"seat_breakdown": {"total": 3}}),
        "copilot_seats": reply(f"/orgs/{ORG}/copilot/billing/seats", body={"total_seats": 3, "seats": []}),
        "copilot_metrics": reply(
            f"/orgs/{ORG}/copilot/metrics/reports/organization-28-day/latest",
            body={"report_start_day": "2026-10-27", "report_end_day": "2026-11-23"},
        ),
        "private_repos": reply(f"/orgs/{ORG}/repos", body=[]),
        "excess:administration": reply(f"/orgs/{ORG}/actions/permissions", 403, refused),
        "excess:secrets": reply(f"/orgs/{ORG}/actions/secrets", 403, refused),
        "excess:hooks": reply(f"/orgs/{ORG}/hooks", 403, refused),
    }


def evidence(
    results: dict[str, Result] | None = None,
    *,
    kind: TokenKind | None = TokenKind.FINE_GRAINED,
    source: TokenSource | None = None,
    api_url: str = "https://api.github.com",
    **overrides: Result,
) -> Evidence:
    """Evidence for the compliant answers, with some probes replaced."""
    base = compliant_results() if results is None else results
    base.update({k.replace("__", ":"): v for k, v in overrides.items()})
    return Evidence(Target(ORG, api_url), kind, source or TokenSource(env_var="GITHUB_TOKEN"), NOW, base)


def failure(path: str) -> Failure:
    """A probe that got no answer."""
    return Failure(path, "GitHub answered 502 3 times")

"""Many simulated orgs behind one server on 127.0.0.1: each org its own scenario and token, routed by the token."""

from __future__ import annotations

import re
from typing import Any

from pytest_httpserver import METHOD_ALL
from werkzeug import Request, Response

from tests.simulator.server import GitHubSimulator, QuickHTTPServer, load_scenario

__all__ = ["FleetSimulator", "fleet_token"]


def fleet_token(i: int) -> str:
    """A canary token for the i-th org: fine-grained in shape, unique, plainly a canary."""
    return f"github_pat_11FLEETCANARY{i:06d}00000_FleetCanaryLeakValue{i:06d}" + "0" * 24 + "QxFlt9"


class FleetSimulator:
    """One GitHubSimulator per org (never started themselves), served together; a request goes to its token's org."""

    def __init__(self, orgs: dict[str, str], *, latency: float = 0.0, app: bool = False) -> None:
        self.orgs: dict[str, GitHubSimulator] = {}
        self.tokens: dict[str, str] = {}
        self.app_tokens: dict[str, str] = {}
        self._by_auth: dict[str, GitHubSimulator] = {}
        for i, (org, scenario) in enumerate(orgs.items()):
            data: dict[str, Any] = load_scenario(scenario, org={"login": org.lower()})
            token = fleet_token(i)
            app_token = f"ghs_FLEETAPP{i:06d}" + "0" * 14 + "AppQxFl9" if app else None
            sim = GitHubSimulator(data, token, app_token=app_token, latency=latency)
            self.orgs[org], self.tokens[org] = sim, token
            self._by_auth[f"Bearer {token}"] = sim
            if app_token:
                self.app_tokens[org] = app_token
                self._by_auth[f"Bearer {app_token}"] = sim
        self._server = QuickHTTPServer(host="127.0.0.1", port=0, threaded=True)
        self._server.expect_request(re.compile(".*"), method=METHOD_ALL).respond_with_handler(self)

    @property
    def url(self) -> str:
        """The API base URL to pass as --api-url."""
        return f"http://127.0.0.1:{self._server.port}"

    def __call__(self, request: Request) -> Response:
        """Hand the request to the org whose token it carries; an unknown token gets GitHub's 401."""
        sim = self._by_auth.get(request.headers.get("Authorization", ""))
        if sim is None:
            sim = next(iter(self.orgs.values()))  # it answers 401 Bad credentials to a token it does not know
        return sim(request)

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """Every request any org's simulator answered."""
        return [r for sim in self.orgs.values() for r in sim.requests]

    def __enter__(self) -> FleetSimulator:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server.is_running():
            self._server.stop()

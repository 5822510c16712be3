"""Fixtures for the suite's own tests: the GitHub simulator and a runner for `pytest compliance/`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.simulator import GitHubSimulator, load_scenario

pytest_plugins = ("pytester",)

REPO = Path(__file__).resolve().parent.parent
COMPLIANCE = REPO / "compliance"
# Canary tokens: shaped like real ones so every code path treats them as tokens, and marked as canaries.
CANARY = "github_pat_11CANARY0000000000000000_" + "CanaryTokenForLeakTestsOnly0123456789abcdefghijklmnopqrstu"[:59]
CLASSIC_CANARY = "ghp_CANARY" + "0123456789abcdefghijklmnopqrstuvwxyz"[:36]


@pytest.fixture
def simulator() -> Iterator[type[GitHubSimulator]]:
    """Start simulators on demand; stop them all at teardown."""
    started: list[GitHubSimulator] = []

    class Started(GitHubSimulator):
        def start(self) -> GitHubSimulator:
            started.append(self)
            return super().start()

    yield Started
    for sim in started:
        sim.stop()


@pytest.fixture
def compliant_scenario() -> dict[str, object]:
    """The compliant scenario's data."""
    return load_scenario("compliant")

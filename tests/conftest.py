"""Fixtures for the suite's own tests: the GitHub simulator, a runner for `pytest compliance/`, hypothesis profiles.

The shared helpers live in tests/support.py and are re-exported here (the benchmarks import them from here).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

from tests.simulator import GitHubSimulator, load_scenario
from tests.simulator.raw import RawServer
from tests.suite_command import WITHOUT_DEV_PLUGINS
from tests.support import (
    APP_CANARY,
    CANARY,
    CLASSIC_CANARY,
    COMPLIANCE,
    HANG_GUARD_SECONDS,
    ORG,
    REPO,
    TESTS_LEAVE_OUT,
    Runner,
    SuiteRun,
    assert_no_leak,
    leak_forms,
    requirement_count,
    suite_outputs,
)

__all__ = [
    "APP_CANARY",
    "CANARY",
    "CLASSIC_CANARY",
    "COMPLIANCE",
    "HANG_GUARD_SECONDS",
    "ORG",
    "REPO",
    "Runner",
    "SuiteRun",
    "assert_no_leak",
    "leak_forms",
    "requirement_count",
]

pytest_plugins = ("pytester",)

# Hypothesis never leaves a machine red by itself: CI (CI=true) runs a fixed set of examples with no example
# database, so a run is reproducible and a failure prints the blob that replays it; a developer's machine keeps
# the default database, so a failure found once is retried first next time. Every failing example ever found is
# pinned as an explicit @example on its test. No deadline: a loaded CI machine is slow, not wrong.
settings.register_profile("ci", database=None, derandomize=True, print_blob=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# Tests that start `pytest compliance/` in a subprocess belong to a slower tier than the edit-test loop.
SUBPROCESS_FIXTURES = {"run_suite", "run_offline", "demo_run", "pytester"}
SLOW_TIERS = ("e2e", "battery")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse a test that runs the suite in a subprocess without an e2e or battery mark: it would slow the fast tier."""
    unmarked = [
        item.nodeid
        for item in items
        if SUBPROCESS_FIXTURES & set(getattr(item, "fixturenames", ()))
        and not any(item.get_closest_marker(tier) for tier in SLOW_TIERS)
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests run `pytest compliance/` in a subprocess but are marked neither e2e nor battery: "
            + ", ".join(unmarked)
        )


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> SuiteRun:
    """The demo replay (no token, no network) and its reports, produced once for the session."""
    out = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GITHUB_API_URL")}
    argv = [sys.executable, "-m", "pytest", str(COMPLIANCE), *WITHOUT_DEV_PLUGINS, *TESTS_LEAVE_OUT,
            "-p", "no:cacheprovider", "--compliance-json", str(out / "compliance.json"),
            "--compliance-md", str(out / "compliance.md"), "--html", str(out / "compliance.html"),
            "--junitxml", str(out / "junit.xml")]  # fmt: skip
    proc = subprocess.run(argv, cwd=out, env=env, capture_output=True, text=True, check=False)
    return SuiteRun(proc.returncode, proc.stdout, proc.stderr, out, [])


@pytest.fixture
def run_offline(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Run `pytest compliance/` with no token and no simulator (replay), writing into a temp folder."""

    def run(*args: str, out_name: str = "out") -> SuiteRun:
        monkeypatch.delenv("GITHUB_TOKEN", raising=False)
        monkeypatch.delenv("GITHUB_API_URL", raising=False)
        out = pytester.path / out_name
        result = pytester.runpytest_subprocess(*suite_outputs(out), *args, timeout=HANG_GUARD_SECONDS)
        return SuiteRun(result.ret, result.stdout.str(), result.stderr.str(), out, [])

    return run


@pytest.fixture
def run_suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runner]:
    """Run `pytest compliance/` against a simulator scenario, with a canary token, writing into a temp folder."""
    started: list[GitHubSimulator] = []

    def run(
        scenario: str | dict[str, Any] = "compliant",
        *args: str,
        token: str | None = None,
        env: dict[str, str] | None = None,
        org: str | None = ORG,
        base_path: str = "",
        api_url: str | None = None,
        out_name: str = "out",
        app: bool | str = False,
        via: RawServer | None = None,
        api_url_env: bool = False,
    ) -> SuiteRun:
        """One run; `app` True (the ghs_ canary) or a token, `via` a raw server in front, `api_url_env` env URL."""
        app_token = app if isinstance(app, str) else APP_CANARY
        data = load_scenario(scenario) if isinstance(scenario, str) else scenario
        if token is None:
            token = CLASSIC_CANARY if data["token"]["kind"] == "classic" else CANARY
        sim = GitHubSimulator(data, token, base_path=base_path, app_token=app_token if app else None).start()
        started.append(sim)
        monkeypatch.delenv("GITHUB_API_URL", raising=False)
        monkeypatch.setenv("GITHUB_TOKEN", token)
        root = sim.url.removesuffix(base_path) if base_path else sim.url
        if via is not None:
            via.upstream = root
            root = via.url.removesuffix(via.base_path)
        url = (api_url or root + base_path).format(root=root)
        if api_url_env:
            monkeypatch.setenv("GITHUB_API_URL", url)
        for key, value in (env or {}).items():
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, value)
        out = pytester.path / out_name
        argv = suite_outputs(out)
        if org is not None:
            argv += ["--org", org]
        argv += [] if api_url_env else ["--api-url", url]
        argv += list(args)
        if app:
            monkeypatch.setenv("APP_TOKEN", app_token)
            argv += ["--app-token-env", "APP_TOKEN"]
        result = pytester.runpytest_subprocess(*argv, timeout=HANG_GUARD_SECONDS)
        return SuiteRun(result.ret, result.stdout.str(), result.stderr.str(), out, list(sim.requests), sim)

    yield run
    for sim in started:
        sim.stop()
    os.environ.pop("GITHUB_TOKEN", None)

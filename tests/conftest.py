"""Fixtures for the suite's own tests: the GitHub simulator and a runner for `pytest compliance/`."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.simulator import GitHubSimulator, load_scenario
from tests.simulator.raw import RawServer
from tests.suite_command import WITHOUT_DEV_PLUGINS

pytest_plugins = ("pytester",)

REPO = Path(__file__).resolve().parent.parent
COMPLIANCE = REPO / "compliance"
# Canary tokens: shaped like real ones so every code path treats them as tokens, and plainly marked as canaries.
CANARY = "github_pat_11CANARY0000000000000000_" + "CanaryLeakTestValue" + "0" * 32 + "QxCanar9"
CLASSIC_CANARY = "ghp_CANARY" + "0" * 24 + "QxCana"
APP_CANARY = "ghs_CANARYAPP" + "0" * 21 + "AppQxCn9"
ORG = "acme-analytics"
# Not a speed threshold: a hang guard, so a run that would sleep or stall for ever fails instead of blocking CI.
HANG_GUARD_SECONDS = 300


def leak_forms(token: str) -> list[str]:
    """Every form in which a token could leak: raw, base64, URL-encoded, basic-auth, last 8 characters."""
    raw = token.encode()
    return [
        token,
        base64.b64encode(raw).decode(),
        urllib.parse.quote(token, safe=""),
        base64.b64encode(b"x-access-token:" + raw).decode(),
        token[-8:],
    ]


def assert_no_leak(token: str, texts: dict[str, str]) -> None:
    """No text (terminal output or file) holds any form of the token."""
    for where, text in texts.items():
        for form in leak_forms(token):
            assert form not in text, f"a form of the token leaked into {where}"


@dataclass
class SuiteRun:
    """One `pytest compliance/` run in a subprocess and everything it left behind."""

    ret: int
    stdout: str
    stderr: str
    out: Path
    requests: list[tuple[str, str, int]]
    simulator: GitHubSimulator | None = None

    @property
    def json(self) -> dict[str, Any]:
        """The compliance JSON."""
        return json.loads((self.out / "compliance.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]

    @property
    def verdicts(self) -> dict[str, str]:
        """Requirement id -> verdict word."""
        return {r["id"]: r["verdict"] for r in self.json["requirements"]}

    def texts(self) -> dict[str, str]:
        """Terminal output plus every file the run wrote."""
        texts = {"stdout": self.stdout, "stderr": self.stderr}
        for path in self.out.rglob("*"):
            if path.is_file():
                texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
        return texts


Runner = Callable[..., SuiteRun]


def _outputs(out: Path) -> list[str]:
    """The compliance dir plus every output (JSON, Markdown, HTML, JUnit, pytest cache) inside `out`."""
    return [
        str(COMPLIANCE),
        *WITHOUT_DEV_PLUGINS,
        "-o",
        f"cache_dir={out / 'cache'}",
        "--compliance-json",
        str(out / "compliance.json"),
        "--compliance-md",
        str(out / "compliance.md"),
        "--html",
        str(out / "report.html"),
        "--junitxml",
        str(out / "junit.xml"),
    ]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> SuiteRun:
    """The demo replay (no token, no network) and its reports, produced once for the session."""
    out = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GITHUB_API_URL")}
    argv = [sys.executable, "-m", "pytest", str(COMPLIANCE), *WITHOUT_DEV_PLUGINS, "-p", "no:cacheprovider",
            "--compliance-json", str(out / "compliance.json"), "--compliance-md", str(out / "compliance.md"),
            "--html", str(out / "compliance.html"), "--junitxml", str(out / "junit.xml")]  # fmt: skip
    proc = subprocess.run(argv, cwd=out, env=env, capture_output=True, text=True, check=False)
    return SuiteRun(proc.returncode, proc.stdout, proc.stderr, out, [])


@pytest.fixture
def run_offline(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Run `pytest compliance/` with no token and no simulator (replay), writing into a temp folder."""

    def run(*args: str, out_name: str = "out") -> SuiteRun:
        monkeypatch.delenv("GITHUB_TOKEN", raising=False)
        monkeypatch.delenv("GITHUB_API_URL", raising=False)
        out = pytester.path / out_name
        result = pytester.runpytest_subprocess(*_outputs(out), *args, timeout=HANG_GUARD_SECONDS)
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
        app: bool = False,
        via: RawServer | None = None,
        api_url_env: bool = False,
    ) -> SuiteRun:
        """`via`: a raw server in front of the simulator; `api_url_env`: pass the API URL as GITHUB_API_URL."""
        data = load_scenario(scenario) if isinstance(scenario, str) else scenario
        if token is None:
            token = CLASSIC_CANARY if data["token"]["kind"] == "classic" else CANARY
        sim = GitHubSimulator(data, token, base_path=base_path, app_token=APP_CANARY if app else None).start()
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
        argv = _outputs(out)
        if org is not None:
            argv += ["--org", org]
        argv += [] if api_url_env else ["--api-url", url]
        argv += list(args)
        if app:
            monkeypatch.setenv("APP_TOKEN", APP_CANARY)
            argv += ["--app-token-env", "APP_TOKEN"]
        result = pytester.runpytest_subprocess(*argv, timeout=HANG_GUARD_SECONDS)
        return SuiteRun(result.ret, result.stdout.str(), result.stderr.str(), out, list(sim.requests), sim)

    yield run
    for sim in started:
        sim.stop()
    os.environ.pop("GITHUB_TOKEN", None)

"""Helpers shared by the suite's own tests: canary tokens, the leak search, and one `pytest compliance/` run."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from compliance.checks.registry import REGISTRY
from compliance.profiles import load_profile
from tests.simulator import GitHubSimulator
from tests.suite_command import WITHOUT_DEV_PLUGINS

__all__ = [
    "APP_CANARY",
    "APP_USER_CANARY",
    "CANARY",
    "CLASSIC_CANARY",
    "COMPLIANCE",
    "HANG_GUARD_SECONDS",
    "ORG",
    "REPO",
    "TESTS_LEAVE_OUT",
    "Runner",
    "SuiteRun",
    "assert_no_leak",
    "file_texts",
    "leak_forms",
    "pdf_args",
    "pdf_text",
    "requirement_count",
    "suite_outputs",
]

REPO = Path(__file__).resolve().parent.parent
COMPLIANCE = REPO / "compliance"
# Canary tokens: shaped like real ones so every code path treats them as tokens, and plainly marked as canaries.
CANARY = "github_pat_11CANARY0000000000000000_" + "CanaryLeakTestValue" + "0" * 32 + "QxCanar9"
CLASSIC_CANARY = "ghp_CANARY" + "0" * 24 + "QxCana"
APP_CANARY = "ghs_CANARYAPP" + "0" * 21 + "AppQxCn9"
APP_USER_CANARY = "ghu_CANARYAPPUSER" + "0" * 17 + "UsrQxCn9"  # an org owner's GitHub App user access token
ORG = "acme-analytics"
# The tests' own runs also leave out anyio's pytest plugin (httpx brings anyio along): it only serves async tests,
# which compliance/ has none of, and importing its event-loop backends is a third of each run's start-up. The
# benchmarks keep it (tests/suite_command.py), since a user's runs load it.
TESTS_LEAVE_OUT = ("-p", "no:anyio")
# Not a speed threshold: a hang guard, so a run that would sleep or stall for ever fails instead of blocking CI.
HANG_GUARD_SECONDS = 300


def requirement_count(profile: str = "milestone-copilot") -> int:
    """How many requirements a profile checks: derived from the catalogue and the profile, never a literal."""
    return len(load_profile(profile, REGISTRY.keys()).requirements)


PARTIAL = 12  # a stretch this long of the token's secret part counts as a leak (pytest shortens long strings)


def leak_forms(token: str) -> list[str]:
    """Every form a token could leak in: raw, base64, URL-encoded, basic-auth, its tail, any 12 of its secret part."""
    raw = token.encode()
    secret = token.split("_", 2)[-1] if token.startswith("github_pat_") else token.split("_", 1)[-1]
    stretches = {secret[i : i + PARTIAL] for i in range(len(secret) - PARTIAL + 1)}
    return [
        token,
        base64.b64encode(raw).decode(),
        urllib.parse.quote(token, safe=""),
        base64.b64encode(b"x-access-token:" + raw).decode(),
        token[-8:],
        *sorted(s for s in stretches if len(set(s)) > 2),
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
        """Terminal output plus every file the run wrote (a PDF also as the text a reader sees)."""
        return {"stdout": self.stdout, "stderr": self.stderr, **file_texts(self.out)}


Runner = Callable[..., SuiteRun]


def pdf_text(path: Path) -> str:
    """The text a reader of a PDF sees (poppler's pdftotext), for leak searches and content checks."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            raise AssertionError("CI must install poppler-utils (pdftotext) to read the PDF reports")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def pdf_args(path: Path) -> list[str]:
    """`--compliance-pdf PATH` where WeasyPrint and Pango load; skip the test elsewhere (never in CI)."""
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401
    except (ImportError, OSError):
        if os.environ.get("CI"):
            raise AssertionError(
                "CI must install Pango (libpango-1.0-0, libpangoft2-1.0-0) for the PDF report"
            ) from None
        pytest.skip("WeasyPrint cannot load Pango here: the PDF report is not tested")
    return ["--compliance-pdf", str(path)]


def file_texts(root: Path) -> dict[str, str]:
    """Every file under a folder as text; a PDF's extracted text is added beside its raw bytes."""
    texts = {}
    for path in root.rglob("*"):
        if path.is_file():
            texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
            if path.suffix == ".pdf":
                texts[f"{path} (text)"] = pdf_text(path)
    return texts


def suite_outputs(out: Path) -> list[str]:
    """The compliance dir plus every output (JSON, Markdown, HTML, JUnit, pytest cache) inside `out`."""
    return [
        str(COMPLIANCE),
        *WITHOUT_DEV_PLUGINS,
        *TESTS_LEAVE_OUT,
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
        "--compliance-oscal",
        str(out / "oscal.json"),
    ]

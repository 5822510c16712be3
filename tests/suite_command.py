"""The command line that runs `pytest compliance/` in a subprocess, shared by the demo recorder and benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path

COMPLIANCE = Path(__file__).resolve().parent.parent / "compliance"


def suite_argv(*args: str) -> list[str]:
    """`python -m pytest compliance/ -q` without the cache (and without hypothesis's dev-only plugin), plus args."""
    # hypothesis's pytest plugin (a dev dependency) costs ~0.8 s at exit; users do not have it
    return [
        sys.executable,
        "-m",
        "pytest",
        str(COMPLIANCE),
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:hypothesispytest",
        *args,
    ]

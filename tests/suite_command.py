"""The command line that runs `pytest compliance/` in a subprocess, shared by the demo recorder and benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path

COMPLIANCE = Path(__file__).resolve().parent.parent / "compliance"
# The suite's dev-only plugins are not in a user's install; loading them would also double every run's start-up.
WITHOUT_DEV_PLUGINS = (
    *("-p", "no:hypothesispytest"),
    *("-p", "no:pytest_httpserver"),
    *("-p", "no:xdist", "-p", "no:xdist.looponfail"),
)


def suite_argv(*args: str) -> list[str]:
    """`python -m pytest compliance/ -q` without the cache and without the dev-only plugins, plus args."""
    base = [sys.executable, "-m", "pytest", str(COMPLIANCE), "-q", "-p", "no:cacheprovider"]
    return [*base, *WITHOUT_DEV_PLUGINS, *args]

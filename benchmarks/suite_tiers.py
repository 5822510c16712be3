"""Measure the project's own test tiers: the fast tier (`pytest tests`) and the full suite on every core.

Usage: .venv/bin/python benchmarks/suite_tiers.py [--runs N] [--skip-full]
Prints wall time and pytest's closing line for each tier. A figure to read, not a threshold: no test asserts it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TIERS = {
    "fast tier (pytest tests)": ["tests", "-q", "-p", "no:cacheprovider"],
    "full suite (pytest tests -m '' -n auto)": [
        "tests",
        "-q",
        "-p",
        "no:cacheprovider",
        "-m",
        "",
        "-n",
        "auto",
        "--dist",
        "worksteal",
    ],
}


def run(args: list[str]) -> tuple[float, str]:
    """Wall time of one pytest run and its closing line."""
    env = {**os.environ, "CI": "true"}  # as CI runs it: no hypothesis example database
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    closing = next((ln for ln in reversed(proc.stdout.splitlines()) if " in " in ln and "passed" in ln), "?")
    return elapsed, closing.strip("= ")


def main() -> int:
    """Run each tier and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="runs per tier (default 1)")
    parser.add_argument("--skip-full", action="store_true", help="measure the fast tier only")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    for name, argv in TIERS.items():
        if args.skip_full and "-n" in argv:
            continue
        times, closing = [], ""
        for _ in range(args.runs):
            elapsed, closing = run(argv)
            times.append(elapsed)
        print(f"{name}: median {statistics.median(times):.1f} s over {len(times)} run(s); last: {closing}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

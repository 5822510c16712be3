"""Measure the demo replay (`pytest compliance/`, offline) against pytest's own start-up.

Usage: python benchmarks/replay_demo.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.suite_command import suite_argv  # noqa: E402


def _wall(argv: list[str], env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    return time.perf_counter() - start


def main() -> None:
    """Print the median wall time of `pytest --version` and of the demo replay, and their difference."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    # Users' Pythons cache bytecode; some sandboxes set PYTHONDONTWRITEBYTECODE, which recompiles every run.
    drop = ("GITHUB_TOKEN", "GITHUB_API_URL", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    with tempfile.TemporaryDirectory() as tmp:
        version = statistics.median(
            _wall([sys.executable, "-m", "pytest", "--version"], env, tmp) for _ in range(args.runs)
        )
        argv = suite_argv()
        _wall(argv, env, tmp)  # warm-up: writes the bytecode cache
        replay = statistics.median(_wall(argv, env, tmp) for _ in range(args.runs))
    print(f"pytest --version            {version:.2f} s")
    print(f"demo replay (all reports)   {replay:.2f} s")
    print(f"beyond pytest's start-up    {replay - version:.2f} s")
    print(f"(medians of {args.runs} runs)")


if __name__ == "__main__":
    main()

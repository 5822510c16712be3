"""Measure a live run against the simulator with 300 ms per response: requests, wall time, round trips.

Usage: python benchmarks/live_latency.py [--latency 0.3] [--runs 3] [--scenario NAME --profile NAME] [--app]

--app also reads the org's record with a GitHub App token (a custom-role profile such as linearb then reads the
org's roles and the granting role's users, one round trip after the other).
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

from tests.conftest import APP_CANARY, CANARY, ORG  # noqa: E402
from tests.simulator import GitHubSimulator, load_scenario  # noqa: E402
from tests.suite_command import suite_argv  # noqa: E402


def _time(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc.returncode


def _suite(latency: float, args: argparse.Namespace, env: dict[str, str], tmp: str) -> tuple[float, int, set[str]]:
    walls, counts, methods = [], [], set()
    extra = ["--profile", args.profile] + (["--app-token-env", "APP_TOKEN"] if args.app else [])
    for _ in range(args.runs):
        app = APP_CANARY if args.app else None
        with GitHubSimulator(load_scenario(args.scenario), CANARY, app_token=app, latency=latency) as sim:
            argv = suite_argv(
                "--org", ORG, "--api-url", sim.url, "--compliance-json", f"{tmp}/c.json", "--html", f"{tmp}/r.html",
                *extra,
            )  # fmt: skip
            wall, code = _time(argv, env, tmp)
            if code != 0:
                raise SystemExit(f"the compliant run exited {code}")
            walls.append(wall)
            counts.append(len(sim.requests))
            methods |= {m for m, _, _ in sim.requests}
    return statistics.median(walls), max(counts), methods


def main() -> None:
    """Print requests made, wall time, and wall time beyond the suite's own start-up in round trips."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scenario", default="compliant", help="a scenario of tests/simulator/scenarios.yaml")
    parser.add_argument("--profile", default="milestone-copilot", help="the profile the run checks against")
    parser.add_argument("--app", action="store_true", help="also read the org's record with a GitHub App token")
    args = parser.parse_args()
    env = {**os.environ, "GITHUB_TOKEN": CANARY, "APP_TOKEN": APP_CANARY}
    env.pop("GITHUB_API_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users' Pythons cache bytecode; some sandboxes turn that off
    with tempfile.TemporaryDirectory() as tmp:
        version = statistics.median(
            _time([sys.executable, "-m", "pytest", "--version"], env, tmp)[0] for _ in range(args.runs)
        )
        own, _, _ = _suite(0.0, args, env, tmp)
        wall, count, methods = _suite(args.latency, args, env, tmp)
    rtt = args.latency
    print(f"scenario, profile                  {args.scenario}, {args.profile}{' (with the App)' if args.app else ''}")
    print(f"latency per response               {rtt * 1000:.0f} ms")
    print(f"requests per run                   {count} (methods: {', '.join(sorted(methods))})")
    print(f"pytest --version                   {version:.2f} s")
    print(f"suite with 0 ms latency            {own:.2f} s  (the suite's own start-up and report writing)")
    print(f"suite with {rtt * 1000:.0f} ms latency          {wall:.2f} s")
    print(f"wall time / one round trip         {wall / rtt:.1f}")
    print(f"beyond the suite's own start-up    {wall - own:.2f} s = {(wall - own) / rtt:.2f} round trips")
    print(f"(medians of {args.runs} runs)")


if __name__ == "__main__":
    main()

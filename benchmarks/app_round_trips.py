"""Round trips of one org's evidence gathering: token mode, App mode with 1 grant, App mode with 1000 grants.

Usage: python benchmarks/app_round_trips.py [--latency 0.3] [--runs 3]

Gathers in-process (run.gather, as fleet mode does) against the simulator with `latency` seconds per answer, so
the wall time divided by the latency is the number of round trips the requests took.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from compliance.inputs import resolve  # noqa: E402
from compliance.run import gather  # noqa: E402
from tests.simulator import GitHubSimulator, load_scenario  # noqa: E402
from tests.support import APP_CANARY, CANARY, ORG  # noqa: E402


def _scenario(grants: int) -> dict[str, Any]:
    others = [{"name": f"other token {i}", "lifetime_days": 30, "age_days": 1} for i in range(max(0, grants - 1))]
    return load_scenario("compliant", other_grants=others)


def _measure(latency: float, runs: int, grants: int | None) -> tuple[float, int]:
    walls, count = [], 0
    for _ in range(runs):
        app = grants is not None
        data = _scenario(grants or 1)
        with GitHubSimulator(data, CANARY, app_token=APP_CANARY if app else None, latency=latency) as sim:
            env = {"GITHUB_TOKEN": CANARY, "APP_TOKEN": APP_CANARY}
            raw = {"org": ORG, "api_url": sim.url, "mode": "live", "app_token_env": "APP_TOKEN" if app else None}
            raw |= {"compliance_json": "/tmp/unused.json", "compliance_md": "/tmp/unused.md"}
            opts = resolve(raw, env)
            start = time.perf_counter()
            gather(opts)
            walls.append(time.perf_counter() - start)
            count = len(sim.requests)
    return statistics.median(walls), count


def main() -> None:
    """Print requests, wall time and round trips for each case."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"latency per answer {args.latency * 1000:.0f} ms, medians of {args.runs} runs")
    print("round trips: (wall time - wall time at 0 ms) / latency, so the simulator's and the client's own work")
    print("(building and parsing 1000 grant entries) is not counted as waiting")
    print(f"{'case':<24}{'requests':>9}{'wall 0 ms':>11}{'wall':>8}{'round trips':>13}")
    for label, grants in (("token mode", None), ("App mode, 1 grant", 1), ("App mode, 1000 grants", 1000)):
        own, _ = _measure(0.0, args.runs, grants)
        wall, count = _measure(args.latency, args.runs, grants)
        print(f"{label:<24}{count:>9}{own:>11.2f}{wall:>8.2f}{(wall - own) / args.latency:>13.2f}")


if __name__ == "__main__":
    main()

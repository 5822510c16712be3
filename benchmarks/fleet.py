"""Fleet mode's cost per org against the simulator: 1, 10, 100 and 300 orgs at 0 and 300 ms per answer.

Usage: python benchmarks/fleet.py [--orgs 1,10,100,300] [--latency 0,0.3] [--points-per-minute 900]

Each run is `python -m compliance fleet` in a subprocess, as a user or the weekly job runs it, against one
simulator serving every org (each with its own token). A third of the orgs lack Members: Read, so the fleet
exit code is 1 and the summary has something to fix. --points-per-minute 900 is the default, GitHub's REST
budget of one account a minute; 0 measures the process alone, without the budget's waits.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.simulator.fleet import FleetSimulator  # noqa: E402


def _run(count: int, latency: float, per_minute: int, work: Path) -> tuple[float, int, int, dict[str, float]]:
    orgs = {f"fleet-org-{i:04d}": "missing-members" if i % 3 == 0 else "compliant" for i in range(count)}
    entries = [{"org": org, "token_secret": f"TOKEN_{i}", "expected_owner": "acme-copilot-bot"}
               for i, org in enumerate(orgs)]  # fmt: skip
    config = work / f"orgs-{count}.yml"
    config.write_text(yaml.safe_dump({"orgs": entries}), encoding="utf-8")
    reports = work / f"reports-{count}-{latency}"
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GITHUB_API_URL")}
    with FleetSimulator(orgs, latency=latency) as sim:
        env.update({f"TOKEN_{i}": sim.tokens[org] for i, org in enumerate(orgs)})
        argv = [sys.executable, "-m", "compliance", "fleet", "--config", str(config), "--reports", str(reports),
                "--api-url", sim.url, "--quiet", "--points-per-minute", str(per_minute)]  # fmt: skip
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, cwd=work, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        requests = len(sim.requests)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"fleet run exited {proc.returncode}: {proc.stderr[-400:]}")
    summary = json.loads((reports / "fleet.json").read_text(encoding="utf-8"))
    cost = summary["cost"]
    # a check that could not run, or an `error` verdict, means the figures measured a broken run
    cost["errors"] = sum(1 for r in summary["results"] if not r["verdicts"] or "error" in r["verdicts"].values())
    return wall, proc.returncode, requests, cost


def main() -> None:
    """Print wall time, time per org, requests and the peak in flight for each fleet size and latency."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orgs", default="1,10,100,300")
    parser.add_argument("--latency", default="0,0.3")
    parser.add_argument("--points-per-minute", type=int, default=900)
    args = parser.parse_args()
    print(f"points per minute: {args.points_per_minute or 'no budget'}; one run each; wall includes start-up")
    head = f"{'orgs':>5}{'latency':>9}{'wall s':>9}{'s/org':>8}{'requests':>10}{'peak':>6}{'budget wait':>13}"
    print(f"{head}{'exit':>6}{'errors':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for latency in (float(x) for x in args.latency.split(",")):
            for count in (int(x) for x in args.orgs.split(",")):
                wall, code, requests, cost = _run(count, latency, args.points_per_minute, Path(tmp))
                print(
                    f"{count:>5}{latency * 1000:>7.0f}ms{wall:>9.1f}{wall / count:>8.3f}{requests:>10}"
                    f"{cost['peak_in_flight']:>6}{'yes' if cost['budget_wait_s'] else 'no':>13}{code:>6}"
                    f"{cost['errors']:>8}",
                    flush=True,
                )


if __name__ == "__main__":
    main()

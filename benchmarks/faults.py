"""Measure how long a run takes to give up on a bad GitHub, and how fast Ctrl-C ends a hanging run.

Usage: python benchmarks/faults.py [--request-timeout 2]

Each figure is the wall time of one `pytest compliance/` run against the simulator (behind the raw fault server
where the fault is at socket level), next to the same run against a healthy simulator.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.conftest import CANARY, ORG  # noqa: E402
from tests.simulator import GitHubSimulator, load_scenario  # noqa: E402
from tests.simulator.raw import RawServer  # noqa: E402
from tests.suite_command import suite_argv  # noqa: E402

BILLING = "/orgs/acme-analytics/copilot/billing"


def _argv(url: str, tmp: str, timeout: float) -> list[str]:
    return suite_argv("--org", ORG, "--api-url", url, "--compliance-json", f"{tmp}/c.json", "--html",
                      f"{tmp}/r.html", "--request-timeout", str(timeout))  # fmt: skip


def _run(scenario: str, raw_faults: dict[str, str] | None, env: dict[str, str], tmp: str, timeout: float) -> str:
    with GitHubSimulator(load_scenario(scenario), CANARY) as sim:
        raw = RawServer(sim.url, raw_faults).start() if raw_faults else None
        try:
            start = time.perf_counter()
            proc = subprocess.run(_argv(raw.url if raw else sim.url, tmp, timeout), env=env, cwd=tmp,
                                  capture_output=True, text=True, check=False)  # fmt: skip
            wall = time.perf_counter() - start
        finally:
            if raw:
                raw.stop()
        return f"{wall:6.2f} s  exit {proc.returncode}  requests {len(sim.requests)}"


def _interrupt(env: dict[str, str], tmp: str) -> str:
    """Seconds from SIGINT to exit while the billing request hangs (the request timeout is 60 s)."""
    with GitHubSimulator(load_scenario("compliant"), CANARY) as sim, RawServer(sim.url, {BILLING: "silent"}) as raw:
        proc = subprocess.Popen(_argv(raw.url, tmp, 60), env=env, cwd=tmp, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        while not any(BILLING in s.target for s in raw.seen):
            time.sleep(0.02)
        time.sleep(0.2)
        start = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
        return f"{time.perf_counter() - start:6.2f} s  exit {proc.returncode}"


def main() -> None:
    """Print the time to a verdict for each fault, beside a healthy run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--request-timeout", type=float, default=2.0)
    args = parser.parse_args()
    t = args.request_timeout
    env = {**os.environ, "GITHUB_TOKEN": CANARY}
    env.pop("GITHUB_API_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"--request-timeout {t:g} s; 3 attempts per request for transport faults and 5xx")
        print(f"healthy simulator                          {_run('compliant', None, env, tmp, t)}")
        print(f"rate limit reset an hour away (billing)    {_run('primary-rate-limit-long-reset', None, env, tmp, t)}")
        print(f"5xx on every attempt (billing)             {_run('persistent-5xx', None, env, tmp, t)}")
        print(f"GET /user never answers                    {_run('compliant', {'/user': 'silent'}, env, tmp, t)}")
        print(f"GET /user body drip-fed forever            {_run('compliant', {'/user': 'drip'}, env, tmp, t)}")
        print(f"billing never answers                      {_run('compliant', {BILLING: 'silent'}, env, tmp, t)}")
        print(f"Ctrl-C while billing hangs (to exit)       {_interrupt(env, tmp)}")


if __name__ == "__main__":
    main()

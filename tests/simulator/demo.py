"""Regenerate the bundled demo cassette from the simulator's compliant scenario.

Usage: python -m tests.simulator.demo [PATH]   (default: compliance/demo/compliant.yaml)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from vcr.serializers import yamlserializer

from compliance.gather.cassettes import DEMO_CASSETTE
from tests.simulator.server import GitHubSimulator, load_scenario
from tests.suite_command import suite_argv

REPO = Path(__file__).resolve().parents[2]
DEMO_ORG = "acme-analytics"
DEMO_API = "https://api.github.com"
# The demo's token is a canary: shaped like a fine-grained token, never valid anywhere.
DEMO_TOKEN = "github_pat_11DEMO00CANARY0000000000_" + "DemoTokenNotValidAnywhere" + "0" * 34


def record_demo(dest: Path) -> None:
    """Record the compliant scenario, then present it as api.github.com and mark it as demo data."""
    env = {**os.environ, "GITHUB_TOKEN": DEMO_TOKEN}
    env.pop("GITHUB_API_URL", None)
    with tempfile.TemporaryDirectory() as tmp, GitHubSimulator(load_scenario("compliant"), DEMO_TOKEN) as sim:
        raw = Path(tmp) / "demo.yaml"
        argv = suite_argv(
            "--mode",
            "record",
            "--cassette",
            str(raw),
            "--org",
            DEMO_ORG,
            "--api-url",
            sim.url,
            "--expected-owner",
            "acme-copilot-bot",
            "--compliance-json",
            f"{tmp}/c.json",
            "--html",
            f"{tmp}/r.html",
        )
        proc = subprocess.run(argv, env=env, cwd=tmp, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"recording the demo failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        data = yaml.safe_load(raw.read_text(encoding="utf-8"))
        for interaction in data["interactions"]:
            interaction["request"]["uri"] = interaction["request"]["uri"].replace(sim.url, DEMO_API)
        meta = data["metadata"]["copilot_token_compliance"]
        meta["api_url"] = DEMO_API
        meta["demo"] = True
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(yamlserializer.serialize(data), encoding="utf-8")


if __name__ == "__main__":
    record_demo(Path(sys.argv[1]) if len(sys.argv) > 1 else DEMO_CASSETTE)

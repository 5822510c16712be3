"""The weekly job in fleet mode: the shards, the fleet step with the secrets JSON, one tracking issue per org."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.fakes import FakeGitHubIssues
from tests.simulator.fleet import FleetSimulator
from tests.support import REPO, assert_no_leak

GH_TOKEN = "ghs_FAKEPUBLISHINGTOKEN000000000000000000"  # the workflow's GITHUB_TOKEN stand-in, a fake
ORGS = {"alpha-org": "compliant", "beta-org": "missing-members", "gamma-org": "expiring-soon"}


def _run(module: str, *args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_"))}
    return subprocess.run(
        [sys.executable, "-m", module, *args], env={**base, **env}, cwd=cwd, capture_output=True, text=True, check=False
    )


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


@pytest.mark.e2e
def test_weekly_fleet_job(tmp_path: Path) -> None:
    """Shards from the config; the fleet step reads its tokens from toJSON(secrets); tracking issues follow."""
    config = tmp_path / "orgs.yml"
    # GitHub stores secret names upper-case whatever case they were created in: the config may name them otherwise
    entries = [{"org": o, "token_secret": f"Token_{i}"} for i, o in enumerate(ORGS)]
    for entry in entries:
        entry["expected_owner"] = "acme-copilot-bot"
    config.write_text(yaml.safe_dump({"orgs": entries}), encoding="utf-8")
    shards = _run("compliance.scheduled", "shards", "--config", str(config), "--per-shard", "2",
                  env={"GITHUB_OUTPUT": str(tmp_path / "plan")}, cwd=REPO)  # fmt: skip
    assert shards.returncode == 0, shards.stderr
    include = json.loads(_outputs(tmp_path / "plan")["shards"])["include"]
    assert [s["shard"] for s in include] == ["1/2", "2/2"]
    with FleetSimulator(ORGS) as sim:
        secrets = {f"TOKEN_{i}": sim.tokens[o] for i, o in enumerate(ORGS)} | {"github_token": GH_TOKEN}
        env = {
            "FLEET_SECRETS": json.dumps(secrets),
            "GITHUB_OUTPUT": str(tmp_path / "out"),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        }
        args = ["--config", str(config), "--secrets-env", "FLEET_SECRETS", "--shard", "1/1", "--only", ""]
        fleet = _run("compliance.scheduled", "fleet", *args, "--reports", str(tmp_path / "reports"), "--quiet",
                     "--api-url", sim.url, env=env, cwd=tmp_path)  # fmt: skip
    assert fleet.returncode == 0, fleet.stderr
    assert _outputs(tmp_path / "out")["exit_code"] == "1"
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("# Copilot token compliance: 3 orgs") and "MEMBERS-READ" in summary
    with FakeGitHubIssues(GH_TOKEN) as issues:
        for n in range(1, 131):  # more than one page of other orgs' open tracking issues
            issues.issues[n] = {"number": n, "title": f"Copilot token compliance: other-{n}", "body": "",
                                "state": "open", "labels": ["copilot-token-compliance"]}  # fmt: skip
        issues.issues[131] = {"number": 131, "title": "Copilot token compliance: beta-org", "body": "",
                              "state": "open", "labels": ["copilot-token-compliance"]}  # fmt: skip
        issues.issues[132] = {"number": 132, "title": "Copilot token compliance: alpha-org", "body": "",
                              "state": "open", "labels": ["copilot-token-compliance"]}  # fmt: skip
        tracking_env = {"GH_TOKEN": GH_TOKEN, "GITHUB_API_URL": issues.url}
        where = ["--reports", str(tmp_path / "reports"), "--repo", "acme/ops"]
        track = _run("compliance.publish.fleet_tracking", *where, "--pause", "0", "--run-url",
                     "https://ci.example/run/1", env=tracking_env, cwd=tmp_path)  # fmt: skip
        assert track.returncode == 0, track.stderr
        assert len(issues.issues) == 133  # gamma-org opened; beta-org updated, never duplicated
        assert issues.comments[131] and "MEMBERS-READ" in issues.comments[131][-1]
        assert issues.issues[132]["state"] == "closed"  # alpha-org is compliant again
        gamma = next(i for i in issues.issues.values() if i["title"].endswith("gamma-org"))
        assert "expires soon" in gamma["body"]
        sent = "\n".join(body.decode(errors="replace") for _, _, _, body in issues.calls)
    texts = {"fleet": fleet.stdout + fleet.stderr, "summary": summary, "track": track.stdout + sent}
    texts.update({str(p): p.read_text(errors="replace") for p in (tmp_path / "reports").rglob("*") if p.is_file()})
    for token in sim.tokens.values():
        assert_no_leak(token, texts)
    assert GH_TOKEN not in sent

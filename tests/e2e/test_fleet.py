"""Fleet mode end to end: many simulated orgs in one process, each report set equal to a single-org run's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.simulator.fleet import FleetSimulator
from tests.support import HANG_GUARD_SECONDS, assert_no_leak

OWNER = "acme-copilot-bot"
ORGS = {"alpha-org": "compliant", "beta-org": "missing-members", "gamma-org": "expiring-soon"}


def _config(tmp_path: Path, orgs: dict[str, str]) -> Path:
    entries = [{"org": o, "token_secret": f"TOKEN_{i}", "expected_owner": OWNER} for i, o in enumerate(orgs)]
    path = tmp_path / "orgs.yml"
    path.write_text(yaml.safe_dump({"orgs": entries}), encoding="utf-8")
    return path


def _command(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GITHUB_API_URL")}
    return subprocess.run(
        [sys.executable, "-m", "compliance", *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=HANG_GUARD_SECONDS,
    )


def _texts(proc: subprocess.CompletedProcess[str], folder: Path) -> dict[str, str]:
    texts = {"stdout": proc.stdout, "stderr": proc.stderr}
    texts.update({str(p): p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file()})
    return texts


def _json(path: Path) -> dict[str, object]:
    """A JSON report without its times (when it was generated, when the run started)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc.pop("generated_at")
    doc["run"].pop("started_at")
    return doc  # type: ignore[no-any-return]


def _markdown(path: Path) -> str:
    """A Markdown report without the line that says when it was generated."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(ln for ln in lines if not ln.startswith("- Generated at: "))


@pytest.mark.e2e
def test_fleet_reports_equal_single_org_runs(tmp_path: Path) -> None:
    """One exit code for the fleet, one report set per org identical to a single-org run, a summary, no token."""
    with FleetSimulator(ORGS) as sim:
        env = {f"TOKEN_{i}": sim.tokens[o] for i, o in enumerate(ORGS)}
        config = _config(tmp_path, ORGS)
        fleet = _command(
            "fleet", "--config", str(config), "--reports", "fleet", "--api-url", sim.url, env=env, cwd=tmp_path
        )
        outputs = ["--compliance-json", "one/compliance.json", "--compliance-md", "one/compliance.md"]
        outputs += ["--html", "one/compliance.html", "--junitxml", "one/junit.xml"]
        single_args = ["--org", "beta-org", "--token-env", "TOKEN_1", "--expected-owner", OWNER, "--api-url", sim.url]
        single = _command(*single_args, *outputs, env=env, cwd=tmp_path)
        assert {m for m, _, _ in sim.requests} == {"GET"}
    assert fleet.returncode == 1, fleet.stderr
    assert single.returncode == 1, single.stderr
    out = tmp_path / "fleet"
    assert _json(out / "beta-org" / "compliance.json") == _json(tmp_path / "one" / "compliance.json")
    assert _markdown(out / "beta-org" / "compliance.md") == _markdown(tmp_path / "one" / "compliance.md")
    for org in ORGS:
        assert {p.name for p in (out / org).iterdir()} == {"compliance.json", "compliance.md", "compliance.html",
                                                          "junit.xml"}  # fmt: skip
    summary = json.loads((out / "fleet.json").read_text(encoding="utf-8"))
    assert summary["exit_code"] == 1
    rows = {r["org"]: r for r in summary["results"]}
    assert rows["beta-org"]["verdicts"]["MEMBERS-READ"] == "fail"
    assert rows["alpha-org"]["exit_code"] == 0 and rows["gamma-org"]["verdicts"]["EXPIRY-HEADROOM"] == "warn"
    assert summary["fix_first"][0]["requirement"] == "MEMBERS-READ"
    assert summary["fix_first"][0]["orgs"] == {"fail": ["beta-org"]}
    assert "beta-org" in (out / "fleet.md").read_text(encoding="utf-8")
    assert "MEMBERS-READ" in (out / "fleet.html").read_text(encoding="utf-8")
    for token in sim.tokens.values():
        assert_no_leak(token, {**_texts(fleet, out), **_texts(single, tmp_path / "one")})


@pytest.mark.e2e
def test_fleet_refuses_a_token_file_others_can_read(tmp_path: Path) -> None:
    """A token file others can read is that org's bad input (its row, exit 4); an unsafe folder stops the fleet."""
    orgs = {"alpha-org": "compliant", "beta-org": "compliant"}
    folder = tmp_path / "tokens"
    folder.mkdir(mode=0o700)
    with FleetSimulator(orgs) as sim:
        for i, org in enumerate(orgs):
            (folder / f"TOKEN_{i}").write_text(sim.tokens[org], encoding="utf-8")
            (folder / f"TOKEN_{i}").chmod(0o644 if org == "alpha-org" else 0o600)
        args = ("fleet", "--config", str(_config(tmp_path, orgs)), "--token-dir", str(folder), "--api-url", sim.url)
        checked = _command(*args, "--reports", "ok", env={}, cwd=tmp_path)
        sent = len(sim.requests)
        folder.chmod(0o777)
        refused = _command(*args, "--reports", "refused", env={}, cwd=tmp_path)
        assert len(sim.requests) == sent  # nothing sent for a fleet-wide problem
    assert checked.returncode == 1, checked.stdout + checked.stderr
    rows = {r["org"]: r for r in json.loads((tmp_path / "ok" / "fleet.json").read_text(encoding="utf-8"))["results"]}
    assert rows["alpha-org"]["overall"] == "COULD NOT RUN" and rows["alpha-org"]["exit_code"] == 4
    assert "chmod 600" in rows["alpha-org"]["problem"] and "chmod 600" in checked.stdout
    assert not (tmp_path / "ok" / "alpha-org").exists()
    assert rows["beta-org"]["verdicts"]["TOKEN-STORAGE"] == "pass" and rows["beta-org"]["exit_code"] == 0
    assert refused.returncode == 4
    assert "chmod 700" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "refused").exists()
    for token in sim.tokens.values():
        assert_no_leak(token, {**_texts(checked, tmp_path / "ok"), **_texts(refused, tmp_path / "refused")})


@pytest.mark.e2e
def test_fleet_with_app_tokens_and_a_missing_org(tmp_path: Path) -> None:
    """An org GitHub does not know, or whose token is not set, is that org's failure to run; the others are checked."""
    orgs = {"alpha-org": "compliant", "delta-org": "compliant"}
    with FleetSimulator(orgs, app=True) as sim:
        entries = [{"org": o, "token_secret": f"TOKEN_{i}", "app_token_secret": f"APP_{i}"} for i, o in enumerate(orgs)]
        entries[1]["org"] = "ghost-org"  # the simulator knows no org of that name: GitHub's 404
        entries.append({"org": "unset-org", "token_secret": "TOKEN_UNSET"})  # no such variable in the environment
        config = tmp_path / "orgs.yml"
        config.write_text(yaml.safe_dump({"orgs": entries}), encoding="utf-8")
        env = {f"TOKEN_{i}": sim.tokens[o] for i, o in enumerate(orgs)}
        env.update({f"APP_{i}": sim.app_tokens[o] for i, o in enumerate(orgs)})
        proc = _command("fleet", "--config", str(config), "--reports", "r", "--api-url", sim.url, env=env, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    summary = json.loads((tmp_path / "r" / "fleet.json").read_text(encoding="utf-8"))
    rows = {r["org"]: r for r in summary["results"]}
    assert rows["ghost-org"]["overall"] == "COULD NOT RUN" and "no organization named" in rows["ghost-org"]["problem"]
    assert rows["alpha-org"]["verdicts"]["READ-ONLY"] == "pass"  # the grant record settled it
    assert rows["unset-org"]["overall"] == "COULD NOT RUN" and rows["unset-org"]["exit_code"] == 4
    assert "export TOKEN_UNSET=" in rows["unset-org"]["problem"]
    for token in [*sim.tokens.values(), *sim.app_tokens.values()]:
        assert_no_leak(token, _texts(proc, tmp_path / "r"))

"""The history end to end: concurrent appends in real processes, and a year of weekly runs against the simulator.

The year is built from recordings of the simulator (real HTTP, the simulator's clock set by the scenario's `now`),
replayed once per week with the cassette's `recorded_at` set to that Monday, each run keeping its record through
`--history`; the period report is then asked for that year and every fact it states is checked.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from compliance.token import Token
from tests.simulator import GitHubSimulator, load_scenario
from tests.suite_command import suite_argv
from tests.support import APP_CANARY, CANARY, ORG, REPO, assert_no_leak

pytestmark = pytest.mark.e2e

ROTATED = CANARY.replace("CanaryLeakTestValue", "CanaryRotatedValue1")  # the token that replaces it in June
RUNS = "https://github.com/acme/ops/actions/runs/"
START = dt.datetime(2025, 12, 1, 6, 17, tzinfo=dt.UTC)  # a Monday, the weekly job's time


def _history(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_"))}
    return subprocess.run(
        [sys.executable, "-m", "compliance.history", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def _report(at: str) -> dict[str, Any]:
    token = {"fingerprint": "sha256:1a2b3c4d"}
    return {
        "schema_version": 1,
        "org": ORG,
        "profile": "milestone-copilot",
        "mode": "live",
        "api_url": "https://api.github.com",
        "generated_at": at,
        "token": token,
        "overall": "COMPLIANT",
        "requirements": [{"id": "ACTIVE", "verdict": "pass", "source": "token"}],
    }


def test_concurrent_appends_keep_every_record(tmp_path: Path) -> None:
    """Six processes append at once (released together from a held lock): six records, one valid chain."""
    history = tmp_path / "history.jsonl"
    history.touch()
    reports = []
    for i in range(6):
        path = tmp_path / f"r{i}.json"
        path.write_text(json.dumps(_report(f"2026-01-{5 + i:02d}T06:17:00Z")), encoding="utf-8")
        reports.append(path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_"))}
    with history.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # every appender starts, reads nothing, and waits for this lock
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "compliance.history", "append", "--history", str(history), "--report", str(r)],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for r in reports
        ]
        time.sleep(2.0)  # long enough for all six to reach the lock on a loaded machine
        assert all(p.poll() is None for p in procs), "an appender did not wait for the lock"
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, results
    records = [json.loads(line) for line in history.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["at"] for r in records) == [f"2026-01-{5 + i:02d}T06:17:00Z" for i in range(6)]
    assert [r["seq"] for r in records] == list(range(6))
    verified = _history("verify", "--history", str(history), cwd=REPO)
    assert verified.returncode == 0 and "verified: 6 records" in verified.stdout


def _record(tmp_path: Path, name: str, scenario: str, token: str, clock: dt.datetime) -> Path:
    """A cassette of the simulator (with the App token reading the grant record) at the simulator time `clock`."""
    data = load_scenario(scenario)
    data["now"] = clock.isoformat()
    data["token"]["age_days"] = 0  # created at `clock`
    cassette, out = tmp_path / "cassettes" / f"{name}.yaml", tmp_path / "recordings" / name
    env = {**os.environ, "GITHUB_TOKEN": token, "APP_TOKEN": APP_CANARY}
    with GitHubSimulator(data, token, app_token=APP_CANARY) as sim:
        argv = suite_argv("--org", ORG, "--api-url", sim.url, "--mode", "record", "--cassette", str(cassette),
                          "--app-token-env", "APP_TOKEN", "--expected-owner", "acme-copilot-bot",
                          "--compliance-json", str(out / "c.json"), "--compliance-md", str(out / "c.md"),
                          "--html", str(out / "c.html"))  # fmt: skip
        proc = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 1) and cassette.is_file(), proc.stdout[-2000:] + proc.stderr[-2000:]
    return cassette


def _replay(tmp_path: Path, cassette: Path, at: dt.datetime, run_id: int, history: Path) -> dict[str, Any]:
    """One weekly run: the cassette replayed as if recorded at `at`, kept in the history with its run's address."""
    week = tmp_path / "weeks" / f"{run_id}.yaml"
    week.parent.mkdir(exist_ok=True)
    text = cassette.read_text(encoding="utf-8")
    week.write_text(re.sub(r"recorded_at: '[^']*'", f"recorded_at: '{at.isoformat()}'", text), encoding="utf-8")
    out = tmp_path / "runs" / str(run_id)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_"))}
    env.update(GITHUB_SERVER_URL="https://github.com", GITHUB_REPOSITORY="acme/ops", GITHUB_RUN_ID=str(run_id))
    argv = suite_argv("--org", ORG, "--mode", "replay", "--cassette", str(week), "--history", str(history),
                      "--compliance-json", str(out / "c.json"), "--compliance-md", str(out / "c.md"),
                      "--html", str(out / "c.html"))  # fmt: skip
    proc = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "--history: kept as record" in proc.stdout
    return json.loads((out / "c.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _z(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_year_of_weekly_runs_and_its_period_report(tmp_path: Path) -> None:
    """Pending, compliant, failing, re-checked, rotated and a missed week: the period report states each fact."""
    rotation = START + dt.timedelta(weeks=26)  # 2026-06-01: token B replaces token A
    tapes = {
        "a-pending": _record(tmp_path, "a-pending", "pending-approval", CANARY, START),
        "a-ok": _record(tmp_path, "a-ok", "compliant", CANARY, START),
        "a-fail": _record(tmp_path, "a-fail", "missing-members", CANARY, START),
        "b-pending": _record(tmp_path, "b-pending", "pending-approval", ROTATED, rotation),
        "b-ok": _record(tmp_path, "b-ok", "compliant", ROTATED, rotation),
    }
    plan: list[tuple[dt.datetime, str]] = []
    for week in range(52):
        monday = START + dt.timedelta(weeks=week)
        if week == 35:
            continue  # 2026-08-03: the job did not run
        tape = {0: "a-pending", 13: "a-fail", 14: "a-fail", 26: "b-pending"}.get(week)
        plan.append((monday, tape or ("a-ok" if week < 26 else "b-ok")))
        if week == 14:  # after the fix, an org owner's /recheck on Wednesday afternoon
            plan.append((monday + dt.timedelta(days=2, hours=7, minutes=48), "a-ok"))
    history = tmp_path / "history" / "history.jsonl"
    docs = [_replay(tmp_path, tapes[tape], at, 1000 + i, history) for i, (at, tape) in enumerate(plan)]

    # remembered facts: the creation time the pending request showed proves LIFETIME-MAX from then on
    lifetime = {r["id"]: r for r in docs[1]["requirements"]}["LIFETIME-MAX"]
    assert (lifetime["verdict"], lifetime["source"]) == ("pass", "org-record")
    assert "history record 0" in lifetime["evidence"] and "a lifetime of 365 days" in lifetime["evidence"]
    assert [d["overall"] for d in docs[:3]] == ["NOT COMPLIANT", "COMPLIANT", "COMPLIANT"]
    assert docs[0]["token"]["created_at"] == _z(START)

    out = tmp_path / "period"
    args = ("--history", str(history), "--org", ORG, "--since", "2025-12-01", "--until", "2026-11-29")
    made = _history("report", *args, "--out", str(out), cwd=REPO)
    assert made.returncode == 0, made.stderr
    base = out / f"period-{ORG}-2025-12-01-2026-11-29"
    f = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
    recheck = START + dt.timedelta(weeks=14, days=2, hours=7, minutes=48)
    expect = {
        "weeks_from": "2025-12-01", "weeks_to": "2026-11-29", "runs_made": 52, "runs_expected": 52,
        "weeks_compliant": 47, "weeks_not_compliant": 4, "weeks_missed": 1, "missed_weeks": ["2026-08-03"],
        "requirements_failed": {"APPROVED": 2, "COPILOT-BUSINESS-READ": 2, "MEMBERS-READ": 4},
    }  # fmt: skip
    assert {k: f[k] for k in expect} == expect
    assert f["chain"] == {"verified": True, "records": 52, "head": f["chain"]["head"], "break": None}
    incidents = [(i["failed"]["at"], i["failed"]["run_url"], i["recovered"]["at"], i["recovered"]["run_url"],
                  i["days"]) for i in f["incidents"]]  # fmt: skip
    assert incidents == [
        (_z(START), RUNS + "1000", _z(START + dt.timedelta(weeks=1)), RUNS + "1001", 7.0),
        (_z(START + dt.timedelta(weeks=13)), RUNS + "1013", _z(recheck), RUNS + "1015", 9.3),
        (_z(rotation), RUNS + "1027", _z(rotation + dt.timedelta(weeks=1)), RUNS + "1028", 7.0),
    ]
    assert f["first_failure"]["at"] == _z(START) and f["recovery"]["run_url"] == RUNS + "1001"
    assert f["incidents"][1]["failed"]["failing"] == ["MEMBERS-READ"]
    tokens = [(t["fingerprint"], t["created_at"], t["expires_at"], t["lifetime_days"], t["first_seen"], t["last_seen"])
              for t in f["tokens"]]  # fmt: skip
    assert tokens == [
        (Token(CANARY).fingerprint, _z(START), _z(START + dt.timedelta(days=365)), 365, _z(START),
         _z(START + dt.timedelta(weeks=25))),
        (Token(ROTATED).fingerprint, _z(rotation), _z(rotation + dt.timedelta(days=365)), 365, _z(rotation),
         _z(START + dt.timedelta(weeks=51))),
    ]  # fmt: skip
    due = rotation + dt.timedelta(days=365 - 30)
    assert (f["rotation"]["expires_at"], f["rotation"]["rotate_by"]) == (_z(rotation + dt.timedelta(days=365)), _z(due))
    statuses = [w["status"] for w in f["weeks"]]
    assert [i for i, s in enumerate(statuses) if s != "compliant"] == [0, 13, 14, 26, 35]
    assert statuses[35] == "missed" and len(f["weeks"][14]["runs"]) == 2

    markdown = base.with_suffix(".md").read_text(encoding="utf-8")
    assert f"{ORG}: 47 of 52 weeks compliant, 1 missed, 52 runs from 2025-12-01 to 2026-11-29" in markdown
    assert "| Missed runs | week of 2026-08-03 |" in markdown
    assert f"| First failure | 2025-12-01T06:17:00Z (NOT COMPLIANT) ([run]({RUNS}1000)) |" in markdown
    assert f"| Rotation due | {due:%Y-%m-%d} (30 days before expiry" in markdown
    html = base.with_suffix(".html").read_text(encoding="utf-8")
    assert f'<a href="{RUNS}1015">' in html and "week of 2026-08-03" in html and 'class="banner not-compliant"' in html
    assert base.with_suffix(".pdf").read_bytes().startswith(b"%PDF-")
    texts = {str(p): p.read_bytes().decode("utf-8", "replace") for p in tmp_path.rglob("*") if p.is_file()}
    for token in (CANARY, ROTATED, APP_CANARY):
        assert_no_leak(token, texts)  # the history, its head, the period report in every format, every run's reports

    # an edited week: verify and the period report both say the chain is broken, naming the record
    lines = history.read_text(encoding="utf-8").splitlines()
    lines[13] = lines[13].replace('"overall":"NOT COMPLIANT"', '"overall":"COMPLIANT"')
    history.write_text("\n".join(lines) + "\n", encoding="utf-8")
    broken = _history("report", *args, "--out", str(out), "--format", "json", cwd=REPO)
    assert broken.returncode == 1
    assert "Record 14 (acme-analytics, 2026-03-02T06:17:00Z) does not match its own hash" in broken.stderr
    assert json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))["chain"]["verified"] is False


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def test_the_weekly_job_keeps_every_org_through_a_push_race(tmp_path: Path) -> None:
    """Two writers push to the history branch at once: one wins, the other starts again; every record is kept."""
    remote = tmp_path / "remote.git"
    _git("init", "--quiet", "--bare", str(remote), cwd=tmp_path)
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nsleep 2\n", encoding="utf-8")  # both writers reach the push before either lands
    hook.chmod(0o755)
    runs = []
    for run, orgs in enumerate([("org-a", "org-b"), ("org-c",)]):
        for org in orgs:
            folder = tmp_path / f"run{run}" / f"copilot-token-compliance-{org}"
            folder.mkdir(parents=True)
            doc = {**_report(f"2026-01-05T06:1{run}:00Z"), "org": org}
            (folder / "compliance.json").write_text(json.dumps(doc), encoding="utf-8")
        runs.append(tmp_path / f"run{run}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_"))}
    env["PYTHON"] = sys.executable
    script = str(REPO / "scripts" / "keep_history.sh")
    procs = [
        subprocess.Popen(["bash", script, str(remote), "compliance-history", str(r), f"{RUNS}{i}"], cwd=REPO, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i, r in enumerate(runs)
    ]  # fmt: skip
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert any("push race (attempt 1)" in err for _, err in results), results
    clone = tmp_path / "clone"
    _git("clone", "--quiet", "--branch", "compliance-history", str(remote), str(clone), cwd=tmp_path)
    records = [json.loads(line) for line in (clone / "history.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(r["org"] for r in records) == ["org-a", "org-b", "org-c"]
    orgs_in_order = [r["org"] for r in records]
    assert orgs_in_order.index("org-a") + 1 == orgs_in_order.index("org-b")  # one run's records stay together
    verified = _history("verify", "--history", str(clone / "history.jsonl"), cwd=REPO)
    assert verified.returncode == 0 and "verified: 3 records" in verified.stdout
    assert verified.stdout.strip() in [out.strip() for out, _ in results]  # the last writer printed the head
    assert len(_git("log", "--oneline", cwd=clone).splitlines()) == 2


@pytest.mark.parametrize(
    ("setup", "needle"),
    [
        ("broken", "does not verify, so nothing in it is trusted: Record 1"),
        ("garbage", "Line 1 of the history"),
        ("folder", "is a folder"),
        ("symlink", "is not a regular file"),
    ],
)
def test_a_bad_history_stops_the_suite_before_any_request(
    run_suite: Any, tmp_path: Path, setup: str, needle: str
) -> None:
    """--history is input: a history that is malformed or does not verify is one sentence, exit 4, nothing sent."""
    history = tmp_path / "history.jsonl"
    if setup == "broken":
        good = tmp_path / "r.json"
        good.write_text(json.dumps(_report("2026-01-05T06:17:00Z")), encoding="utf-8")
        assert _history("append", "--history", str(history), "--report", str(good), cwd=REPO).returncode == 0
        history.write_text(history.read_text(encoding="utf-8").replace("COMPLIANT", "INCOMPLETE"), encoding="utf-8")
    elif setup == "garbage":
        history.write_text("not json\n", encoding="utf-8")
    elif setup == "folder":
        history.mkdir()
    else:
        history.symlink_to(tmp_path / "elsewhere.jsonl")
    run = run_suite("compliant", "--history", str(history))
    assert run.ret == 4, run.stdout[-2000:] + run.stderr[-2000:]
    assert needle in run.stderr and "Traceback" not in run.stdout + run.stderr
    assert not (run.out / "compliance.json").exists()
    if setup in ("broken", "garbage"):
        assert run.requests == []  # refused before the first GET

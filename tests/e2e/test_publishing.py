"""The scheduled job's scripts and the publishing commands, against the simulator and local fakes."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance.publish.tracking import Action, decide
from tests.fakes import FakeGitHubIssues, FakeJira
from tests.simulator import GitHubSimulator, load_scenario
from tests.support import CANARY, REPO, SuiteRun, assert_no_leak

GH_TOKEN = "ghs_FAKEPUBLISHINGTOKEN000000000000000000"  # the workflow's GITHUB_TOKEN stand-in, a fake


def _run(module: str, *args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_", "JIRA_"))}
    return subprocess.run(
        [sys.executable, "-m", module, *args], env={**base, **env}, cwd=cwd, capture_output=True, text=True, check=False
    )


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


@pytest.mark.parametrize(
    ("state", "issue", "expected"),
    [
        ("broken", None, Action("create")),
        ("expiring", None, Action("create")),
        ("broken", 7, Action("update", 7)),
        ("compliant", 7, Action("close", 7)),
        ("compliant", None, Action("none")),
    ],
)
def test_tracking_decision(state: str, issue: int | None, expected: Action) -> None:
    """Open or update while wrong or expiring, close when compliant, never a duplicate."""
    assert decide(state, issue) == expected


@pytest.mark.e2e
def test_three_orgs_weekly(tmp_path: Path) -> None:
    """Compliant, expiring soon and broken orgs give the expected outcomes, summaries and tracking issues."""
    cases = {
        "compliant-org": ("compliant", "0", "compliant"),
        "expiring-org": ("expiring-soon", "0", "expiring"),
        "broken-org": ("missing-members", "1", "broken"),
    }
    with FakeGitHubIssues(GH_TOKEN) as issues:
        for org, (scenario, exit_code, state) in cases.items():
            work = tmp_path / org
            work.mkdir()
            data = load_scenario(scenario, org={"login": org})
            with GitHubSimulator(data, CANARY) as sim:
                env = {
                    "GITHUB_TOKEN": CANARY,
                    "GITHUB_API_URL": sim.url,
                    "GITHUB_OUTPUT": str(work / "out"),
                    "GITHUB_STEP_SUMMARY": str(work / "summary.md"),
                }
                proc = _run(
                    "compliance.scheduled", "check", "--org", org, "--reports", str(work / "reports"), env=env, cwd=REPO
                )
            assert proc.returncode == 0, proc.stderr
            outputs = _outputs(work / "out")
            assert (outputs["exit_code"], outputs["state"]) == (exit_code, state)
            summary = (work / "summary.md").read_text()
            assert summary.startswith("## Copilot token compliance:")
            assert_no_leak(CANARY, {"stdout": proc.stdout, "stderr": proc.stderr, "summary": summary})
            track = _run(
                "compliance.publish.tracking",
                "--org",
                org,
                "--state",
                state,
                "--repo",
                "acme/ops",
                "--summary",
                str(work / "reports/compliance.md"),
                "--run-url",
                "https://ci.example/run/1",
                env={"GH_TOKEN": GH_TOKEN, "GITHUB_API_URL": issues.url},
                cwd=tmp_path,
            )
            assert track.returncode == 0, track.stderr
        titles = {i["title"]: i for i in issues.issues.values()}
        assert set(titles) == {"Copilot token compliance: expiring-org", "Copilot token compliance: broken-org"}
        assert "The token is not compliant." in titles["Copilot token compliance: broken-org"]["body"]
        assert "MEMBERS-READ" in titles["Copilot token compliance: broken-org"]["body"]
        broken = titles["Copilot token compliance: broken-org"]["number"]

        def track(state: str) -> str:
            done = _run(
                "compliance.publish.tracking",
                "--org",
                "broken-org",
                "--state",
                state,
                "--repo",
                "acme/ops",
                env={"GH_TOKEN": GH_TOKEN, "GITHUB_API_URL": issues.url},
                cwd=tmp_path,
            )
            assert done.returncode == 0, done.stderr
            return done.stdout

        assert "updated tracking issue" in track("broken")  # still broken next week: a comment, no duplicate
        assert len(issues.issues) == 2
        assert "closed tracking issue" in track("compliant")
        assert issues.issues[broken]["state"] == "closed"
        assert "compliant again" in issues.comments[broken][-1]
        assert all(GH_TOKEN not in body.decode(errors="replace") for _, _, _, body in issues.calls)


@pytest.mark.e2e
def test_check_reports_a_usage_error(tmp_path: Path) -> None:
    """A check that cannot run (no token) is 'broken' with exit code 4 and says why in the summary."""
    env = {"GITHUB_OUTPUT": str(tmp_path / "out"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    proc = _run("compliance.scheduled", "check", "--org", "acme", "--reports", str(tmp_path / "r"), env=env, cwd=REPO)
    assert proc.returncode == 0
    assert _outputs(tmp_path / "out") == {"exit_code": "4", "state": "broken"}
    assert "could not run" in (tmp_path / "summary.md").read_text()


def test_matrix_from_config(tmp_path: Path) -> None:
    """The config file becomes the job matrix; --only narrows it; a bad file is one sentence and exit 4."""
    config = tmp_path / "orgs.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "orgs": [
                    {"org": "a", "token_secret": "A_TOKEN"},
                    {"org": "b", "token_secret": "B_TOKEN", "expected_owner": "b-bot"},
                ]
            }
        )
    )
    proc = _run("compliance.scheduled", "matrix", "--config", str(config), env={}, cwd=REPO)
    matrix = json.loads(proc.stdout.split("matrix=", 1)[1])
    assert [m["org"] for m in matrix["include"]] == ["a", "b"]
    proc = _run("compliance.scheduled", "matrix", "--config", str(config), "--only", "b", env={}, cwd=REPO)
    assert json.loads(proc.stdout.split("matrix=", 1)[1])["include"][0]["expected_owner"] == "b-bot"
    config.write_text("orgs: [{org: a}]")
    proc = _run("compliance.scheduled", "matrix", "--config", str(config), env={}, cwd=REPO)
    assert proc.returncode == 4
    assert "token_secret" in proc.stderr
    assert (REPO / ".github/compliance-orgs.yml").is_file()


def test_tracking_refuses_the_token_under_test(tmp_path: Path) -> None:
    """Publishing never uses the token under test."""
    proc = _run(
        "compliance.publish.tracking",
        "--org",
        "a",
        "--state",
        "broken",
        "--repo",
        "acme/ops",
        env={"GH_TOKEN": CANARY, "GITHUB_TOKEN": CANARY, "GITHUB_API_URL": "http://127.0.0.1:9"},
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert "Refusing to publish with the token under test" in proc.stderr
    assert_no_leak(CANARY, {"stderr": proc.stderr, "stdout": proc.stdout})


@pytest.fixture
def reports(demo_run: SuiteRun) -> Path:
    """A folder with the three reports, from the demo replay."""
    return demo_run.out


@pytest.mark.e2e
def test_attach_to_github_issue(reports: Path, tmp_path: Path) -> None:
    """A GitHub ticket gets the Markdown summary and a link to the run's artifact as a comment."""
    with FakeGitHubIssues(GH_TOKEN) as gh:
        gh.issues[5] = {"number": 5, "title": "Onboard", "body": "", "state": "open", "labels": []}
        proc = _run(
            "compliance.publish.attach",
            "--reports",
            str(reports),
            "--ticket",
            "github:acme/onboarding#5",
            "--run-url",
            "https://ci.example/run/9",
            env={"GH_TOKEN": GH_TOKEN, "GITHUB_API_URL": gh.url},
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stderr
        comment = gh.comments[5][0]
        assert comment.startswith("## Copilot token compliance") and "https://ci.example/run/9" in comment
        assert GH_TOKEN not in proc.stdout + proc.stderr


JIRA_EMAIL, JIRA_TOKEN = "bot@acme.example", "FAKE-JIRA-API-TOKEN-0000"
BASIC = "Basic " + base64.b64encode(f"{JIRA_EMAIL}:{JIRA_TOKEN}".encode()).decode()


def _attach_jira(reports: Path, tmp: Path, url: str, *extra: str, env: dict[str, str] | None = None) -> Any:
    creds = env if env is not None else {"JIRA_EMAIL": JIRA_EMAIL, "JIRA_API_TOKEN": JIRA_TOKEN}
    return _run(
        "compliance.publish.attach",
        "--reports",
        str(reports),
        "--ticket",
        "jira:ONB-42",
        "--jira-url",
        url,
        *extra,
        env=creds,
        cwd=tmp,
    )


@pytest.mark.e2e
def test_attach_to_jira_cloud_and_data_center(reports: Path, tmp_path: Path) -> None:
    """Jira Cloud (API 3, basic auth) and Data Center (API 2, PAT) get the HTML attached and a short comment."""
    with FakeJira(BASIC) as jira:
        proc = _attach_jira(reports, tmp_path, jira.url)
        assert proc.returncode == 0, proc.stderr
        assert jira.attachments[0][0] == "compliance.html"
        assert jira.attachments[0][1] == (reports / "compliance.html").read_bytes()
        assert jira.comments[0]["type"] == "doc"
        assert JIRA_TOKEN not in proc.stdout + proc.stderr
    with FakeJira("Bearer FAKE-JIRA-PAT") as jira:
        proc = _attach_jira(reports, tmp_path, jira.url, "--jira-api", "2", env={"JIRA_PAT": "FAKE-JIRA-PAT"})
        assert proc.returncode == 0, proc.stderr
        assert isinstance(jira.comments[0], str) and "INCOMPLETE" in jira.comments[0]
        assert any(path.startswith("/rest/api/2/issue/ONB-42/attachments") for _, path, _, _ in jira.calls)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("auth", "key", "status", "needle"),
    [
        (BASIC.replace("Basic ", "Basic x"), "ONB-42", None, "rejected the credentials (401)"),
        (BASIC, "ONB-42", 403, "may not attach files"),
        (BASIC, "OTHER-1", None, "Jira has no ticket ONB-42"),
        (BASIC, "ONB-42", 413, "too large (413)"),
    ],
)
def test_jira_errors(reports: Path, tmp_path: Path, auth: str, key: str, status: int | None, needle: str) -> None:
    """401, 403, an unknown ticket and 413 each end in one plain sentence, exit 1, no credential shown."""
    with FakeJira(auth, key=key, status=status) as jira:
        proc = _attach_jira(reports, tmp_path, jira.url)
    assert proc.returncode == 1
    assert needle in proc.stderr
    assert JIRA_TOKEN not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr


def test_workflows_are_hardened() -> None:
    """permissions: {} at the top, SHA-pinned actions with versions, no pull_request_target, cron off the hour."""
    for path in (REPO / ".github/workflows").glob("*.yml"):
        text = path.read_text()
        data = yaml.safe_load(text)
        assert data["permissions"] == {}, path
        assert "pull_request_target" not in text
        for uses in re.findall(r"uses:\s*(\S+)(.*)", text):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses[0]), uses
            assert re.search(r"# v\d", uses[1]), uses
    weekly = yaml.safe_load((REPO / ".github/workflows/compliance.yml").read_text())
    cron = weekly[True]["schedule"][0]["cron"]  # YAML 1.1 reads the key `on` as True
    assert cron.split()[0] not in ("0", "00")
    step = next(s for s in weekly["jobs"]["check"]["steps"] if s.get("id") == "check")
    assert "toJSON(secrets)" in step["env"]["FLEET_SECRETS"] and "--secrets-env FLEET_SECRETS" in step["run"]
    assert "${{" not in step["run"]
    assert all("secrets" not in str(s.get("env", {})) for s in weekly["jobs"]["check"]["steps"] if s is not step)
    # the job that holds the tokens may only read; the tracking issues are written by a job that holds no secret
    assert weekly["jobs"]["check"]["permissions"] == {"contents": "read"}
    track = weekly["jobs"]["track"]
    assert track["permissions"] == {"contents": "read", "issues": "write"}
    assert "secrets" not in str(track) and all("${{" not in s.get("run", "") for s in track["steps"])
    assert "inputs.org" in weekly["concurrency"]["group"]  # a re-check of one org never drops another's

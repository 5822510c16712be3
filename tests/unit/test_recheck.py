"""Re-check on demand: which `/recheck` comments start a check, and the dispatch against a local fake of GitHub."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from compliance.publish.recheck import Refused, accept, main
from tests.fakes import FakeGitHubIssues

GH_TOKEN = "ghs_FAKEPUBLISHINGTOKEN000000000000000000"
EVENT: dict[str, Any] = {
    "action": "created",
    "comment": {"body": "/recheck\nfixed the Members permission", "author_association": "OWNER"},
    "issue": {"number": 7, "title": "Copilot token compliance: acme-analytics",
              "labels": [{"name": "copilot-token-compliance"}]},
    "repository": {"default_branch": "main"},
}  # fmt: skip


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    event = copy.deepcopy(EVENT)
    node = event
    for key in path[:-1]:
        node = node[key]
    if value is None:
        node.pop(path[-1])
    else:
        node[path[-1]] = value
    return event


def test_an_owner_or_member_recheck_is_accepted() -> None:
    assert accept(EVENT) == ("acme-analytics", 7, "main")
    assert accept(_with(("comment", "author_association"), "MEMBER"))[0] == "acme-analytics"


@pytest.mark.parametrize(
    ("path", "value", "why"),
    [
        (("comment", "author_association"), "CONTRIBUTOR", "CONTRIBUTOR here, not an org owner or member"),
        (("comment", "author_association"), "NONE", "not an org owner or member"),
        (("comment", "author_association"), "COLLABORATOR", "not an org owner or member"),
        (("comment", "author_association"), None, "unknown here"),
        (("comment", "body"), "please /recheck", "does not start with the line /recheck"),
        (("comment", "body"), "/recheck-all", "does not start with the line /recheck"),
        (("issue", "labels"), [{"name": "bug"}], "not labelled copilot-token-compliance"),
        (("issue", "pull_request"), {"url": "x"}, "on a pull request"),
        (("issue", "title"), "Copilot token compliance: acme; rm -rf /", "does not name one org"),
        (("issue", "title"), "Copilot token compliance: ", "does not name one org"),
        (("action",), "edited", "not a new comment"),
    ],
)
def test_other_comments_are_ignored_saying_why(path: tuple[str, ...], value: Any, why: str) -> None:
    with pytest.raises(Refused, match=why):
        accept(_with(path, value))


def _run(tmp_path: Path, event: dict[str, Any], fake: FakeGitHubIssues, monkeypatch: pytest.MonkeyPatch) -> int:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    monkeypatch.setenv("GH_TOKEN", GH_TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", fake.url)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    return main(["--event", str(path), "--repo", "acme/ops"])


def test_an_accepted_recheck_starts_the_orgs_check_and_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeGitHubIssues(GH_TOKEN) as fake:
        fake.issues[7] = {"number": 7, "title": EVENT["issue"]["title"], "body": "", "state": "open", "labels": []}
        assert _run(tmp_path, EVENT, fake, monkeypatch) == 0
        assert fake.dispatches == [("compliance.yml", {"ref": "main", "inputs": {"org": "acme-analytics"}})]
        assert fake.comments[7][0].startswith(
            "Re-check of acme-analytics started on request: https://github.com/acme/ops/actions/workflows/compliance.yml"
        )
        assert "started a re-check of acme-analytics (issue #7)" in capsys.readouterr().out


def test_an_ignored_comment_sends_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeGitHubIssues(GH_TOKEN) as fake:
        assert _run(tmp_path, _with(("comment", "author_association"), "NONE"), fake, monkeypatch) == 0
        assert fake.calls == []


def test_a_refused_dispatch_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeGitHubIssues(GH_TOKEN, status=403) as fake:
        assert _run(tmp_path, EVENT, fake, monkeypatch) == 1
    assert "the job needs actions: write and issues: write" in capsys.readouterr().err


def test_a_hostile_event_file_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "event.json"
    path.write_bytes(b"[" * 200_000)
    monkeypatch.setenv("GH_TOKEN", GH_TOKEN)
    assert main(["--event", str(path), "--repo", "acme/ops"]) == 1
    assert "is not a GitHub event payload" in capsys.readouterr().err


def test_only_the_history_job_writes_and_the_recheck_job_holds_no_more_than_it_needs() -> None:
    """contents: write on the history job alone; the recheck job: actions and issues, no secret, no ${{ in a shell."""
    import yaml

    root = Path(__file__).resolve().parents[2] / ".github" / "workflows"
    weekly = yaml.safe_load((root / "compliance.yml").read_text(encoding="utf-8"))
    writers = [name for name, job in weekly["jobs"].items() if job.get("permissions", {}).get("contents") == "write"]
    assert writers == ["history"]
    assert weekly["jobs"]["history"]["permissions"] == {"contents": "write"}
    assert weekly["jobs"]["history"]["needs"] == "check"
    recheck = yaml.safe_load((root / "recheck.yml").read_text(encoding="utf-8"))
    assert recheck[True] == {"issue_comment": {"types": ["created"]}}  # YAML 1.1 reads the key `on` as True
    job = recheck["jobs"]["recheck"]
    assert job["permissions"] == {"actions": "write", "issues": "write"}
    assert '["OWNER", "MEMBER"]' in job["if"] and "author_association" in job["if"]
    for step in [*job["steps"], *weekly["jobs"]["history"]["steps"]]:
        assert "${{" not in step.get("run", "")
    assert "secrets." not in (root / "recheck.yml").read_text(encoding="utf-8")

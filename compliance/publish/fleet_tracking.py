"""Tracking issues for a whole fleet: every open one listed once (all pages), then one issue per org kept in step.

Usage: python -m compliance.publish.fleet_tracking --reports DIR --repo OWNER/REPO [--run-url URL] [--pause 1]
Reads DIR/fleet.json and each org's DIR/ORG/compliance.{json,md} (as a fleet run wrote them). Needs GH_TOKEN (the
workflow's GITHUB_TOKEN with issues: write) and GITHUB_API_URL. Writes are spaced by --pause seconds: GitHub asks
for at least a second between writes and limits content creation to 80 a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from compliance.publish.http import Publisher, PublishError, repository_publisher
from compliance.publish.tracking import LABEL, decide, issue_body, title_for

__all__ = ["classify", "fleet_states", "main", "open_tracking_issues"]

_PAGES = 100  # 10,000 open issues with the label: twice the largest org config (compliance.fleet.config.MAX_ORGS)
_LIMIT = 4 * 1024 * 1024  # the largest report the tracking step reads


def classify(results: dict[str, Any] | None, exit_code: int) -> str:
    """Compliant | expiring | broken: what the tracking issue and the job outcome follow."""
    if results is None or exit_code != 0:
        return "broken"
    verdicts = {r["id"]: r["verdict"] for r in results.get("requirements", [])}
    if any(v in ("fail", "error") for v in verdicts.values()):
        return "broken"
    if verdicts.get("EXPIRY-HEADROOM") == "warn":
        return "expiring"
    return "compliant"


def _read(path: Path) -> str | None:
    try:
        with path.open(encoding="utf-8") as fh:
            return fh.read(_LIMIT)
    except (OSError, UnicodeDecodeError):
        return None


def fleet_states(reports: Path) -> dict[str, tuple[str, str]]:
    """Org -> (state, summary text) from a fleet run's reports; an org that could not run is broken."""
    text = _read(reports / "fleet.json")
    try:
        fleet = json.loads(text) if text else None
    except ValueError:
        fleet = None
    if not isinstance(fleet, dict) or not isinstance(fleet.get("results"), list):
        raise PublishError(f"{reports / 'fleet.json'} is missing or unreadable; run fleet mode first.")
    states = {}
    for row in fleet["results"]:
        org, code = str(row.get("org", "")), int(row.get("exit_code", 1))
        raw = _read(reports / org / "compliance.json")
        try:
            results = json.loads(raw) if raw and code in (0, 1) else None
        except ValueError:
            results = None
        summary = _read(reports / org / "compliance.md") or f"The check could not run: {row.get('problem', '')}"
        states[org] = (classify(results, code), summary)
    return states


def open_tracking_issues(gh: Publisher, repo: str) -> dict[str, int]:
    """Title -> number of every open tracking issue, read through every page."""
    found: dict[str, int] = {}
    for page in range(1, _PAGES + 1):
        params = {"state": "open", "labels": LABEL, "per_page": "100", "page": str(page)}
        listed = gh.send("GET", f"/repos/{repo}/issues", params=params) or []
        if not isinstance(listed, list):
            raise PublishError(f"GitHub answered the issue list of {repo} with something other than a list.")
        for issue in listed:
            if isinstance(issue, dict) and "pull_request" not in issue and isinstance(issue.get("number"), int):
                found.setdefault(str(issue.get("title")), issue["number"])
        if len(listed) < 100:
            return found
    raise PublishError(f"{repo} has more than {_PAGES * 100} open tracking issues; close some, then re-run.")


def _apply(gh: Publisher, repo: str, org: str, state: str, summary: str, issue: int | None, run_url: str) -> str:
    action, body, base = decide(state, issue), issue_body(state, summary, run_url), f"/repos/{repo}/issues"
    if action.kind == "create":
        created = gh.send("POST", base, json={"title": title_for(org), "body": body, "labels": [LABEL]})
        return f"opened tracking issue #{created.get('number') if isinstance(created, dict) else '?'} for {org}"
    if action.kind == "update":
        gh.send("POST", f"{base}/{action.issue}/comments", json={"body": body})
        return f"updated tracking issue #{action.issue} for {org}"
    if action.kind == "close":
        gh.send("POST", f"{base}/{action.issue}/comments", json={"body": body})
        gh.send("PATCH", f"{base}/{action.issue}", json={"state": "closed", "state_reason": "completed"})
        return f"closed tracking issue #{action.issue} for {org}: compliant again"
    return ""


def main(argv: list[str] | None = None) -> int:
    """Keep one tracking issue per org of the fleet in step with its state."""
    parser = argparse.ArgumentParser(prog="python -m compliance.publish.fleet_tracking", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--reports", default="reports")
    parser.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY", ""))
    parser.add_argument("--run-url", default="")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between writes")
    args = parser.parse_args(argv)
    try:
        states = fleet_states(Path(args.reports))
        with repository_publisher(args.repo) as gh:
            issues = open_tracking_issues(gh, args.repo)
            for org, (state, summary) in states.items():
                said = _apply(gh, args.repo, org, state, summary, issues.get(title_for(org)), args.run_url)
                if said:
                    print(said, flush=True)
                    time.sleep(max(0.0, args.pause))
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

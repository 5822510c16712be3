"""One tracking issue per org that follows the token's state: opened or updated while it is wrong, closed when fixed.

Usage: python -m compliance.publish.tracking --org ORG --state STATE [--summary reports/compliance.md]
           --repo OWNER/REPO [--run-url URL]
Needs GH_TOKEN (the workflow's GITHUB_TOKEN with issues: write) and GITHUB_API_URL.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from compliance.publish.http import Publisher, PublishError, repository_publisher

__all__ = ["LABEL", "Action", "decide", "main", "title_for"]

LABEL = "copilot-token-compliance"


@dataclass(frozen=True)
class Action:
    """What to do with the tracking issue: create, comment (update), close, or nothing."""

    kind: str  # "create" | "update" | "close" | "none"
    issue: int | None = None


def title_for(org: str) -> str:
    """The tracking issue's title: one per org, so a search finds it."""
    return f"Copilot token compliance: {org}"


def decide(state: str, open_issue: int | None) -> Action:
    """Pure decision: a wrong or expiring token opens or updates its issue; a compliant one closes it."""
    if state in ("broken", "expiring"):
        return Action("update", open_issue) if open_issue else Action("create")
    return Action("close", open_issue) if open_issue else Action("none")


def issue_body(state: str, summary: str, run_url: str) -> str:
    heading = {
        "broken": "The token is not compliant.",
        "expiring": "The token expires soon.",
        "compliant": "The token is compliant again.",
    }[state]
    run = f"\n\nReports of this run: {run_url}" if run_url else ""
    if state != "compliant":  # .github/workflows/recheck.yml answers this comment
        run += "\n\nAfter a fix, an org owner or member can comment `/recheck` here to check again at once."
    return f"{heading}{run}\n\n{summary}".strip()


_PAGES = 50  # 5,000 open tracking issues: far beyond any fleet


def _find_open(gh: Publisher, repo: str, title: str) -> int | None:
    """The open tracking issue with this title, looked for on every page of the labelled open issues."""
    for page in range(1, _PAGES + 1):
        params = {"state": "open", "labels": LABEL, "per_page": "100", "page": str(page)}
        listed = gh.send("GET", f"/repos/{repo}/issues", params=params) or []
        if not isinstance(listed, list):
            raise PublishError(f"GitHub answered the issue list of {repo} with something other than a list.")
        found = [i for i in listed if isinstance(i, dict) and i.get("title") == title and "pull_request" not in i]
        if found:
            number = found[0].get("number")
            if not isinstance(number, int):
                raise PublishError(f"GitHub listed the tracking issue of {repo} without a number.")
            return number
        if len(listed) < 100:
            return None
    raise PublishError(f"{repo} has more than {_PAGES * 100} open tracking issues; close some, then re-run.")


def main(argv: list[str] | None = None) -> int:
    """Find the org's open tracking issue and apply the decision."""
    parser = argparse.ArgumentParser(
        prog="python -m compliance.publish.tracking",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--org", required=True)
    parser.add_argument("--state", required=True, choices=["compliant", "expiring", "broken"])
    parser.add_argument("--summary", default="reports/compliance.md")
    parser.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY", ""))
    parser.add_argument("--run-url", default="")
    args = parser.parse_args(argv)
    try:
        summary_path = Path(args.summary)
        summary = summary_path.read_text(encoding="utf-8") if summary_path.is_file() else ""
        with repository_publisher(args.repo) as gh:
            title = title_for(args.org)
            existing = _find_open(gh, args.repo, title)
            action = decide(args.state, existing)
            body = issue_body(args.state, summary, args.run_url)
            if action.kind == "create":
                created = gh.send(
                    "POST", f"/repos/{args.repo}/issues", json={"title": title, "body": body, "labels": [LABEL]}
                )
                number = created.get("number") if isinstance(created, dict) else None
                print(f"opened tracking issue #{number} for {args.org}")
            elif action.kind == "update":
                gh.send("POST", f"/repos/{args.repo}/issues/{action.issue}/comments", json={"body": body})
                print(f"updated tracking issue #{action.issue} for {args.org}")
            elif action.kind == "close":
                gh.send("POST", f"/repos/{args.repo}/issues/{action.issue}/comments", json={"body": body})
                gh.send(
                    "PATCH",
                    f"/repos/{args.repo}/issues/{action.issue}",
                    json={"state": "closed", "state_reason": "completed"},
                )
                print(f"closed tracking issue #{action.issue} for {args.org}: compliant again")
            else:
                print(f"no tracking issue needed for {args.org}")
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

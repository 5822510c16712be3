"""Re-check on demand: a `/recheck` comment on an org's tracking issue, from an org owner or member, starts its check.

Usage (the recheck workflow's one step; the event is GitHub's issue_comment payload):
  python -m compliance.publish.recheck --event "$GITHUB_EVENT_PATH" [--workflow compliance.yml]
Needs GH_TOKEN (the workflow's GITHUB_TOKEN with actions: write and issues: write) and GITHUB_API_URL.

The comment is accepted only when all hold: it is on an issue (not a pull request) labelled copilot-token-compliance
whose title names one org, its first line is exactly `/recheck`, and GitHub says its author is an OWNER or MEMBER
of the organization that owns this repository (author_association). Anything else is ignored with one line saying
why, and exit code 0: a comment is not a failure. Accepted, it starts the weekly workflow for that org
(workflow_dispatch with the `org` input) and answers on the issue; that run closes the issue when the token is
compliant again.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from compliance.publish.http import PublishError, repository_publisher
from compliance.publish.tracking import LABEL, title_for

__all__ = ["ALLOWED", "Refused", "accept", "main"]

ALLOWED = ("OWNER", "MEMBER")  # GitHub's author_association for the repository's org owners and members
_ORG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_EVENT_LIMIT = 1024 * 1024  # bytes: an issue_comment payload is a few KiB (a comment is at most 65,536 characters)


class Refused(ValueError):
    """The comment does not ask for a re-check, or may not; the message says why."""


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def accept(event: dict[str, Any]) -> tuple[str, int, str]:
    """The org, issue number and default branch of an accepted `/recheck` comment; Refused (saying why) otherwise."""
    comment, issue = event.get("comment") or {}, event.get("issue") or {}
    if not isinstance(comment, dict) or not isinstance(issue, dict) or event.get("action") != "created":
        raise Refused("not a new comment on an issue")
    lines = _text(comment.get("body")).strip().splitlines()
    if not lines or lines[0].strip() != "/recheck":
        raise Refused("the comment does not start with the line /recheck")
    if "pull_request" in issue:
        raise Refused("the comment is on a pull request, not a tracking issue")
    labels = [label.get("name") for label in issue.get("labels") or [] if isinstance(label, dict)]
    if LABEL not in labels:
        raise Refused(f"the issue is not labelled {LABEL}")
    association = _text(comment.get("author_association"))
    if association not in ALLOWED:
        raise Refused(f"the comment's author is {association or 'unknown'} here, not an org owner or member")
    org = _text(issue.get("title")).removeprefix(title_for(""))
    if not _ORG.fullmatch(org) or title_for(org) != issue.get("title"):
        raise Refused("the issue's title does not name one org as the tracking issue's title does")
    number, branch = issue.get("number"), _text((event.get("repository") or {}).get("default_branch"))
    if not isinstance(number, int) or not branch:
        raise Refused("the event names no issue number or default branch")
    return org, number, branch


def _event(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            raw = fh.read(_EVENT_LIMIT + 1)
        data = json.loads(raw) if len(raw) <= _EVENT_LIMIT else None
    except (OSError, ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise PublishError(f"The event file {path} is not a GitHub event payload of at most 1 MiB.")
    return data


def main(argv: list[str] | None = None) -> int:
    """Accept or ignore the comment; when accepted, start the org's check and answer on the issue."""
    parser = argparse.ArgumentParser(
        prog="python -m compliance.publish.recheck",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--event", default=os.environ.get("GITHUB_EVENT_PATH", ""))
    parser.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY", ""))
    parser.add_argument("--workflow", default="compliance.yml")
    args = parser.parse_args(argv)
    try:
        try:
            org, number, branch = accept(_event(Path(args.event)))
        except Refused as exc:
            print(f"ignored: {exc}.")
            return 0
        messages = {
            403: "GH_TOKEN may not start workflows or write issues here (403); the job needs actions: write and "
            "issues: write.",
            404: f"The workflow {args.workflow} or issue #{number} was not found in {args.repo} (404).",
            422: f"The workflow {args.workflow} does not accept workflow_dispatch with an org input on {branch} (422).",
        }
        with repository_publisher(args.repo, messages) as gh:
            path = f"/repos/{args.repo}/actions/workflows/{args.workflow}/dispatches"
            gh.send("POST", path, json={"ref": branch, "inputs": {"org": org}})
            server = os.environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
            runs = f"{server}/{args.repo}/actions/workflows/{args.workflow}"
            body = (
                f"Re-check of {org} started on request: {runs}\n\n"
                "This issue closes by itself when that run finds the token compliant again."
            )
            gh.send("POST", f"/repos/{args.repo}/issues/{number}/comments", json={"body": body})
        print(f"started a re-check of {org} (issue #{number})")
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

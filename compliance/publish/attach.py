"""Attach a compliance report to an onboarding ticket: a GitHub issue comment, or a Jira attachment plus comment.

Usage:
  python -m compliance.publish.attach --reports reports --ticket github:OWNER/REPO#123 [--run-url URL]
  python -m compliance.publish.attach --reports reports --ticket jira:ONB-42 --jira-url URL [--jira-api 3]

Credentials come from the environment only: GH_TOKEN (and GITHUB_API_URL) for GitHub; for Jira Cloud
JIRA_EMAIL and JIRA_API_TOKEN, for Jira Data Center JIRA_PAT. They never appear in any output.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import sys
from pathlib import Path

from compliance.publish.http import Publisher, PublishError, checked_url, github_api_url, guard_token_under_test

__all__ = ["main", "parse_ticket"]

_GITHUB = re.compile(r"github:(?P<repo>[\w.-]+/[\w.-]+)#(?P<number>\d+)")
_JIRA = re.compile(r"jira:(?P<key>[A-Z][A-Z0-9_]*-\d+)")


def parse_ticket(text: str) -> tuple[str, str]:
    """('github', 'OWNER/REPO#N') or ('jira', 'KEY-N'); anything else is an error."""
    if m := _GITHUB.fullmatch(text):
        return "github", f"{m['repo']}#{m['number']}"
    if m := _JIRA.fullmatch(text):
        return "jira", m["key"]
    raise PublishError(f"--ticket {text!r} is neither github:OWNER/REPO#NUMBER nor jira:KEY-NUMBER.")


def _github(reports: Path, ref: str, run_url: str) -> str:
    token = os.environ.get("GH_TOKEN", "")
    if not token:
        raise PublishError("GH_TOKEN is not set; export a token that may comment on the issue.")
    guard_token_under_test(token)
    repo, number = ref.split("#")
    summary = (reports / "compliance.md").read_text(encoding="utf-8")
    link = f"\n\nFull report (HTML, JSON, Markdown): {run_url}" if run_url else ""
    messages = {
        401: "GitHub rejected GH_TOKEN (401).",
        403: f"GH_TOKEN may not comment on {ref} (403).",
        404: f"GitHub has no issue {ref}, or GH_TOKEN cannot see it (404).",
        413: "GitHub refused the comment as too large (413).",
    }
    with Publisher(github_api_url(), f"Bearer {token}", messages, "application/vnd.github+json") as gh:
        made = gh.send("POST", f"/repos/{repo}/issues/{number}/comments", json={"body": summary + link})
    return f"commented on {ref}: {made.get('html_url', '')}" if isinstance(made, dict) else f"commented on {ref}"


def _jira_auth() -> str:
    if pat := os.environ.get("JIRA_PAT"):
        guard_token_under_test(pat)
        return f"Bearer {pat}"
    email, token = os.environ.get("JIRA_EMAIL"), os.environ.get("JIRA_API_TOKEN")
    if email and token:
        guard_token_under_test(token)
        return "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
    raise PublishError("No Jira credentials: set JIRA_EMAIL and JIRA_API_TOKEN (Cloud) or JIRA_PAT (Data Center).")


def _jira(reports: Path, key: str, base: str, version: str, run_url: str) -> str:
    base = checked_url(base, "--jira-url")
    files = [("file", ("compliance.html", (reports / "compliance.html").read_bytes(), "text/html"))]
    pdf = reports / "compliance.pdf"
    if pdf.is_file():  # written with --compliance-pdf (the weekly job always writes it)
        files.append(("file", ("compliance.pdf", pdf.read_bytes(), "application/pdf")))
    names = " and ".join(name for _, (name, _, _) in files)
    result = json.loads((reports / "compliance.json").read_text(encoding="utf-8"))
    messages = {
        401: "Jira rejected the credentials (401); check JIRA_EMAIL and JIRA_API_TOKEN, or JIRA_PAT.",
        403: f"These Jira credentials may not attach files or comment on {key} (403).",
        404: f"Jira has no ticket {key}, or these credentials cannot see it (404).",
        413: "Jira refused the report as too large (413); raise its attachment size limit or attach "
        "the Markdown summary instead.",
    }
    text = (
        f"Copilot token compliance for {result.get('org')}: {result.get('overall')} "
        f"(profile {result.get('profile')}, generated {result.get('generated_at')}). "
        f"The full report is attached as {names}." + (f" Run: {run_url}" if run_url else "")
    )
    body: object = (
        text
        if version == "2"
        else {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
        }
    )
    with Publisher(base, _jira_auth(), messages, "application/json") as jira:
        jira.send(
            "POST",
            f"/rest/api/{version}/issue/{key}/attachments",
            headers={"X-Atlassian-Token": "no-check"},
            files=files,
        )
        jira.send("POST", f"/rest/api/{version}/issue/{key}/comment", json={"body": body})
    return f"attached {names} to {key} and commented"


def main(argv: list[str] | None = None) -> int:
    """Attach the reports in a folder to one ticket."""
    parser = argparse.ArgumentParser(
        prog="python -m compliance.publish.attach",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--reports", default="reports", help="folder with compliance.{html,json,md}")
    parser.add_argument("--ticket", required=True, help="github:OWNER/REPO#N or jira:KEY-N")
    parser.add_argument("--run-url", default="", help="link to the run and its artifact")
    parser.add_argument("--jira-url", default=os.environ.get("JIRA_URL", ""))
    parser.add_argument("--jira-api", choices=["2", "3"], default="3", help="3 for Jira Cloud, 2 for Data Center")
    args = parser.parse_args(argv)
    reports = Path(args.reports)
    try:
        missing = [n for n in ("compliance.html", "compliance.json", "compliance.md") if not (reports / n).is_file()]
        if missing:
            raise PublishError(f"{reports} lacks {', '.join(missing)}; run the suite first.")
        kind, ref = parse_ticket(args.ticket)
        if kind == "github":
            print(_github(reports, ref, args.run_url))
        else:
            if not args.jira_url:
                raise PublishError("Jira needs --jira-url (or JIRA_URL), e.g. https://acme.atlassian.net.")
            print(_jira(reports, ref, args.jira_url, args.jira_api, args.run_url))
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Measure the run history at scale: appending (each append verifies the whole chain first), verify, the period report.

Usage: python benchmarks/history.py [--orgs 100] [--weeks 52]

Builds a history of ORGS x WEEKS records from one report shape (a weekly year of a fleet), then prints the file size,
the time of the last append (the slowest: it verifies every record before it), of `verify`, and of the period report
for one org in JSON, Markdown, HTML and PDF.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from compliance.history.chain import link  # noqa: E402
from compliance.history.record import record_of  # noqa: E402
from compliance.history.store import append, head_path  # noqa: E402


def _report(org: str, week: int) -> dict[str, object]:
    day = 5 + 7 * week
    at = f"2026-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T06:17:00Z"
    reqs = [{"id": f"REQ-{i}", "verdict": "pass", "source": "token"} for i in range(17)]
    return {"schema_version": 1, "org": org, "profile": "milestone-copilot", "mode": "live",
            "api_url": "https://api.github.com", "generated_at": at, "overall": "COMPLIANT", "requirements": reqs,
            "token": {"kind": "fine-grained", "owner": "acme-copilot-bot", "fingerprint": "sha256:1a2b3c4d",
                      "expires_at": "2027-01-01T00:00:00Z"}}  # fmt: skip


def _timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orgs", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        history = Path(tmp) / "history.jsonl"
        previous = None
        with history.open("w", encoding="utf-8") as fh:  # all but the last record written directly, as appends would
            for week in range(args.weeks):
                for org in range(args.orgs):
                    if (week, org) == (args.weeks - 1, args.orgs - 1):
                        break
                    previous = link(record_of(_report(f"org-{org}", week)), previous)
                    fh.write(json.dumps(previous, separators=(",", ":")) + "\n")
        assert previous is not None
        head_path(history).write_text(json.dumps({"v": 1, "records": previous["seq"] + 1, "head": previous["hash"]}))
        start = time.perf_counter()
        append(history, [record_of(_report(f"org-{args.orgs - 1}", args.weeks - 1))])
        last = time.perf_counter() - start
        size = history.stat().st_size
        command = [sys.executable, "-m", "compliance.history"]
        verify = _timed([*command, "verify", "--history", str(history)])
        report = [*command, "report", "--history", str(history), "--org", "org-0", "--since", "2026-01-01",
                  "--until", "2026-12-31", "--out", tmp]  # fmt: skip
        text_only = _timed([*report, "--format", "json,md,html"])
        with_pdf = _timed(report)
        noop = _timed([sys.executable, "-c", "import compliance.history.__main__"])
    records = args.orgs * args.weeks
    print(f"history: {records} records ({args.orgs} orgs x {args.weeks} weeks), {size / 1024 / 1024:.1f} MiB, "
          f"{size // records} bytes per record")  # fmt: skip
    print(f"append of the last record (verifies all {records - 1} before it): {last:.2f} s in-process")
    print(f"verify: {verify:.2f} s; period report for one org, JSON+Markdown+HTML: {text_only:.2f} s, with PDF: "
          f"{with_pdf:.2f} s (interpreter and imports alone: {noop:.2f} s)")  # fmt: skip


if __name__ == "__main__":
    main()

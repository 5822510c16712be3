"""The history's commands: append a run's record, verify the chain, write the period report for an org.

Usage:
  python -m compliance.history append --history FILE --report reports/compliance.json [--report ...] [--run-url URL]
  python -m compliance.history verify --history FILE [--expect-head sha256:...] [--expect-records N]
  python -m compliance.history report --history FILE --org ORG --since YYYY-MM-DD --until YYYY-MM-DD [--out DIR]

Exit codes: 0 done (the chain holds); 1 the chain is broken (verify and report say where, in one sentence); 3 the
history stayed locked by another append; 4 bad input (an unreadable, oversized or malformed file or option).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from pathlib import Path

from compliance.actions import actions_run_url
from compliance.history.chain import Head
from compliance.history.keep import keep_run
from compliance.history.period import period_facts
from compliance.history.record import is_hash
from compliance.history.render import period_html, period_markdown, verdict_line
from compliance.history.store import HistoryBusy, load
from compliance.inputs import writable_path
from compliance.model import UsageError
from compliance.report.document import write_json, write_text
from compliance.report.files import ReportSet
from compliance.report.pdf import write_pdf

__all__ = ["main"]

FORMATS = ("json", "md", "html", "pdf")
ORG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")


def _date(text: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag} {text!r} is not a date; write it as YYYY-MM-DD.") from None


def _append(args: argparse.Namespace) -> int:
    reports = [Path(r) for r in args.report]
    for placed in keep_run(Path(args.history), reports, args.run_url or actions_run_url(os.environ)):
        print(
            f"appended record {placed['seq']} for {placed['org']} ({placed['at']}, {placed['overall']}); "
            f"head {placed['hash']}"
        )
    return 0


def _expected(args: argparse.Namespace) -> Head | None:
    if args.expect_head is None and args.expect_records is None:
        return None
    if args.expect_head is not None and not is_hash(args.expect_head):
        raise UsageError(f"--expect-head {args.expect_head!r} is not a sha256:... hash of 64 hex digits.")
    checked = load(Path(args.history))  # the count or hash not given comes from the history itself
    head = args.expect_head if args.expect_head is not None else checked.head.hash
    records = args.expect_records if args.expect_records is not None else checked.head.records
    return Head(records, head)


def _verify(args: argparse.Namespace) -> int:
    checked = load(Path(args.history), _expected(args))
    if checked.broken is not None:
        print(f"BROKEN: {checked.broken.sentence}", file=sys.stderr)
        return 1
    print(f"verified: {checked.head.describe()}")
    return 0


def _report(args: argparse.Namespace) -> int:
    since, until = _date(args.since, "--since"), _date(args.until, "--until")
    if until < since:
        raise UsageError(f"--until {until} is before --since {since}; give the period's first day, then its last.")
    if not ORG.fullmatch(args.org):
        raise UsageError(f"--org {args.org!r} is not a valid GitHub organization name.")
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise UsageError(f"--format {args.format!r} names {unknown or 'nothing'}; choose from {', '.join(FORMATS)}.")
    if not 0 <= args.warning_days <= 365:
        raise UsageError(f"--warning-days must be between 0 and 365, not {args.warning_days}.")
    out = Path(args.out)
    checked = load(Path(args.history))
    facts = period_facts(checked, args.org, since, until, dt.datetime.now(dt.UTC), args.warning_days)
    html = period_html(facts)
    writers = {
        "json": lambda p: write_json(facts, p),
        "md": lambda p: write_text(period_markdown(facts), p),
        "html": lambda p: write_text(html, p),
        "pdf": lambda p: write_pdf(html, p),
    }
    files = ReportSet()  # every format staged beside its path, then all moved into place, or none
    try:
        for fmt in formats:
            final = writable_path(out / f"period-{args.org}-{since}-{until}.{fmt}", "--out")
            writers[fmt](files.stage(final))
        if not files.publish():
            raise UsageError(f"The period report could not be written under {out}.")
        for final in files.finals:
            print(f"wrote {final}")
    except OSError as exc:
        raise UsageError(f"The period report cannot be written under {out}: {exc.strerror or exc}.") from None
    finally:
        files.discard()
    print(verdict_line(facts))
    if checked.broken is not None:
        print(f"BROKEN: {checked.broken.sentence}", file=sys.stderr)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m compliance.history", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    append = sub.add_parser("append", help="append the record of a run's JSON report")
    append.add_argument("--history", required=True, help="the history file (JSON Lines; created when absent)")
    append.add_argument(
        "--report", required=True, action="append", help="a JSON report a run wrote (--compliance-json); repeatable"
    )
    append.add_argument("--run-url", help="the run's address (default: the GitHub Actions run, when in one)")
    verify = sub.add_parser("verify", help="verify every record, the chain and its head")
    verify.add_argument("--history", required=True)
    verify.add_argument("--expect-head", help="the head hash kept elsewhere (a job summary, an auditor's note)")
    verify.add_argument("--expect-records", type=int, help="the record count kept elsewhere")
    report = sub.add_parser("report", help="the period report for one org")
    report.add_argument("--history", required=True)
    report.add_argument("--org", required=True)
    report.add_argument("--since", required=True, help="first day of the period (YYYY-MM-DD)")
    report.add_argument("--until", required=True, help="last day of the period (YYYY-MM-DD)")
    report.add_argument("--out", default="reports", help="folder for period-ORG-SINCE-UNTIL.{json,md,html,pdf}")
    report.add_argument("--format", default=",".join(FORMATS), help="comma-separated: json, md, html, pdf")
    report.add_argument("--warning-days", type=int, default=30, help="days before expiry a rotation is due")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; bad input ends with one sentence and exit code 4, a broken chain with exit code 1."""
    args = _parser().parse_args(argv)
    commands = {"append": _append, "verify": _verify, "report": _report}
    try:
        return commands[args.command](args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    except HistoryBusy as exc:
        print(f"error: {exc}; try again when it is done.", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())

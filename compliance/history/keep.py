"""Keeping a run: the record derived from its JSON report file appended to the history, with the run's address."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from compliance.actions import actions_run_url
from compliance.history.record import read_report, record_of
from compliance.history.store import HistoryBusy, append
from compliance.model import UsageError

__all__ = ["keep_after_run", "keep_run"]


def keep_run(history: Path, reports: list[Path], run_url: str | None) -> list[dict[str, Any]]:
    """Append the records of the reports (each read and checked first) to `history`; the placed records."""
    return append(history, [record_of(read_report(report), run_url) for report in reports])


def keep_after_run(history: Path, report: Path, environ: Mapping[str, str]) -> tuple[bool, str]:
    """The suite's own append (--history): whether it was kept, and one line for the terminal either way."""
    try:
        placed = keep_run(history, [report], actions_run_url(environ))[0]
    except (UsageError, HistoryBusy) as exc:
        return False, f"--history: this run was NOT kept in {history}: {exc}"
    return True, f"--history: kept as record {placed['seq']} of {history} (head {placed['hash']})"

"""The fleet summary: org x requirement matrix, what to fix first, written as JSON, Markdown and HTML, as one set.

Built only from each org's finished assessment (the words its own reports show), never from new checks. It holds
no token: orgs, verdict words, requirement ids, the catalogue's fix text and each org's report paths.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.fleet.config import OrgEntry
from compliance.fleet.throttle import Throttle
from compliance.model import Level, Word
from compliance.report.assessment import Assessment, iso
from compliance.report.files import ReportSet
from compliance.report.text import md_text, one_line

__all__ = ["OrgRun", "fix_first", "summary_document", "write_summary"]

_RANK = {Word.FAIL: 0, Word.ERROR: 1, Word.WARN: 2, Word.UNVERIFIED: 3}


@dataclass(frozen=True)
class OrgRun:
    """One org's part of the fleet: its exit code, its assessment (None when it could not run) and why not."""

    entry: OrgEntry
    exit_code: int
    assessment: Assessment | None
    problem: str
    argv: list[str]

    @property
    def overall(self) -> str:
        """The org's overall verdict, or COULD NOT RUN."""
        return self.assessment.overall.word if self.assessment else "COULD NOT RUN"

    def words(self) -> dict[str, str]:
        """Requirement id -> verdict word."""
        return {f.requirement.id: f.verdict.word.value for f in self.assessment.findings} if self.assessment else {}


def fix_first(runs: list[OrgRun]) -> list[dict[str, Any]]:
    """Requirements not met anywhere, worst first: fails, then errors, then warnings; musts first; most orgs first."""
    rows: dict[str, dict[str, Any]] = {}
    for run in runs:
        for finding in run.assessment.findings if run.assessment else ():
            word = finding.verdict.word
            if word not in _RANK or (word is Word.UNVERIFIED and finding.requirement.level is not Level.MUST):
                continue
            req = finding.requirement
            row = rows.setdefault(req.id, {"requirement": req.id, "title": req.title, "level": req.level.value,
                                           "fix": req.remediation, "orgs": {}})  # fmt: skip
            row["orgs"].setdefault(word.value, []).append(run.entry.org)
    order = [w.value for w in sorted(_RANK, key=_RANK.__getitem__)]

    def key(row: dict[str, Any]) -> tuple[int, int, int, str]:
        worst = min(order.index(w) for w in row["orgs"])
        return (worst, row["level"] != "must", -sum(len(v) for v in row["orgs"].values()), row["requirement"])

    return sorted(rows.values(), key=key)


def summary_document(
    runs: list[OrgRun], elapsed: float, throttle: Throttle, when: dt.datetime, note: str = ""
) -> dict[str, Any]:
    """The fleet summary as JSON: one row per org, the matrix, what to fix first, the run's cost, a note."""
    ids = list(dict.fromkeys(rid for run in runs for rid in run.words()))
    overall = Counter(run.overall for run in runs)
    return {
        "generated_at": iso(when),
        "orgs": len(runs),
        "note": note,  # why a shard checked no org (--only names an org of another shard), else ""
        "exit_code": 0 if all(r.exit_code == 0 for r in runs) else 1,
        "overall": dict(sorted(overall.items())),
        "requirements": ids,
        "results": [
            {
                "org": run.entry.org,
                "overall": run.overall,
                "exit_code": run.exit_code,
                "problem": run.problem,
                "fingerprint": run.assessment.fingerprint if run.assessment else None,
                "verdicts": run.words(),
                "reports": f"{run.entry.org}/",
            }
            for run in runs
        ],
        "fix_first": fix_first(runs),
        "cost": {
            "seconds": round(elapsed, 2),
            "peak_in_flight": throttle.peak,
            "budget_wait_s": round(throttle.waited, 1),
        },
    }


def _markdown(doc: dict[str, Any]) -> str:
    ids = doc["requirements"]
    lines = [f"# Copilot token compliance: {doc['orgs']} orgs", ""]
    lines += [", ".join(f"{n} {w}" for w, n in doc["overall"].items()) + f" (exit code {doc['exit_code']})", ""]
    lines += [md_text(doc["note"]), ""] if doc["note"] else []
    lines += ["## Fix first", ""]
    for row in doc["fix_first"]:
        orgs = "; ".join(f"{w}: {', '.join(o)}" for w, o in row["orgs"].items())
        title, fix = md_text(row["title"]), md_text(row["fix"])
        lines.append(f"- **{row['requirement']}** ({row['level']}) {title}: {orgs}. {fix}")
    if not doc["fix_first"]:
        lines.append("Nothing: every org meets every requirement it could be checked on.")
    lines += ["", "## Orgs x requirements", "", "| org | overall | " + " | ".join(ids) + " |"]
    lines.append("|---" * (len(ids) + 2) + "|")
    for r in doc["results"]:
        cells = [r["verdicts"].get(i, "") for i in ids]
        if not r["verdicts"]:
            cells = [md_text(r["problem"])] + [""] * (len(ids) - 1)
        lines.append(f"| [{r['org']}]({r['reports']}compliance.html) | {r['overall']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _html(doc: dict[str, Any]) -> str:
    e = html.escape
    ids = doc["requirements"]
    head = "".join(f"<th>{e(i)}</th>" for i in ids)
    rows = []
    for r in doc["results"]:
        cells = "".join(f'<td class="{e(r["verdicts"].get(i, ""))}">{e(r["verdicts"].get(i, ""))}</td>' for i in ids)
        if not r["verdicts"]:
            cells = f'<td class="error" colspan="{len(ids)}">{e(one_line(r["problem"]))}</td>'
        link = f'<a href="{e(r["reports"])}compliance.html">{e(r["org"])}</a>'
        rows.append(f"<tr><th>{link}</th><td>{e(r['overall'])}</td>{cells}</tr>")
    fixes = "".join(
        f"<li><b>{e(f['requirement'])}</b> ({e(f['level'])}) {e(f['title'])}: "
        + "; ".join(f"{e(w)}: {e(', '.join(o))}" for w, o in f["orgs"].items())
        + f". {e(f['fix'])}</li>"
        for f in doc["fix_first"]
    )
    style = (
        "body{font-family:system-ui,sans-serif;margin:1rem}.scroll{overflow-x:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;font-size:.85rem}.fail,.error{background:#fdd}"
        ".warn{background:#ffe9b3}.unverified{background:#eee}.pass{background:#dfd}"
    )
    tally = e(", ".join(f"{n} {w}" for w, n in doc["overall"].items()))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width,initial-scale=1"><title>Copilot token compliance: {doc["orgs"]} orgs</title>'
        f"<style>{style}</style></head><body><h1>Copilot token compliance: {doc['orgs']} orgs</h1>"
        f"<p>{tally} (exit code {doc['exit_code']}); generated {e(doc['generated_at'])}</p>"
        + (f"<p>{e(doc['note'])}</p>" if doc["note"] else "")
        + f"<h2>Fix first</h2><ol>{fixes or '<li>Nothing to fix.</li>'}</ol><h2>Orgs x requirements</h2>"
        f'<div class="scroll"><table><tr><th>org</th><th>overall</th>{head}</tr>{"".join(rows)}</table></div>'
        "</body></html>\n"
    )


def write_summary(folder: Path, runs: list[OrgRun], elapsed: float, throttle: Throttle, note: str = "") -> None:
    """fleet.json, fleet.md and fleet.html in `folder`, published together or not at all."""
    doc = summary_document(runs, elapsed, throttle, dt.datetime.now(dt.UTC), note)
    reports = ReportSet()
    texts = {"fleet.json": json.dumps(doc, indent=2) + "\n", "fleet.md": _markdown(doc), "fleet.html": _html(doc)}
    try:
        for name, text in texts.items():
            reports.stage(folder / name).write_text(text, encoding="utf-8")
        reports.publish()
    finally:
        reports.discard()

"""The terminal's view: the header lines, each test's verdict word, and the closing verdict table at its width."""

from __future__ import annotations

import textwrap
from typing import Any, Protocol

from compliance.model import Mode, TokenSource, Word
from compliance.report.assessment import Assessment, reaching_compliant
from compliance.report.text import one_line

__all__ = ["NO_HTML", "STATUS", "closing_lines", "header_lines", "summary"]

# pytest's (category, letter, word-and-markup) for each verdict word
STATUS: dict[Word, tuple[str, str, tuple[str, dict[str, bool]]]] = {
    Word.PASS: ("passed", ".", ("PASS", {"green": True})),
    Word.FAIL: ("failed", "F", ("FAIL", {"red": True})),
    Word.WARN: ("warned", "W", ("WARN", {"yellow": True})),
    Word.UNVERIFIED: ("unverified", "u", ("UNVERIFIED", {"yellow": True})),
    Word.ERROR: ("error", "E", ("ERROR", {"red": True})),
    Word.NOT_APPLICABLE: ("not applicable", "n", ("N/A", {})),
}
_COLOURS = {Word.PASS: "green", Word.FAIL: "red", Word.ERROR: "red", Word.WARN: "yellow", Word.UNVERIFIED: "yellow"}
_FIXED = (Word.FAIL, Word.ERROR, Word.WARN)
_OVERALL_COLOURS = {"COMPLIANT": "green", "NOT COMPLIANT": "red", "INCOMPLETE": "yellow"}


class Writer(Protocol):
    """The part of pytest's terminal reporter the summary writes with."""

    def write_sep(self, sep: str, title: str) -> Any: ...

    def write(self, content: str, **markup: bool) -> Any: ...

    def line(self, msg: str, **markup: bool) -> Any: ...


def header_lines(a: Assessment, token: tuple[str, str, TokenSource] | None) -> list[str]:
    """What is checked, where, and with which token (kind, fingerprint, source): the run's first lines."""
    target = a.evidence.target
    mode = a.mode.value
    if a.recorded_at and a.mode is Mode.REPLAY:
        mode += f" of a recording made {a.recorded_at:%Y-%m-%d %H:%M} UTC"
    lines = [f"compliance: org {target.org}, profile {a.profile.id}, mode {mode}, API {target.api_url}"]
    if a.demo:
        lines.append("DEMO DATA - not your organization: a recording of the bundled GitHub simulator")
    if token is not None:
        kind, fingerprint, source = token
        note = " (surrounding whitespace stripped)" if source.stripped_whitespace else ""
        lines.append(f"token: {kind} {fingerprint} from {source.label}{note}")
    return lines


def summary(tr: Writer, a: Assessment, paths: list[str], width: int = 80) -> None:
    """The verdict table at the terminal's width, each failing row's fix, the overall verdict, notes and reports."""
    width = max(width, 60)
    tr.write_sep("=", "compliance verdicts")
    if a.demo:  # said here too: -q hides the header lines
        tr.line(
            "DEMO DATA - not your organization: a recording of the bundled GitHub simulator", yellow=True, bold=True
        )
    room = width - 39
    for f in a.findings:
        v = f.verdict
        evidence = one_line(v.evidence)
        reason = evidence if len(evidence) <= room else evidence[: room - 1] + "~"
        markup = {_COLOURS[v.word]: True} if v.word in _COLOURS else {}
        tr.write(f"{f.requirement.id:<22} ")
        tr.write(f"{v.word.value:<15}", **markup)
        tr.line(reason)
        if v.word in _FIXED and f.fix:
            for line in textwrap.wrap(f"fix: {one_line(f.fix)}", width - 4):
                tr.line(f"    {line}")
    result = a.overall
    if a.headline is not None:
        tr.line(f"cause ({a.headline.cause}): {one_line(a.headline.text)}", bold=True)
        tr.line(f"fix: {one_line(a.headline.fix)}")
    tr.line(f"{result.word}: {result.tally()}", bold=True, **{_OVERALL_COLOURS[result.word]: True})
    reach = reaching_compliant(a)
    if reach:
        for line in textwrap.wrap(reach, width):
            tr.line(line)
    for note in a.notes:
        tr.line(f"note: {one_line(note)}", yellow=True)
    if a.hashed_token:
        tr.line(f"token hashed_token (GitHub's audit-log identifier): {a.hashed_token}")
    p = a.provenance
    if p is not None:
        commit = f" (commit {p.commit[:12]})" if p.commit else ""
        tr.line(
            f"run: {one_line(p.runner)}, suite {p.suite_version}{commit}, profile {p.profile} "
            f"sha256:{p.profile_sha256[:12]}"
        )
    tr.line("reports: " + ", ".join(paths))


NO_HTML = "no HTML report: pytest-html is not active (-p no:html or not installed)"


def closing_lines(
    tr: Writer, a: Assessment, not_run: list[str], require_proof: bool, html_note: str | None, kept: str | None = None
) -> None:
    """After the table: tests not run, the --require-proof rule, what --history kept, the HTML report's state."""
    if not_run:
        tr.line("not run as tests: " + ", ".join(not_run) + " (the verdict and exit code count them)")
    if require_proof and a.overall.word == "INCOMPLETE":
        tr.line("--require-proof: INCOMPLETE fails the run (exit code 1)", yellow=True)
    if kept:
        tr.line(kept)
    if html_note == NO_HTML:
        tr.line(html_note)
    elif html_note:
        tr.line(f"note: {html_note}", yellow=True)

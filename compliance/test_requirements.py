"""One test per documented requirement of the selected profile; the test ID is the requirement ID."""

import pytest

from compliance.checks.evaluate import Finding
from compliance.model import Word
from compliance.report.text import one_line


def test_requirement(finding: Finding, unreachable: bool) -> None:
    """The requirement holds, as proven by GitHub's answers (or says why it cannot be proven)."""
    __tracebackhide__ = True
    verdict, requirement = finding.verdict, finding.requirement
    word, evidence = verdict.word, one_line(verdict.evidence)  # GitHub's text, defused for terminal and logs
    if word in (Word.PASS, Word.WARN):
        return
    text = f"{word.value.upper()}: {evidence}"
    if word in (Word.UNVERIFIED, Word.NOT_APPLICABLE):
        pytest.skip(text)
    where = f"{requirement.id} ({requirement.level.value}, guide step {requirement.guide_step})"
    if word is Word.ERROR and unreachable:  # the same network failure for every test: the one note says it
        pytest.fail(f"{where}: ERROR: GitHub could not be reached; the note: line at the end says why.", pytrace=False)
    lines = [
        f"{where}: {word.value.upper()}",
        f"Observed: {evidence}",
        f"Required: {requirement.title}",
    ]
    if finding.remediation:
        lines.append(f"Fix: {one_line(finding.remediation)}")
    pytest.fail("\n".join(lines), pytrace=False)

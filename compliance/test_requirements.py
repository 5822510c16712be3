"""One test per documented requirement of the selected profile; the test ID is the requirement ID."""

import pytest

from compliance.checks.evaluate import Finding
from compliance.model import Word


def test_requirement(finding: Finding) -> None:
    """The requirement holds, as proven by GitHub's answers (or says why it cannot be proven)."""
    __tracebackhide__ = True
    verdict, requirement = finding.verdict, finding.requirement
    word = verdict.word
    if word in (Word.PASS, Word.WARN):
        return
    text = f"{word.value.upper()}: {verdict.evidence}"
    if word in (Word.UNVERIFIED, Word.NOT_APPLICABLE):
        pytest.skip(text)
    lines = [
        f"{requirement.id} ({requirement.level.value}, guide step {requirement.guide_step}): {word.value.upper()}",
        f"Observed: {verdict.evidence}",
        f"Required: {requirement.title}",
    ]
    if finding.remediation:
        lines.append(f"Fix: {finding.remediation}")
    pytest.fail("\n".join(lines), pytrace=False)

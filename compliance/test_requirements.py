"""One test per documented requirement of the selected profile; the test ID is the requirement ID."""

from compliance.catalogue import Requirement
from compliance.plugin import enact
from compliance.verdicts import Verdict


def test_requirement(requirement: Requirement, verdict: Verdict, remediation: str) -> None:
    """The requirement holds, as proven by GitHub's answers (or says why it cannot be proven)."""
    enact(requirement, verdict, remediation)

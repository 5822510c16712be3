"""The assessment of one run: what was checked, with which evidence, each finding, the overall verdict, run facts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from compliance import __version__
from compliance.checks.diagnosis import Headline
from compliance.checks.evaluate import Evaluation, Finding
from compliance.evidence import Evidence
from compliance.model import Level, Mode, Verdict, Word
from compliance.profiles import Profile

__all__ = ["Assessment", "Overall", "iso", "run_facts"]


@dataclass(frozen=True)
class Assessment:
    """A finished evaluation: the profile, the mode, the evidence, the findings and the notes for the reader."""

    profile: Profile
    mode: Mode
    evidence: Evidence
    evaluation: Evaluation
    fingerprint: str | None
    recorded_at: dt.datetime | None = None
    demo: bool = False
    notes: tuple[str, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        """One finding per requirement of the profile, in catalogue order."""
        return self.evaluation.findings

    @property
    def verdicts(self) -> dict[str, Verdict]:
        """Requirement id -> verdict."""
        return {f.requirement.id: f.verdict for f in self.findings}

    @property
    def owner(self) -> str | None:
        """The token owner's login, when GET /user answered."""
        return self.evaluation.facts.owner

    @property
    def expires_at(self) -> dt.datetime | None:
        """The expiry from the header, when present and readable."""
        return self.evaluation.facts.expiry.at

    @property
    def headline(self) -> Headline | None:
        """The one cause that explains the run's refusals, and its fix."""
        return self.evaluation.facts.headline

    @property
    def overall(self) -> Overall:
        """The overall verdict."""
        return Overall(self)


class Overall:
    """The run's verdict: NOT COMPLIANT on any fail, INCOMPLETE on errors or unproven musts, else COMPLIANT."""

    def __init__(self, a: Assessment) -> None:
        self.counts = Counter(f.verdict.word for f in a.findings)
        self.unproven_musts = [
            f.requirement.id
            for f in a.findings
            if f.requirement.level is Level.MUST and f.verdict.word is Word.UNVERIFIED
        ]
        if self.counts[Word.FAIL]:
            self.word = "NOT COMPLIANT"
        elif self.counts[Word.ERROR] or self.unproven_musts:
            self.word = "INCOMPLETE"
        else:
            self.word = "COMPLIANT"

    @property
    def css(self) -> str:
        """A CSS class name for the banner."""
        return self.word.lower().replace(" ", "-")

    def tally(self) -> str:
        """Counts per verdict word, in contract order."""
        return ", ".join(f"{self.counts[w]} {w.value}" for w in Word if self.counts[w])


def iso(moment: dt.datetime) -> str:
    """A UTC time as the JSON shows it."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_facts(a: Assessment, generated_at: dt.datetime) -> list[tuple[str, str]]:
    """The run's facts as label/value pairs: never the token, only its fingerprint."""
    target = a.evidence.target
    mode = a.mode.value
    if a.mode is Mode.REPLAY and a.recorded_at:
        mode += f" (recorded {a.recorded_at:%Y-%m-%d %H:%M} UTC)"
    if a.demo:
        mode += " - DEMO DATA, not your organization"
    expires = a.expires_at
    if expires:
        left = int((expires - a.evidence.now).total_seconds() // 86400)
        expiry = f"{expires:%Y-%m-%d %H:%M} UTC ({left} days left at {'recording' if a.recorded_at else 'check'} time)"
    else:
        expiry = "none seen (no expiry header)"
    kind = a.evidence.token_kind
    return [
        ("Organization", target.org),
        ("Profile", f"{a.profile.id} ({a.profile.title})"),
        ("API URL", target.api_url),
        ("Mode", mode),
        ("Generated at", f"{generated_at:%Y-%m-%d %H:%M:%S} UTC"),
        ("Suite version", __version__),
        ("Token kind", kind.value if kind else "unknown"),
        ("Token owner", a.owner or "unknown"),
        ("Token expiry", expiry),
        ("Token fingerprint", a.fingerprint or "none"),
    ]

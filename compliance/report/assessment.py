"""The assessment of one run: what was checked, with which evidence, each finding, the overall verdict, run facts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from compliance import __version__
from compliance.checks.diagnosis import Headline
from compliance.checks.evaluate import Evaluation, Finding
from compliance.checks.registry import REGISTRY
from compliance.evidence import Evidence, Reply
from compliance.model import Level, Mode, Verdict, Word
from compliance.profiles import Profile
from compliance.provenance import Provenance, audit_log_url

__all__ = ["Assessment", "Overall", "iso", "reaching_compliant", "run_facts"]


@dataclass(frozen=True)
class Assessment:
    """A finished evaluation: the profile, the mode, the evidence, the findings and the notes for the reader."""

    profile: Profile
    mode: Mode
    evidence: Evidence
    evaluation: Evaluation
    fingerprint: str | None
    hashed_token: str | None = None  # GitHub's audit-log identifier of the token (base64 SHA-256)
    provenance: Provenance | None = None
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
    def audit_log(self) -> str | None:
        """The org audit-log search for this token's hashed_token, where the web host is known."""
        if self.hashed_token is None:
            return None
        return audit_log_url(self.evidence.target.api_url, self.evidence.target.org, self.hashed_token)

    @property
    def app_record_read(self) -> bool:
        """Whether a GitHub App token read the org's grant record in this run (an answer GitHub gave, 2xx)."""
        return any(k.startswith("app:") and isinstance(r, Reply) and r.ok for k, r in self.evidence.results.items())

    @property
    def app_record_refused(self) -> bool:
        """Whether an App token was given but none of its reads of the grant record was answered."""
        return not self.app_record_read and any(key.startswith("app:") for key in self.evidence.results)

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
    """A UTC time as the JSON shows it (four-digit years always: strftime drops the zeros before year 1000)."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


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
    p = a.provenance
    who = (
        []
        if p is None
        else [
            ("Run by", p.runner + (f" ({p.runner_url})" if p.runner_url else "")),
            ("Suite commit", p.commit or "none (installed package)"),
            ("Profile hash", f"sha256:{p.profile_sha256}"),
            ("Options", "; ".join(f"{k}: {v}" for k, v in p.options)),
        ]
    )
    return [
        ("Organization", target.org),
        ("Profile", f"{a.profile.id} ({a.profile.title})"),
        ("Guide", a.profile.guide + (f" (read {a.profile.guide_read})" if a.profile.guide_read else "")),
        *([("Guide readings", " ".join(a.profile.notes))] if a.profile.notes else []),
        ("API URL", target.api_url),
        ("Mode", mode),
        ("Generated at", f"{generated_at:%Y-%m-%d %H:%M:%S} UTC"),
        ("Suite version", __version__),
        ("Token kind", kind.value if kind else "unknown"),
        ("Token owner", a.owner or "unknown"),
        ("Token expiry", expiry),
        ("Token fingerprint", a.fingerprint or "none"),
        ("Token hashed_token", _hashed(a)),
        *who,
    ]


def _hashed(a: Assessment) -> str:
    if a.hashed_token is None:
        return "not recorded (a recording made before the suite kept it)"
    return f"{a.hashed_token} (GitHub's audit-log identifier: base64 SHA-256 of the token, cannot be reversed)"


def reaching_compliant(a: Assessment) -> str | None:
    """One sentence: what would turn each unverified must into a verdict; None when nothing is unproven."""
    unproven = a.overall.unproven_musts
    if not unproven:
        return None
    never = [rid for rid in unproven if not REGISTRY[rid].token_proves]  # no answer to the token can prove these
    blocked = [rid for rid in unproven if rid not in never]  # the token could prove these: this run's answers did not
    parts = []
    if never and not a.app_record_read:
        how = (
            "the GitHub App's reads were refused in this run: give the App the organization permissions Personal "
            "access tokens and Personal access token requests (read), then run again"
            if a.app_record_refused
            else "run again with a GitHub App token in --app-token-env: docs/org-record.md#the-orgs-grant-record"
        )
        parts.append(
            f"{_spoken(never)} from the org's grant record ({how}) or a signed-off attestation (--attestations)"
        )
    elif never:
        parts.append(
            f"{_spoken(never)} from a signed-off attestation (--attestations: docs/org-record.md#attestations)"
        )
    if blocked:
        why = "the cause above" if a.headline is not None else "each one's evidence"
        parts.append(f"{_spoken(blocked)} from GitHub's answers to the token, once {why} is dealt with")
    lead = "The token alone cannot prove every must, so a correct token reads INCOMPLETE until these are proven: "
    alone = never and not a.app_record_read  # with the org's record read, "the token alone" is not the case
    return (lead if alone else "Not every must is proven yet: ") + "; ".join(parts) + "."


def _spoken(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]

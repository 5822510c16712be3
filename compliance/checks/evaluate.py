"""Evaluation: every registered check run once, the org's record and attestations merged, the level rule applied."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from compliance.attestations import Attestation
from compliance.catalogue import Requirement
from compliance.checks.context import Context
from compliance.checks.facts import Facts, derive
from compliance.checks.fixes import fix_text, link_caveat, token_link
from compliance.checks.org_record import record_disagreement
from compliance.checks.recall import lifetime_from_history
from compliance.checks.registry import REGISTRY, Row
from compliance.evidence import Evidence
from compliance.history.memory import Remembered
from compliance.model import Level, Settings, Source, Verdict, Word
from compliance.profiles import Profile

__all__ = ["Evaluation", "Finding", "evaluate"]

_DECISIVE = (Word.PASS, Word.FAIL, Word.NOT_APPLICABLE)


@dataclass(frozen=True)
class Finding:
    """One requirement's outcome: its verdict, the fix text, and the pre-filled token link when a new token fixes it."""

    requirement: Requirement
    verdict: Verdict
    fix: str  # advice and the catalogue's fix, without the link
    token_link: str | None

    @property
    def offered_link(self) -> str | None:
        """The token link a reader is offered: only where a new or edited token is the fix (a fail or warn)."""
        return self.token_link if self.verdict.word in (Word.FAIL, Word.WARN) else None

    @property
    def remediation(self) -> str:
        """The contract's `remediation` text: the fix, plus the token link for a fail or warn."""
        if self.offered_link:
            return f"{self.fix} Pre-filled token settings: {self.offered_link}"
        return self.fix


@dataclass(frozen=True)
class Evaluation:
    """The facts derived from the evidence, one finding per requirement of the profile, and notes for the reader."""

    facts: Facts
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]


def evaluate(
    evidence: Evidence,
    profile: Profile,
    settings: Settings,
    attestations: Sequence[Attestation] = (),
    remembered: Sequence[Remembered] = (),
) -> Evaluation:
    """A verdict for every requirement: token, record, remembered facts, attestations; a `should` that fails warns."""
    ctx = Context(evidence, profile, settings, derive(evidence, profile.token_name))
    verdicts = {req.id: _decide(REGISTRY[req.id], ctx) for req in profile.requirements}
    if verdicts.get("LIFETIME-MAX", Verdict(Word.PASS, "")).word is Word.UNVERIFIED:  # only what nothing else proved
        recalled = lifetime_from_history(ctx, remembered)
        verdicts["LIFETIME-MAX"] = recalled or verdicts["LIFETIME-MAX"]
    levels = {req.id: req.level for req in profile.requirements}
    cause = ctx.facts.headline.cause if ctx.facts.headline else ""
    verdicts, notes = _attest(verdicts, attestations, evidence.now.date(), levels)
    findings = []
    for req in profile.requirements:
        verdict = _graded(verdicts[req.id], req.level)
        link = None if verdict.cause else token_link(REGISTRY[req.id].link, evidence.target, profile)
        fix = fix_text(req, verdict, cause)
        if link and verdict.word in (Word.FAIL, Word.WARN):
            fix = f"{fix} {link_caveat(profile)}".strip()
        findings.append(Finding(req, verdict, fix, link))
    return Evaluation(ctx.facts, tuple(findings), tuple(notes))


def _graded(verdict: Verdict, level: Level) -> Verdict:
    """The level rule: a `should` that does not hold warns instead of failing."""
    if verdict.word is Word.FAIL and level is Level.SHOULD:
        return replace(verdict, word=Word.WARN)
    return verdict


def _decide(row: Row, c: Context) -> Verdict:
    """The token's verdict, then the record's where it is decisive; a token-proven fail is never overturned."""
    try:
        token = row.check(c)
        record = row.record(c) if row.record and c.facts.record is not None else None
    except Exception as exc:  # a check must never raise; if one does, that is the suite's bug, said as such
        return Verdict(
            Word.ERROR,
            f"The {row.id} check could not judge this evidence ({type(exc).__name__}); this is a bug in the suite.",
            "Report it with the JSON results (they hold no secret), then re-run the suite.",
        )
    if record is None:
        note = record_disagreement(c, row.granted, token)
        return replace(token, evidence=token.evidence + note) if note else token
    if record.word not in _DECISIVE:  # the record read but not settling it: its advice replaces "read the record"
        return replace(token, evidence=f"{token.evidence} {record.evidence}", advice=record.advice or token.advice)
    if token.word in _DECISIVE and token.word != record.word:
        if token.word is Word.FAIL:
            return replace(token, evidence=token.evidence + f" The org's record disagrees: {record.evidence}")
        clash = f" The token's own answers disagree: {token.evidence}"
        return Verdict(record.word, record.evidence + clash, record.advice, record.source)
    return record


def _attest(
    verdicts: dict[str, Verdict], attestations: Sequence[Attestation], today: dt.date, levels: dict[str, Level]
) -> tuple[dict[str, Verdict], list[str]]:
    """Fill only `unverified` verdicts; never override evidence; ignore expired statements, saying so."""
    out = dict(verdicts)
    notes: list[str] = []
    for a in attestations:
        current = out[a.requirement]
        where = f"line {a.line}" if a.line else a.requirement
        if a.valid_until < today:
            notes.append(
                f"Attestation for {a.requirement} ({where}) by {a.attested_by} expired on {a.valid_until}; ignored."
            )
            continue
        if current.word is not Word.UNVERIFIED:
            word = _graded(current, levels[a.requirement]).word
            conflict = word is Word.FAIL and a.verdict is not Word.FAIL
            notes.append(
                f"Attestation for {a.requirement} ({where}) by {a.attested_by} says {a.verdict.value}, but the "
                f"evidence already {'proves fail' if conflict else f'gives {word.value}'}; the evidence "
                "stands."
            )
            continue
        out[a.requirement] = Verdict(
            a.verdict,
            f"Attested by {a.attested_by} on {a.attested_at} (valid until {a.valid_until}): {a.justification} "
            f"Evidence: {a.evidence}. API evidence alone: {current.evidence}",
            current.advice if a.verdict is not Word.PASS else "",
            source=Source.ATTESTATION,
            attested_by=a.attested_by,
        )
    return out, notes

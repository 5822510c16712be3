"""From evidence to verdicts: the token's checks, then the org's record where it decides, with disagreements said."""

from __future__ import annotations

import datetime as dt

from compliance.attestations import Attestation, apply_attestations
from compliance.catalogue import Level, Profile
from compliance.diagnosis import diagnose
from compliance.evidence import Evidence
from compliance.grants import find_record
from compliance.record_checks import RECORD_CHECKS, record_disagreement
from compliance.token import TokenKind
from compliance.verdicts import CHECKS, Context, Settings, Verdict, Word

__all__ = ["attest", "evaluate"]

_DECISIVE = (Word.PASS, Word.FAIL, Word.NOT_APPLICABLE)
_ODD_DATA = (AttributeError, KeyError, TypeError, ValueError, IndexError)


def _combine(c: Context, rid: str, token: Verdict) -> Verdict:
    """Prefer the record where it is decisive; a token-proven fail is never overturned, and a clash is said."""
    check = RECORD_CHECKS.get(rid)
    record = check(c) if check and c.record is not None else None
    if record is None:
        note = record_disagreement(c, rid, token)
        return Verdict(token.word, token.evidence + note, token.advice, token.source) if note else token
    if record.word not in _DECISIVE:
        return Verdict(token.word, f"{token.evidence} {record.evidence}", token.advice, token.source)
    if token.word in _DECISIVE and token.word != record.word:
        clash = f" The token's own answers disagree: {token.evidence}"
        if token.word is Word.FAIL:
            return Verdict(
                Word.FAIL,
                token.evidence + f" The org's record disagrees: {record.evidence}",
                token.advice,
                token.source,
            )
        return Verdict(record.word, record.evidence + clash, record.advice, record.source)
    return record


def evaluate(evidence: Evidence, profile: Profile, settings: Settings) -> dict[str, Verdict]:
    """A verdict for every requirement; a `should` that does not hold warns, odd data yields `error`."""
    # The grant record lists fine-grained tokens only; for any other kind it has nothing to say.
    fine = evidence.token_kind is TokenKind.FINE_GRAINED
    record = find_record(evidence, profile.token_name) if fine else None
    ctx = Context(evidence, profile, settings, tuple(diagnose(evidence)), record)
    verdicts: dict[str, Verdict] = {}
    for req in profile.requirements:
        try:
            verdict = _combine(ctx, req.id, CHECKS[req.id](ctx))
        except _ODD_DATA as exc:
            verdict = Verdict(
                Word.ERROR,
                f"GitHub's answer had an unexpected shape ({type(exc).__name__}).",
                "Re-run the suite; if the error persists, report it with the JSON results.",
            )
        if verdict.word is Word.FAIL and req.level is Level.SHOULD:
            verdict = Verdict(Word.WARN, verdict.evidence, verdict.advice, verdict.source)
        verdicts[req.id] = verdict
    return verdicts


def attest(
    verdicts: dict[str, Verdict], profile: Profile, attestations: list[Attestation], today: dt.date
) -> tuple[dict[str, Verdict], list[str]]:
    """Let attestations fill what the evidence left unverified; a `should` attested as failing warns."""
    filled, notes = apply_attestations(verdicts, attestations, today)
    for req in profile.requirements:
        v = filled[req.id]
        if v.word is Word.FAIL and req.level is Level.SHOULD:
            filled[req.id] = Verdict(Word.WARN, v.evidence, v.advice, v.source)
    return filled, notes

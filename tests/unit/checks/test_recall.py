"""LIFETIME-MAX from a remembered creation time: only for the same token, only where nothing else proved it."""

from __future__ import annotations

import datetime as dt

import pytest

from compliance.checks.evaluate import evaluate
from compliance.checks.registry import REGISTRY
from compliance.history.memory import Remembered
from compliance.model import Settings, Source, Verdict, Word
from compliance.profiles import load_profile
from tests.evidence_factory import NOW, compliant_results, evidence

PROFILE = load_profile("milestone-copilot", REGISTRY.keys())
EXPIRES = (NOW + dt.timedelta(days=300)).replace(second=0)


def remembered(created_days_before_expiry: int, expires: dt.datetime | None = EXPIRES) -> Remembered:
    return Remembered(
        fingerprint="sha256:1a2b3c4d",
        created_at=EXPIRES - dt.timedelta(days=created_days_before_expiry),
        expires_at=expires,
        seen_at=NOW - dt.timedelta(days=60),
        seq=3,
        hash="sha256:" + "ab" * 32,
        run_url="https://github.com/acme/ops/actions/runs/9",
    )


def lifetime(*memory: Remembered, expires: dt.datetime = EXPIRES) -> Verdict:
    result = evaluate(evidence(compliant_results(expires)), PROFILE, Settings(), remembered=memory)
    return next(f.verdict for f in result.findings if f.requirement.id == "LIFETIME-MAX")


def test_a_remembered_creation_proves_the_lifetime() -> None:
    verdict = lifetime(remembered(365))
    assert (verdict.word, verdict.source) == (Word.PASS, Source.ORG_RECORD)
    assert "a lifetime of 365 days, within the 366-day maximum" in verdict.evidence
    assert "history record 3" in verdict.evidence and "actions/runs/9" in verdict.evidence


def test_a_remembered_creation_can_prove_a_fail() -> None:
    verdict = lifetime(remembered(400))
    assert verdict.word is Word.FAIL and "a lifetime of 400 days, over the 366-day maximum" in verdict.evidence


@pytest.mark.parametrize(
    "memory",
    [
        (),  # nothing remembered
        (remembered(365, EXPIRES + dt.timedelta(days=30)),),  # another token with the same fingerprint: other expiry
        (remembered(365, None),),  # a token that never expired
    ],
)
def test_without_a_fact_for_this_token_it_stays_unverified(memory: tuple[Remembered, ...]) -> None:
    assert lifetime(*memory).word is Word.UNVERIFIED


def test_evidence_that_proves_the_lifetime_is_not_overruled() -> None:
    """A token expiring beyond the cap fails on its own answers; a remembered time does not change that."""
    far = NOW + dt.timedelta(days=400)
    assert lifetime(remembered(365, far), expires=far).word is Word.FAIL

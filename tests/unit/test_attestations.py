"""Attestation files: reading and validating them, and how evaluate() applies the statements they hold."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance.attestations import Attestation, load_attestations
from compliance.checks.evaluate import evaluate
from compliance.checks.registry import REGISTRY
from compliance.model import Settings, Source, TokenKind, UsageError, Verdict, Word
from compliance.profiles import load_profile
from tests.evidence_factory import NOW, evidence

PROFILE = load_profile("milestone-copilot", REGISTRY.keys())
IDS = [r.id for r in PROFILE.requirements]
TODAY = NOW.date()
VALID: dict[str, Any] = {
    "requirement": "NAME",
    "verdict": "pass",
    "attested_by": "Jane Doe",
    "attested_at": "2026-11-01",
    "valid_until": "2027-11-01",
    "justification": "Checked the token's settings page.",
    "evidence": "https://tickets.example.com/SEC-1",
}

GOOD_YAML = """\
# Signed-off statements for acme
attestations:
  - requirement: NAME
    verdict: pass
    attested_by: Jane Doe
    attested_at: 2026-11-01
    valid_until: 2027-11-01
    justification: Checked the token's settings page.
    evidence: https://tickets.example.com/SEC-1

  - requirement: READ-ONLY
    verdict: maybe
    attested_by: Jane Doe
    attested_at: 2026-11-01
    valid_until: 2027-11-01
    justification: Every permission on the settings page is Read.
    evidence: https://tickets.example.com/SEC-2
"""

GOOD_TOML = """\
# Signed-off statements for acme

[[attestations]]
requirement = "NAME"
verdict = "pass"
attested_by = "Jane Doe"
attested_at = 2026-11-01
valid_until = "2027-11-01"
justification = "Checked the token's settings page."
evidence = "https://tickets.example.com/SEC-1"

[[attestations]]
requirement = "NOT-A-REQUIREMENT"
verdict = "pass"
attested_by = "Jane Doe"
attested_at = "2026-11-01"
valid_until = "2027-11-01"
justification = "Checked the token's settings page."
evidence = "https://tickets.example.com/SEC-1"
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    """A file in the test's folder."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def as_yaml(*entries: Any) -> str:
    """A YAML attestation file with a comment line first."""
    return "# header\n" + yaml.safe_dump({"attestations": list(entries)}, sort_keys=False)


def as_toml(*entries: dict[str, Any]) -> str:
    """A TOML attestation file with a comment line first."""
    blocks = ["\n[[attestations]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in e.items()) for e in entries]
    return "# header\n" + "".join(blocks)


def entry_line(text: str, index: int, marker: str) -> int:
    """The 1-based line on which the index-th entry starts."""
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith(marker)]
    return starts[index]


def one_sentence(message: str, path: Path) -> None:
    """A usage error is one plain sentence that names the file."""
    assert str(path) in message
    assert "\n" not in message
    assert message.endswith(".")
    assert ". " not in message.replace(str(path), "FILE")


# --- reading ------------------------------------------------------------------------------------------------------


def test_yaml_file_loads_with_line_numbers(tmp_path: Path) -> None:
    """A YAML entry becomes an Attestation with typed fields; a bad entry is dropped with its exact line."""
    path = write(tmp_path, "att.yaml", GOOD_YAML)
    found, warnings = load_attestations(path, IDS)
    assert found == [
        Attestation(
            requirement="NAME",
            verdict=Word.PASS,
            attested_by="Jane Doe",
            attested_at=dt.date(2026, 11, 1),
            valid_until=dt.date(2027, 11, 1),
            justification="Checked the token's settings page.",
            evidence="https://tickets.example.com/SEC-1",
            line=3,
        )
    ]
    assert len(warnings) == 1
    assert warnings[0].startswith("att.yaml line 11: attestation ignored: verdict: 'maybe'")


def test_toml_file_loads_with_line_numbers(tmp_path: Path) -> None:
    """TOML works the same (native dates too); an unknown requirement is dropped, naming its [[attestations]] line."""
    path = write(tmp_path, "att.toml", GOOD_TOML)
    found, warnings = load_attestations(path, IDS)
    assert [(a.requirement, a.attested_at, a.line) for a in found] == [("NAME", dt.date(2026, 11, 1), 3)]
    assert warnings == [
        "att.toml line 12: attestation ignored: NOT-A-REQUIREMENT is not a requirement of this profile."
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"verdict": "maybe"}, "verdict: 'maybe' is not one of"),
        ({"verdict": "unverified"}, "verdict: 'unverified' is not one of"),
        ({"verdict": "error"}, "verdict: 'error' is not one of"),
        ({"attested_by": "JD"}, "attested_by: 'JD' is too short"),
        ({"attested_at": "01/11/2026"}, "attested_at: '01/11/2026' does not match"),
        ({"valid_until": "next year"}, "valid_until: 'next year' does not match"),
        ({"justification": "ok"}, "justification: 'ok' is too short"),
        ({"evidence": "http://tickets.example.com/1"}, "evidence: 'http://tickets.example.com/1' does not match"),
        ({"requirement": 42}, "requirement: 42 is not of type 'string'"),
        ({"attested_by": ["Jane Doe"]}, "attested_by: ['Jane Doe'] is not of type 'string'"),
        ({"signed": "yes"}, "entry: Additional properties are not allowed ('signed' was unexpected)"),
        ({"evidence": ...}, "entry: 'evidence' is a required property"),
    ],
)
@pytest.mark.parametrize("fmt", ["yaml", "toml"])
def test_schema_errors_are_line_precise_warnings(
    tmp_path: Path, fmt: str, change: dict[str, Any], expected: str
) -> None:
    """A schema error drops only that entry, with a warning naming the file, the entry's line, the field and why."""
    bad = {k: v for k, v in (VALID | change).items() if v is not ...}
    text = as_yaml(VALID, bad) if fmt == "yaml" else as_toml(VALID, bad)
    path = write(tmp_path, f"att.{fmt}", text)
    found, warnings = load_attestations(path, IDS)
    assert [a.requirement for a in found] == ["NAME"]  # the good entry survives
    line = entry_line(text, 1, "- " if fmt == "yaml" else "[[attestations]]")
    assert len(warnings) == 1
    assert warnings[0].startswith(f"att.{fmt} line {line}: attestation ignored: {expected}")


def test_entry_that_is_not_a_mapping(tmp_path: Path) -> None:
    """A list item that is not a mapping is dropped with its line, not a crash."""
    path = write(tmp_path, "att.yaml", as_yaml("just a string", VALID))
    found, warnings = load_attestations(path, IDS)
    assert len(found) == 1
    assert warnings == ["att.yaml line 3: attestation ignored: entry: 'just a string' is not of type 'object'."]


def test_requirement_outside_the_profile_is_dropped(tmp_path: Path) -> None:
    """A requirement the catalogue knows but this run does not check is unknown here."""
    path = write(tmp_path, "att.yaml", as_yaml(VALID))
    found, warnings = load_attestations(path, ["READ-ONLY"])
    assert found == []
    assert warnings == ["att.yaml line 3: attestation ignored: NAME is not a requirement of this profile."]


def test_inline_toml_array_falls_back_to_entry_numbers(tmp_path: Path) -> None:
    """Without [[attestations]] headers to point at, a warning names the entry's position instead."""
    bad = VALID | {"verdict": "maybe"}
    inline = ", ".join("{" + ", ".join(f"{k} = {json.dumps(v)}" for k, v in e.items()) + "}" for e in (VALID, bad))
    path = write(tmp_path, "att.toml", f"attestations = [{inline}]\n")
    found, warnings = load_attestations(path, IDS)
    assert len(found) == 1
    assert len(warnings) == 1 and warnings[0].startswith("att.toml entry 2: attestation ignored: verdict:")


@pytest.mark.parametrize(
    ("name", "content", "phrase"),
    [
        ("missing.yaml", None, "Cannot read --attestations"),
        ("folder.yaml", "DIR", "Cannot read --attestations"),
        ("latin1.yaml", b"attestations: []\n# caf\xe9\n", "not UTF-8 text"),
        ("broken.yaml", "attestations:\n  - requirement: NAME\n   verdict: [pass\n", "is not valid YAML at line"),
        ("broken.toml", "[[attestations]\nrequirement = 1\n", "is not valid TOML"),
        ("list.yaml", "- requirement: NAME\n", "must hold a list named 'attestations'"),
        ("empty.yaml", "", "must hold a list named 'attestations'"),
        ("mapping.yaml", "attestations:\n  requirement: NAME\n", "must hold a list named 'attestations'"),
        ("other.toml", "statements = []\n", "must hold a list named 'attestations'"),
    ],
)
def test_unusable_file_is_a_usage_error(tmp_path: Path, name: str, content: str | bytes | None, phrase: str) -> None:
    """A file that cannot be read or parsed, or has the wrong shape, is one sentence naming the file."""
    path = tmp_path / name
    if content == "DIR":
        path.mkdir()
    elif content is not None:
        write(tmp_path, name, content)
    with pytest.raises(UsageError) as caught:
        load_attestations(path, IDS)
    assert phrase in str(caught.value)
    one_sentence(str(caught.value), path)


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("quoted.yaml", as_yaml(VALID, VALID | {"valid_until": "2026-02-30"}), "warning"),
        ("dates.toml", as_toml(VALID, VALID | {"attested_at": "2026-13-01"}), "warning"),
        ("unquoted.yaml", GOOD_YAML.replace("valid_until: 2027-11-01", "valid_until: 2027-02-30", 1), "usage"),
    ],
)
def test_impossible_date_is_reported_not_raised(tmp_path: Path, name: str, text: str, kind: str) -> None:
    """A date that does not exist is a bad entry (a line-precise warning) or a bad file (UsageError), not a crash."""
    path = write(tmp_path, name, text)
    if kind == "usage":
        with pytest.raises(UsageError) as caught:
            load_attestations(path, IDS)
        one_sentence(str(caught.value), path)
        return
    found, warnings = load_attestations(path, IDS)
    assert len(found) == 1
    line = entry_line(text, 1, "- " if name.endswith(".yaml") else "[[attestations]]")
    assert len(warnings) == 1 and warnings[0].startswith(f"{name} line {line}: attestation ignored:")


# --- application through evaluate() ---------------------------------------------------------------------------------


def attest(rid: str, verdict: Word = Word.PASS, *, valid_until: dt.date = TODAY + dt.timedelta(days=30)) -> Attestation:
    """A statement by Jane Doe."""
    return Attestation(
        requirement=rid,
        verdict=verdict,
        attested_by="Jane Doe",
        attested_at=TODAY - dt.timedelta(days=1),
        valid_until=valid_until,
        justification="Checked on the token's settings page.",
        evidence="https://tickets.example.com/SEC-1",
        line=7,
    )


def outcome(*statements: Attestation, ev: Any = None, **settings: Any) -> tuple[dict[str, Verdict], list[str]]:
    """Verdict per requirement and the notes."""
    result = evaluate(ev or evidence(), PROFILE, Settings(**settings), statements)
    return {f.requirement.id: f.verdict for f in result.findings}, list(result.notes)


def test_baseline_without_attestations() -> None:
    """The statements below act on these verdicts of compliant evidence."""
    got, notes = outcome()
    assert got["NAME"].word is got["READ-ONLY"].word is Word.UNVERIFIED
    assert got["MEMBERS-READ"].word is Word.PASS
    assert got["TOKEN-STORAGE"].word is Word.NOT_APPLICABLE
    assert notes == []


def test_attestation_fills_an_unverified_verdict() -> None:
    """An unverified requirement takes the attested word, says who and when, and keeps the API evidence."""
    got, notes = outcome(attest("NAME"))
    name = got["NAME"]
    assert name.word is Word.PASS
    assert name.source is Source.ATTESTATION and name.source.value == "attestation"
    assert name.evidence.startswith(f"Attested by Jane Doe on {TODAY - dt.timedelta(days=1)} (valid until ")
    assert "Evidence: https://tickets.example.com/SEC-1." in name.evidence
    assert "API evidence alone: GitHub shows a token's name only on its settings page" in name.evidence
    assert name.advice == ""
    assert notes == []
    assert got["READ-ONLY"].word is Word.UNVERIFIED  # only the attested requirement changes


@pytest.mark.parametrize(("valid_days", "applied"), [(-1, False), (-400, False), (0, True), (1, True)])
def test_expired_attestation_is_ignored_with_a_note(valid_days: int, applied: bool) -> None:
    """A statement valid until before the run's date is ignored, saying so; one valid until today still counts."""
    got, notes = outcome(attest("NAME", valid_until=TODAY + dt.timedelta(days=valid_days)))
    assert (got["NAME"].word is Word.PASS) is applied
    assert (got["NAME"].source is Source.ATTESTATION) is applied
    if applied:
        assert notes == []
    else:
        assert len(notes) == 1
        assert "Attestation for NAME (line 7) by Jane Doe expired on" in notes[0] and notes[0].endswith("ignored.")


@pytest.mark.parametrize(
    ("rid", "said", "kept", "phrase"),
    [
        ("MEMBERS-READ", Word.FAIL, Word.PASS, "the evidence already gives pass"),
        ("TOKEN-STORAGE", Word.PASS, Word.NOT_APPLICABLE, "the evidence already gives not_applicable"),
    ],
)
def test_attestation_never_overrides_evidence(rid: str, said: Word, kept: Word, phrase: str) -> None:
    """A statement about a requirement the evidence decided changes nothing, and a note says the evidence stands."""
    got, notes = outcome(attest(rid, said))
    assert got[rid].word is kept
    assert got[rid].source is Source.TOKEN
    assert len(notes) == 1 and phrase in notes[0] and notes[0].endswith("the evidence stands.")


def test_attested_pass_cannot_clear_a_proven_fail() -> None:
    """A pass attested for a requirement the evidence fails leaves the fail, and the note says it is proven."""
    got, notes = outcome(attest("FINE-GRAINED"), ev=evidence(kind=TokenKind.CLASSIC))
    assert got["FINE-GRAINED"].word is Word.FAIL
    assert len(notes) == 1 and "the evidence already proves fail" in notes[0]


def test_attested_pass_cannot_clear_a_should_warning() -> None:
    """A `should` the evidence fails is a warn, and an attested pass leaves it so."""
    got, notes = outcome(attest("SERVICE-ACCOUNT"), expected_owner="someone-else")
    assert got["SERVICE-ACCOUNT"].word is Word.WARN
    assert len(notes) == 1 and "the evidence already gives warn" in notes[0]


@pytest.mark.parametrize(
    ("rid", "said", "expected"),
    [
        ("NAME", Word.FAIL, Word.WARN),  # a should
        ("READ-ONLY", Word.FAIL, Word.FAIL),  # a must
        ("NAME", Word.WARN, Word.WARN),
        ("NAME", Word.NOT_APPLICABLE, Word.NOT_APPLICABLE),
        ("READ-ONLY", Word.PASS, Word.PASS),
    ],
)
def test_attested_word_follows_the_level_rule(rid: str, said: Word, expected: Word) -> None:
    """An attested fail of a `should` warns like any other; a `must` stays fail."""
    got, _ = outcome(attest(rid, said))
    assert got[rid].word is expected
    assert got[rid].source is Source.ATTESTATION


def test_attested_fail_keeps_the_advice() -> None:
    """An attested fail keeps the check's advice (what to change), which a pass drops."""
    failed, _ = outcome(attest("NAME", Word.FAIL))
    assert failed["NAME"].advice.startswith("Confirm on the token's settings page")


def test_loaded_file_applies_through_evaluate(tmp_path: Path) -> None:
    """End to end: statements read from a file fill the unverified requirements they name."""
    path = write(tmp_path, "att.yaml", as_yaml(VALID, VALID | {"requirement": "READ-ONLY", "verdict": "fail"}))
    found, warnings = load_attestations(path, IDS)
    assert warnings == []
    got, _ = outcome(*found)
    assert (got["NAME"].word, got["READ-ONLY"].word) == (Word.PASS, Word.FAIL)
    assert got["NAME"].source is got["READ-ONLY"].source is Source.ATTESTATION

"""Attestation files: a named person's signed-off statements, read and validated against their schema."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from compliance.limits import SAFE_LOADER, nesting_depth, read_bounded, yaml_problem
from compliance.model import UsageError, Word

__all__ = ["SCHEMA", "Attestation", "load_attestations"]

FILE_LIMIT = 1024 * 1024  # bytes: an attestation file is a few KiB
DEPTH_LIMIT = 8  # mappings and lists within each other: an attestation file needs three

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["requirement", "verdict", "attested_by", "attested_at", "valid_until", "justification", "evidence"],
    "additionalProperties": False,
    "properties": {
        "requirement": {"type": "string"},
        "verdict": {"enum": ["pass", "fail", "warn", "not_applicable"]},
        "attested_by": {"type": "string", "minLength": 3},
        "attested_at": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "valid_until": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "justification": {"type": "string", "minLength": 10},
        "evidence": {"type": "string", "pattern": r"^https://\S+$"},
    },
}


@dataclass(frozen=True)
class Attestation:
    """One statement: who says what about which requirement, until when, and where the proof is."""

    requirement: str
    verdict: Word
    attested_by: str
    attested_at: dt.date
    valid_until: dt.date
    justification: str
    evidence: str
    line: int


def _yaml_lines(text: str) -> list[int]:
    """The line of each entry of the top-level `attestations` list."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "attestations" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _toml_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if re.match(r"\s*\[\[\s*attestations\s*\]\]", line)]


def _parse(path: Path) -> tuple[Any, list[int]]:
    raw = read_bounded(path, FILE_LIMIT)
    if isinstance(raw, str):
        raise UsageError(f"Cannot read --attestations {path}: {raw}.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"Cannot read --attestations {path}: not UTF-8 text.") from None
    too_deep = f"Cannot read --attestations {path}: it nests too deep (more than {DEPTH_LIMIT} levels)."
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"--attestations {path} is not valid TOML ({exc}).") from None
        except RecursionError:
            raise UsageError(too_deep) from None
        if nesting_depth(data) > DEPTH_LIMIT:
            raise UsageError(too_deep)
        return data, _toml_lines(text)
    try:
        problem = yaml_problem(text, DEPTH_LIMIT)
        loaded: Any = None if problem else yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"--attestations {path} is not valid YAML{where}; fix its syntax.") from None
    except ValueError:  # PyYAML builds unquoted dates itself and raises ValueError for one that does not exist
        raise UsageError(f"--attestations {path} holds a date that does not exist; use YYYY-MM-DD.") from None
    if problem:
        raise UsageError(f"Cannot read --attestations {path}: {problem}.")
    return loaded, _yaml_lines(text)


def _plain(value: Any) -> Any:
    """YAML and TOML turn ISO dates into date objects; the schema speaks of strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _dates(entry: dict[str, Any]) -> tuple[dt.date, dt.date] | str:
    """The entry's two dates, or why one of them is not a real date."""
    found = []
    for key in ("attested_at", "valid_until"):
        try:
            found.append(dt.date.fromisoformat(entry[key]))
        except ValueError:
            return f"{key}: {entry[key]!r} is not a date that exists"
    return found[0], found[1]


def load_attestations(
    path: Path, known_ids: Collection[str], today: dt.date | None = None
) -> tuple[list[Attestation], list[str]]:
    """Read and validate the file; bad entries are dropped with a line-precise warning, a bad file is an error.

    An entry attested after `today` (the run's date; the UTC date by default) is dropped the same way.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    data, lines = _parse(path)
    if not isinstance(data, dict) or not isinstance(data.get("attestations"), list):
        raise UsageError(f"--attestations {path} must hold a list named 'attestations' (see the README).")
    import jsonschema

    validator = jsonschema.Draft202012Validator(SCHEMA)
    found: list[Attestation] = []
    warnings: list[str] = []
    for index, raw in enumerate(data["attestations"]):
        line = lines[index] if index < len(lines) else 0
        where = f"{path.name} line {line}" if line else f"{path.name} entry {index + 1}"
        entry = _plain(raw) if isinstance(raw, dict) else raw
        errors = sorted(validator.iter_errors(entry), key=lambda e: list(e.path))
        if errors:
            first = errors[0]
            field = ".".join(str(p) for p in first.path) or "entry"
            warnings.append(f"{where}: attestation ignored: {field}: {first.message}.")
            continue
        dates = _dates(entry)
        if isinstance(dates, str):
            warnings.append(f"{where}: attestation ignored: {dates}.")
            continue
        if dates[0] > today:
            warnings.append(
                f"{where}: attestation ignored: attested_at {dates[0]} is in the future (run date {today})."
            )
            continue
        if entry["requirement"] not in known_ids:
            warnings.append(
                f"{where}: attestation ignored: {entry['requirement']} is not a requirement of this profile."
            )
            continue
        found.append(
            Attestation(
                requirement=entry["requirement"],
                verdict=Word(entry["verdict"]),
                attested_by=entry["attested_by"],
                attested_at=dates[0],
                valid_until=dates[1],
                justification=entry["justification"],
                evidence=entry["evidence"],
                line=line,
            )
        )
    return found, warnings

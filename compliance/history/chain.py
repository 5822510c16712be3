"""The chain's rules: each record's schema, its hash, the hash of the one before it, and the head that anchors the tail.

What the chain proves, and what it cannot:

- an edited record no longer matches its own hash; a record whose hash was recomputed after an edit no longer
  matches the `prev` of the record after it; a removed or moved record breaks `seq` and `prev`;
- removing records from the end leaves a valid shorter chain: only an anchor kept apart from the records shows it.
  The head (record count and last hash, beside the history) catches a tail cut by a bad merge, a botched hand
  edit or a torn copy; someone who can rewrite both files can rewrite the whole chain, so an auditor compares the
  head with one kept elsewhere (`verify --expect-head`, the hash each weekly run prints in its job summary, the
  history branch's own git log), and the period report shows every week without a record as missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compliance.history.record import FORMAT, digest, is_hash

__all__ = ["RECORD_SCHEMA", "Break", "Head", "check_chain", "link"]

_TEXT = {"type": ["string", "null"], "maxLength": 200}
_TIME = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"}
_HASHED = {"type": "string", "pattern": r"^sha256:[0-9a-f]{64}$"}

RECORD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "v",
        "seq",
        "prev",
        "hash",
        "at",
        "generated_at",
        "org",
        "host",
        "profile",
        "profile_hash",
        "suite_version",
        "commit",
        "mode",
        "overall",
        "cause",
        "run_url",
        "requirements",
        "token",
    ],
    "properties": {
        "v": {"const": FORMAT},
        "seq": {"type": "integer", "minimum": 0, "maximum": 10_000_000},
        "prev": {"oneOf": [_HASHED, {"type": "null"}]},
        "hash": _HASHED,
        "at": {**_TIME, "type": "string"},
        "generated_at": {**_TIME, "type": "string"},
        "org": {"type": "string", "pattern": r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$"},
        "host": {"type": "string", "maxLength": 255},
        "profile": {"type": "string", "minLength": 1, "maxLength": 200},
        "profile_hash": _TEXT,
        "suite_version": _TEXT,
        "commit": _TEXT,
        "mode": {"enum": ["live", "record", "replay"]},
        "overall": {"enum": ["COMPLIANT", "NOT COMPLIANT", "INCOMPLETE"]},
        "cause": _TEXT,
        "run_url": {"type": ["string", "null"], "pattern": r"^https://\S+$", "maxLength": 500},
        "requirements": {
            "type": "object",
            "maxProperties": 500,
            "propertyNames": {"pattern": r"^[A-Z0-9][A-Z0-9-]{0,63}$"},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["verdict", "source"],
                "properties": {
                    "verdict": {"enum": ["pass", "fail", "warn", "unverified", "error", "not_applicable"]},
                    "source": {"enum": ["token", "org-record", "attestation"]},
                },
            },
        },
        "token": {
            "type": "object",
            "additionalProperties": False,
            "required": ["kind", "owner", "fingerprint", "hashed_token", "expires_at", "created_at"],
            "properties": {
                "kind": _TEXT,
                "owner": _TEXT,
                "fingerprint": _TEXT,
                "hashed_token": _TEXT,
                "expires_at": _TIME,
                "created_at": _TIME,
            },
        },
    },
}


@dataclass(frozen=True)
class Head:
    """The anchor of the chain's tail: how many records there are and the last one's hash."""

    records: int
    hash: str | None

    def describe(self) -> str:
        """The head as one phrase."""
        return f"{self.records} records, head {self.hash or 'none'}"


@dataclass(frozen=True)
class Break:
    """Where the chain breaks: the record (1-based line) and one sentence saying what is wrong."""

    line: int
    sentence: str


def link(record: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """The record placed after `previous`: its sequence number, the previous hash, and its own hash."""
    placed = {**record, "seq": 0 if previous is None else previous["seq"] + 1}
    placed["prev"] = None if previous is None else previous["hash"]
    placed["hash"] = digest(placed)
    return placed


def check_chain(records: list[dict[str, Any]], expected: Head | None, anchor: str = "its head file") -> Break | None:
    """The first break in schema-valid records (hash, seq, prev, the head `anchor` names), or None when it holds."""
    previous: dict[str, Any] | None = None
    for line, record in enumerate(records, 1):
        name = f"Record {line} ({record['org']}, {record['at']})"
        if digest(record) != record["hash"]:
            return Break(line, f"{name} does not match its own hash: it was changed after it was written.")
        if record["seq"] != line - 1:
            return Break(
                line,
                f"{name} carries sequence number {record['seq']}, not {line - 1}: a record before it was "
                "removed, or records were reordered.",
            )
        wanted = None if previous is None else previous["hash"]
        if record["prev"] != wanted:
            return Break(
                line,
                f"{name} names {record['prev']} as the record before it, but that record's hash is "
                f"{wanted}: a record was removed, reordered or rewritten.",
            )
        previous = record
    if expected is not None:
        actual = Head(len(records), previous["hash"] if previous else None)
        if actual != expected:
            last = len(records)
            return Break(
                last,
                f"The history ends at record {last} ({actual.describe()}), but {anchor} says "
                f"{expected.describe()}: records were removed from the end, or the head is stale.",
            )
    return None


def valid_head(data: object) -> Head | None:
    """A head read from its JSON form, or None when it is not one."""
    if not isinstance(data, dict) or set(data) != {"v", "records", "head"} or data["v"] != FORMAT:
        return None
    records, head = data["records"], data["head"]
    if not isinstance(records, int) or isinstance(records, bool) or not 0 <= records <= 10_000_000:
        return None
    if not (head is None or is_hash(head)) or (head is None) != (records == 0):
        return None
    return Head(records, head)

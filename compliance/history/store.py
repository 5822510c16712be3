"""The history file: JSON Lines read within bounds and checked record by record, appended under an exclusive lock.

Beside `history.jsonl` lives `history.jsonl.head`, the anchor of its tail (see compliance/history/chain.py). An
append takes an exclusive lock on the history file itself (flock: two appenders, in two processes or two jobs on one
machine, wait for each other), reads and verifies the whole chain, writes one line and fsyncs it, then replaces the
head atomically. A history that does not verify is never appended to.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.history.chain import RECORD_SCHEMA, Break, Head, check_chain, link, valid_head
from compliance.limits import read_bounded
from compliance.model import UsageError

__all__ = ["HISTORY_LIMIT", "LINE_LIMIT", "Checked", "HistoryBusy", "append", "head_path", "load"]

HISTORY_LIMIT = 32 * 1024 * 1024  # bytes: a year of weekly runs of 100 orgs is about 10 MiB
LINE_LIMIT = 64 * 1024  # bytes per record: a record is about 2 KiB
LOCK_WAIT = 60.0  # seconds an append waits for another one to finish


class HistoryBusy(RuntimeError):
    """Another append held the lock for longer than LOCK_WAIT."""


@dataclass(frozen=True)
class Checked:
    """A history read and verified: its records, its head, and the first break (None when the chain holds)."""

    records: list[dict[str, Any]]
    head: Head
    broken: Break | None


def head_path(path: Path) -> Path:
    """Where the head of a history file is kept."""
    return path.with_name(path.name + ".head")


def _records(raw: bytes, path: Path) -> list[dict[str, Any]]:
    """Every line a record that fits the schema; UsageError naming the first line that does not."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(RECORD_SCHEMA)
    out: list[dict[str, Any]] = []
    if raw and not raw.endswith(b"\n"):
        raise UsageError(f"The history {path} ends in the middle of a line: it was cut while being written.")
    for number, line in enumerate(raw.splitlines(), 1):
        if len(line) > LINE_LIMIT:
            raise UsageError(f"Line {number} of the history {path} is longer than {LINE_LIMIT // 1024} KiB.")
        try:
            data = json.loads(line, object_pairs_hook=_unique, parse_float=_refuse, parse_constant=_refuse)
        except (ValueError, RecursionError):
            raise UsageError(
                f"Line {number} of the history {path} is not a JSON record (or repeats a key, or holds a fraction)."
            ) from None
        error = next(iter(validator.iter_errors(data)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "the record"
            raise UsageError(f"Line {number} of the history {path} is not a history record at {where}.")
        out.append(data)
    return out


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are all different: a repeated key would show one value to a reader, another to JSON."""
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key is repeated")
    return dict(pairs)


def _refuse(text: str) -> Any:
    """A record holds no fraction, NaN or infinity: its numbers are whole, so one value has one canonical form."""
    raise ValueError(f"{text} is not a whole number")


def _read_head(path: Path) -> Head | None:
    """The stored head, None when there is no head file; UsageError when it is unreadable or malformed."""
    where = head_path(path)
    if not where.exists() and not where.is_symlink():
        return None
    raw = read_bounded(where, 4096)
    head = None
    if not isinstance(raw, str):
        try:
            head = valid_head(json.loads(raw))
        except (ValueError, RecursionError):
            head = None
    if head is None:
        raise UsageError(f"The history's head {where} is not a head file ({{v, records, head}}); restore it.")
    return head


def load(path: Path, expect: Head | None = None) -> Checked:
    """Read and verify a history: bounded, every record schema-checked, the chain and its head (or `expect`)."""
    raw = read_bounded(path, HISTORY_LIMIT)
    if isinstance(raw, str):
        raise UsageError(f"The history {path} cannot be read: {raw}.")
    return _checked(raw, path, expect)


def _checked(raw: bytes, path: Path, expect: Head | None) -> Checked:
    records = _records(raw, path)
    stored = _read_head(path)
    head = Head(len(records), records[-1]["hash"] if records else None)
    broken = check_chain(records, stored)
    if broken is None and expect is not None:
        broken = check_chain(records, expect, "the head kept apart (--expect-head, --expect-records)")
    if broken is None and stored is None and records:
        broken = Break(len(records), f"The history has {len(records)} records but no head file {head_path(path)}.")
    return Checked(records, head, broken)


def _write_head(path: Path, head: Head) -> None:
    text = json.dumps({"v": 1, "records": head.records, "head": head.hash}) + "\n"
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".head.", suffix=".tmp", delete=False) as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(fh.name, 0o666 & ~umask)  # as any new file under the umask (mkstemp alone would force 0600)
    os.replace(fh.name, head_path(path))


def _lock(fd: int, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise HistoryBusy(f"another append held the history for more than {wait:g} seconds") from None
            time.sleep(0.05)


def append(path: Path, records: Sequence[dict[str, Any]], wait: float = LOCK_WAIT) -> list[dict[str, Any]]:
    """Link each record after the last one and append them together, under an exclusive lock, the chain verified first.

    Several records in one call (a weekly run's orgs) cost one lock and one verification of the history.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK, 0o666)
    except OSError as exc:
        raise UsageError(f"The history {path} cannot be opened for appending: {exc.strerror}.") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UsageError(f"The history {path} is not a regular file.")
        _lock(fd, wait)
        raw = _read_all(fd, path)
        checked = _checked(raw, path, None)
        if checked.broken is not None:
            raise UsageError(f"Not appending to {path}: {checked.broken.sentence}")
        placed: list[dict[str, Any]] = []
        previous = checked.records[-1] if checked.records else None
        for record in records:
            previous = link(record, previous)
            placed.append(previous)
        lines = [(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n").encode() for r in placed]
        text = b"".join(lines)
        if any(len(line) > LINE_LIMIT for line in lines) or len(raw) + len(text) > HISTORY_LIMIT:
            raise UsageError(f"The history {path} would grow past its bounds; start a new file for the next period.")
        if placed:
            os.write(fd, text)  # one write of whole lines (O_APPEND), then fsync, then the head
            os.fsync(fd)
            _write_head(path, Head(placed[-1]["seq"] + 1, placed[-1]["hash"]))
        return placed
    finally:
        os.close(fd)  # closing releases the lock


def _read_all(fd: int, path: Path) -> bytes:
    size = os.fstat(fd).st_size
    if size > HISTORY_LIMIT:
        raise UsageError(f"The history {path} is larger than {HISTORY_LIMIT // 1024 // 1024} MiB.")
    return os.pread(fd, size, 0) if size else b""

"""The history file: JSON Lines read within bounds and checked record by record, appended under an exclusive lock.

Beside `history.jsonl` lives `history.jsonl.head`, the anchor of its tail (see compliance/history/chain.py). An
append takes an exclusive lock on the history file itself (flock: two appenders, in two processes or two jobs on one
machine, wait for each other), reads and verifies the whole chain, checks each new record against the record schema,
stages the new head, appends the lines and fsyncs them, then moves the head into place; a failure on the way leaves
the old history and head. A history that does not verify is never appended to.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

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


def _stage_head(path: Path, head: Head) -> str:
    """The new head written and synced beside the history under a temporary name (its name), not yet in place."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".head.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({"v": 1, "records": head.records, "head": head.hash}) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(name, 0o666 & ~umask)  # as any new file under the umask (mkstemp alone forces 0600)
    except BaseException:
        _remove(name)
        raise
    return name


def _remove(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)


def _write(fd: int, path: Path, size: int, text: bytes, head: Head) -> None:
    """Append whole lines and move the new head into place, or leave the history and its head as they were.

    The head is staged first (an unwritable folder or a full disk stops there, before any record byte), then the
    lines are appended and synced, then the head replaces the old one. A failure in between cuts the history back
    to its old `size`, so the head is never left behind the records; if even that fails, verify names the state.
    """
    try:
        staged = _stage_head(path, head)
    except OSError as exc:
        raise UsageError(
            f"Nothing was appended to {path}: its head cannot be written: {exc.strerror or exc}."
        ) from None
    try:
        done = 0
        while done < len(text):  # a full disk or a file size limit may take part of a write, then refuse the rest
            done += os.write(fd, text[done:]) or _full()
        os.fsync(fd)
        os.replace(staged, head_path(path))
    except BaseException as exc:
        _remove(staged)
        try:
            os.ftruncate(fd, size)
            os.fsync(fd)
            undone = "nothing was appended"
        except OSError:
            undone = "cutting it back failed too, so verify says what to restore"
        if isinstance(exc, OSError):
            raise UsageError(f"The history {path} cannot be written ({exc.strerror or exc}); {undone}.") from None
        raise
    with contextlib.suppress(OSError):  # the head's new name kept on disk: its folder synced (best effort)
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _full() -> NoReturn:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK, 0o666)
    except OSError as exc:
        raise UsageError(f"The history {path} cannot be opened for appending: {exc.strerror or exc}.") from None
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
        _check_new(placed, path)
        lines = [(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n").encode() for r in placed]
        text = b"".join(lines)
        if any(len(line) > LINE_LIMIT for line in lines) or len(raw) + len(text) > HISTORY_LIMIT:
            raise UsageError(f"The history {path} would grow past its bounds; start a new file for the next period.")
        if placed:
            _write(fd, path, len(raw), text, Head(placed[-1]["seq"] + 1, placed[-1]["hash"]))
        return placed
    except OSError as exc:  # reading or locking it
        raise UsageError(f"The history {path} cannot be appended to: {exc.strerror or exc}.") from None
    finally:
        os.close(fd)  # closing releases the lock


def _check_new(placed: list[dict[str, Any]], path: Path) -> None:
    """Every new record fits the record schema, or UsageError before any byte is written: no record poisons the file."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(RECORD_SCHEMA)
    for record in placed:
        error = next(iter(validator.iter_errors(record)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "the record"
            raise UsageError(
                f"Not appending to {path}: the record of {record.get('org')} would not be a history record at "
                f"{where}: {error.message[:200]}."
            )


def _read_all(fd: int, path: Path) -> bytes:
    size = os.fstat(fd).st_size
    if size > HISTORY_LIMIT:
        raise UsageError(f"The history {path} is larger than {HISTORY_LIMIT // 1024 // 1024} MiB.")
    return os.pread(fd, size, 0) if size else b""

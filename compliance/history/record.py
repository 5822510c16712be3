"""One history record: a compact, stable summary of one run, derived only from the run's JSON report.

The record keeps what an auditor asks of a week (when, which org and host, which profile and suite, the overall
verdict, each requirement's verdict and source, the token's fingerprints and expiry, a creation time the org's
record showed, where the run's reports are) and nothing that could hold a secret: the JSON report holds none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

import rfc8785

from compliance import __version__
from compliance.limits import read_bounded
from compliance.model import UsageError

__all__ = ["FORMAT", "REPORT_LIMIT", "digest", "parse_time", "read_report", "record_of", "stamp"]

FORMAT = 1  # the record format; a new field that changes the meaning of the old ones takes a new number
REPORT_LIMIT = 8 * 1024 * 1024  # bytes: a run's JSON report is tens of KiB
_HASH = re.compile(r"sha256:[0-9a-f]{64}")
_OVERALL = ("COMPLIANT", "NOT COMPLIANT", "INCOMPLETE")
_WORDS = ("pass", "fail", "warn", "unverified", "error", "not_applicable")
_TIME = {"type": ["string", "null"], "maxLength": 40}
_TEXT = {"type": ["string", "null"], "maxLength": 200}

# The part of the run's JSON report a record reads: the contract's fields, checked before any is used.
REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["schema_version", "org", "profile", "mode", "api_url", "generated_at", "token", "overall"],
    "properties": {
        "schema_version": {"const": 1},
        "org": {"type": "string", "pattern": r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$"},
        "profile": {"type": "string", "minLength": 1, "maxLength": 200},
        "mode": {"enum": ["live", "record", "replay"]},
        "api_url": {"type": "string", "maxLength": 500},
        "generated_at": {"type": "string", "maxLength": 40},
        "recorded_at": _TIME,
        "overall": {"enum": list(_OVERALL)},
        "demo": {"type": "boolean"},
        "headline": {"type": ["object", "null"], "properties": {"cause": _TEXT}},
        "token": {
            "type": "object",
            "properties": {
                "kind": _TEXT,
                "owner": _TEXT,
                "fingerprint": _TEXT,
                "expires_at": _TIME,
                "created_at": _TIME,
                "hashed_token": _TEXT,
                "audit_log_url": {"type": ["string", "null"], "maxLength": 2000},
            },
        },
        "run": {
            "type": "object",
            "properties": {
                "suite_version": _TEXT,
                "commit": _TEXT,
                "profile_hash": _TEXT,
                "profile_sha256": _TEXT,
                "runner": _TEXT,
                "runner_url": {"type": ["string", "null"], "maxLength": 500},
            },
        },
        "requirements": {
            "type": "array",
            "maxItems": 500,
            "items": {
                "type": "object",
                "required": ["id", "verdict"],
                "properties": {
                    "id": {"type": "string", "pattern": r"^[A-Z0-9][A-Z0-9-]{0,63}$"},
                    "verdict": {"enum": list(_WORDS)},
                    "source": {"enum": ["token", "org-record", "attestation"]},
                },
            },
        },
    },
}


def stamp(moment: dt.datetime) -> str:
    """A UTC time as records show it (second precision, Z)."""
    return moment.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"  # years < 1000 padded


def parse_time(value: object) -> dt.datetime | None:
    """An ISO time with an offset (or Z) as an aware UTC time; None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.astimezone(dt.UTC) if moment.tzinfo else None
    except (ValueError, OverflowError):  # OverflowError: a time at the edge of year 1 or 9999 moved to UTC
        return None


def digest(record: dict[str, Any]) -> str:
    """The record's hash: SHA-256 of its RFC 8785 canonical JSON, without its own `hash` field."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return "sha256:" + hashlib.sha256(rfc8785.dumps(body)).hexdigest()


def is_hash(value: object) -> bool:
    """True for a `sha256:` and 64 lowercase hex digits."""
    return isinstance(value, str) and bool(_HASH.fullmatch(value))


def read_report(path: Path) -> dict[str, Any]:
    """The run's JSON report, bounded and checked against the fields a record reads; UsageError otherwise."""
    from jsonschema import Draft202012Validator

    raw = read_bounded(path, REPORT_LIMIT)
    if isinstance(raw, str):
        raise UsageError(f"The report {path} cannot be read: {raw}.")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise UsageError(f"The report {path} is not JSON; pass the file --compliance-json wrote.") from None
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a \ud800 escape alone: no record could hash or write it
        raise UsageError(f"The report {path} holds text that is not Unicode (an unpaired surrogate).") from None
    error = next(iter(Draft202012Validator(REPORT_SCHEMA).iter_errors(data)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the top level"
        raise UsageError(f"The report {path} is not a compliance report at {where}: {error.message[:200]}.")
    if data.get("demo"):
        raise UsageError(f"The report {path} is the bundled demo, not an org's run; it is not kept in a history.")
    times = {**{f"token.{k}": v for k, v in data["token"].items() if k in ("expires_at", "created_at")}, **data}
    for key in ("generated_at", "recorded_at", "token.expires_at", "token.created_at"):
        if times.get(key) is not None and parse_time(times[key]) is None:
            raise UsageError(f"The report {path} has an unreadable {key} {times[key]!r}.")
    _split(data["api_url"], f"The report {path} has an api_url that is not a URL")
    return dict(data)


def _split(value: str, sentence: str) -> SplitResult:
    """The URL's parts; UsageError (`sentence`, the value beside it) when it cannot be split (an unclosed [)."""
    try:
        return urlsplit(value)
    except ValueError:
        raise UsageError(f"{sentence}: {value[:200]!r}.") from None


def _run_url(value: str | None, name: str) -> str | None:
    if not value:
        return None
    try:
        parts = urlsplit(value) if len(value) <= 500 and not any(c.isspace() for c in value) else None
    except ValueError:  # an unclosed [ or a bad port
        parts = None
    if parts is None or parts.scheme != "https" or not parts.hostname:
        raise UsageError(f"{name} {value[:200]!r} is not an https:// URL; pass the workflow run's address.")
    return value


def record_of(report: dict[str, Any], run_url: str | None = None) -> dict[str, Any]:
    """A record (without its place in the chain: seq, prev, hash) from a checked JSON report."""
    token, run = report.get("token") or {}, report.get("run") or {}
    observed = parse_time(report.get("recorded_at")) or parse_time(report["generated_at"])
    assert observed is not None  # read_report checked both
    headline = report.get("headline") or {}
    return {
        "v": FORMAT,
        "at": stamp(observed),  # when the evidence was observed: the recording's time for a replay
        "generated_at": stamp(parse_time(report["generated_at"]) or observed),
        "org": report["org"],
        "host": _split(report["api_url"], "The report's api_url is not a URL").hostname or report["api_url"][:200],
        "profile": report["profile"],
        "profile_hash": run.get("profile_sha256") or run.get("profile_hash"),
        "suite_version": run.get("suite_version") or __version__,  # older reports: the suite that appends
        "commit": run.get("commit"),
        "mode": report["mode"],
        "overall": report["overall"],
        "cause": headline.get("cause") or None,
        # the run itself names its Actions run, unless --run-url names another
        "run_url": _run_url(run_url, "--run-url") if run_url else _run_url(run.get("runner_url"), "run.runner_url"),
        "requirements": {
            r["id"]: {"verdict": r["verdict"], "source": r.get("source", "token")}
            for r in report.get("requirements", [])
        },
        "token": {
            "kind": token.get("kind"),
            "owner": token.get("owner"),
            "fingerprint": token.get("fingerprint"),
            "hashed_token": token.get("hashed_token"),
            "expires_at": _normal(token.get("expires_at")),
            "created_at": _normal(token.get("created_at")),  # only the org's record shows it
        },
    }


def _normal(value: object) -> str | None:
    moment = parse_time(value)
    return stamp(moment) if moment else None

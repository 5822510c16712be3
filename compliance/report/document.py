"""The JSON results of the contract, and atomic writing of every report file."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from compliance.report.assessment import Assessment, iso, reaching_compliant
from compliance.report.files import file_mode

__all__ = ["SCHEMA_VERSION", "to_json", "write_json", "write_text"]

SCHEMA_VERSION = 1


def to_json(a: Assessment, generated_at: dt.datetime) -> dict[str, Any]:
    """The contract's JSON document: never a header value, never the token."""
    kind = a.evidence.token_kind
    return {
        "schema_version": SCHEMA_VERSION,
        "org": a.evidence.target.org,
        "profile": a.profile.id,
        "mode": a.mode.value,
        "api_url": a.evidence.target.api_url,
        "generated_at": iso(generated_at),
        "token": {
            "kind": kind.value if kind else None,
            "owner": a.owner,
            "expires_at": iso(a.expires_at) if a.expires_at else None,
            "fingerprint": a.fingerprint,
            "hashed_token": a.hashed_token,
            "audit_log_url": a.audit_log,
            "created_at": _created_at(a),
        },
        "run": _run(a),
        "recorded_at": iso(a.recorded_at) if a.recorded_at else None,
        "overall": a.overall.word,
        "headline": None
        if a.headline is None
        else {
            "cause": a.headline.cause,
            "scope": a.headline.scope,
            "text": a.headline.text,
            "fix": a.headline.fix,
            "source": a.headline.source,
            "assumption": a.headline.assumption,
        },
        "demo": a.demo,
        "reaching_compliant": reaching_compliant(a),
        "requirements": [
            {
                "id": f.requirement.id,
                "title": f.requirement.title,
                "level": f.requirement.level.value,
                "verdict": f.verdict.word.value,
                "source": f.verdict.source.value,
                "evidence": f.verdict.evidence,
                "remediation": f.remediation,
                "references": list(f.requirement.references),
                "controls": [
                    {"framework": c.framework.name, "id": c.id, "title": c.title, "label": c.label}
                    for c in f.requirement.controls
                ],
            }
            for f in a.findings
        ],
        "notes": list(a.notes),
        "requests": [{"method": r.method, "path": r.path, "status": r.status} for r in a.evidence.requests],
    }


def _run(a: Assessment) -> dict[str, Any] | None:
    """Who ran the check, when, with which suite, profile and options."""
    p = a.provenance
    if p is None:
        return None
    return {
        "runner": p.runner,
        "runner_url": p.runner_url,
        "suite_version": p.suite_version,
        "commit": p.commit,
        "profile": p.profile,
        "profile_sha256": p.profile_sha256,
        "profile_guide": a.profile.guide,
        "profile_guide_read": a.profile.guide_read or None,
        "profile_notes": list(a.profile.notes),
        "options": dict(p.options),
        "api_url": p.api_url,
        "started_at": iso(p.started_at),
    }


def _created_at(a: Assessment) -> str | None:
    """The token's creation time, when the org's record showed it (a later run can no longer see it once approved)."""
    record = a.evaluation.facts.record
    created = record.timestamp("created_at") if record is not None and record.found else None
    return iso(created) if created else None


def write_text(text: str, path: Path) -> None:
    """Write atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as fh:
        fh.write(text)
    os.chmod(fh.name, file_mode())  # the umask's choice, as any new file: mkstemp alone would force 0600
    os.replace(fh.name, path)


def write_json(document: dict[str, Any], path: Path) -> None:
    """Write the JSON document atomically."""
    write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", path)

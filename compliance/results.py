"""The run's outcome as data: verdicts joined with the catalogue, and the JSON document of the contract."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.catalogue import Level, Profile, Requirement
from compliance.evidence import Evidence, Reply, login_of
from compliance.expiry import HEADER, parse_expiration
from compliance.options import Mode
from compliance.remediation import token_template_url
from compliance.verdicts import Verdict, Word

__all__ = [
    "SCHEMA_VERSION",
    "Assessment",
    "Overall",
    "overall",
    "remediation_for",
    "to_json",
    "write_json",
    "write_text",
]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Assessment:
    """A finished evaluation: what was checked, with which evidence, and the verdict for each requirement."""

    profile: Profile
    mode: Mode
    evidence: Evidence
    verdicts: dict[str, Verdict]
    fingerprint: str | None
    recorded_at: dt.datetime | None = None
    demo: bool = False
    notes: tuple[str, ...] = ()

    def remediation(self, req: Requirement) -> str:
        """The fix text for this requirement's verdict."""
        return remediation_for(req, self.verdicts[req.id], self.token_link(req))

    def token_link(self, req: Requirement) -> str | None:
        """The pre-filled token link, when a new token is the fix."""
        if not req.new_token and req.id != "COPILOT-METRICS":
            return None
        target = self.evidence.target
        return token_template_url(target.web_url, self.profile, target.org, with_metrics=req.id == "COPILOT-METRICS")

    @property
    def owner(self) -> str | None:
        """The token owner's login, when GET /user answered."""
        return login_of(self.evidence.get("user"))

    @property
    def expires_at(self) -> dt.datetime | None:
        """The expiry from the header, when present and readable."""
        user = self.evidence.get("user")
        if isinstance(user, Reply) and user.ok and HEADER in user.headers:
            try:
                return parse_expiration(user.headers[HEADER])
            except ValueError:
                return None
        return None


class Overall:
    """The run's verdict: NOT COMPLIANT on any fail, INCOMPLETE on errors or unproven musts, else COMPLIANT."""

    def __init__(self, a: Assessment) -> None:
        self.counts = Counter(v.word for v in a.verdicts.values())
        musts = [r.id for r in a.profile.requirements if r.level is Level.MUST]
        self.unproven_musts = [rid for rid in musts if a.verdicts[rid].word is Word.UNVERIFIED]
        if self.counts[Word.FAIL]:
            self.word = "NOT COMPLIANT"
        elif self.counts[Word.ERROR] or self.unproven_musts:
            self.word = "INCOMPLETE"
        else:
            self.word = "COMPLIANT"

    @property
    def css(self) -> str:
        """A CSS class name for the banner."""
        return self.word.lower().replace(" ", "-")

    def tally(self) -> str:
        """Counts per verdict word, in contract order."""
        return ", ".join(f"{self.counts[w]} {w.value}" for w in Word if self.counts[w])


def overall(a: Assessment) -> Overall:
    """The overall verdict of an assessment."""
    return Overall(a)


def remediation_for(req: Requirement, verdict: Verdict, link: str | None) -> str:
    """Specific advice first, then the catalogue's fix and the token link, for verdicts that need action."""
    if verdict.word in (Word.PASS, Word.NOT_APPLICABLE):
        return ""
    parts = [verdict.advice] if verdict.advice else []
    if verdict.word in (Word.FAIL, Word.WARN):
        parts.append(req.remediation)
        if link:
            parts.append(f"Pre-filled token settings: {link}")
    return " ".join(parts)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_json(a: Assessment, generated_at: dt.datetime) -> dict[str, Any]:
    """The contract's JSON document: never a header value, never the token."""
    kind = a.evidence.token_kind
    return {
        "schema_version": SCHEMA_VERSION,
        "org": a.evidence.target.org,
        "profile": a.profile.id,
        "mode": a.mode.value,
        "api_url": a.evidence.target.api_url,
        "generated_at": _iso(generated_at),
        "token": {
            "kind": kind.value if kind else None,
            "owner": a.owner,
            "expires_at": _iso(a.expires_at) if a.expires_at else None,
            "fingerprint": a.fingerprint,
        },
        "recorded_at": _iso(a.recorded_at) if a.recorded_at else None,
        "overall": overall(a).word,
        "demo": a.demo,
        "requirements": [
            {
                "id": req.id,
                "title": req.title,
                "level": req.level.value,
                "verdict": a.verdicts[req.id].word.value,
                "source": a.verdicts[req.id].source,
                "evidence": a.verdicts[req.id].evidence,
                "remediation": a.remediation(req),
                "references": list(req.references),
            }
            for req in a.profile.requirements
        ],
        "notes": list(a.notes),
        "requests": [{"method": r.method, "path": r.path, "status": r.status} for r in a.evidence.requests],
    }


def write_text(text: str, path: Path) -> None:
    """Write atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as fh:
        fh.write(text)
    os.chmod(fh.name, 0o644)  # reports hold no secret; mkstemp's 0600 would surprise whoever uploads them
    os.replace(fh.name, path)


def write_json(document: dict[str, Any], path: Path) -> None:
    """Write the JSON document atomically."""
    write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", path)

"""NIST OSCAL Assessment Results (JSON) for GRC platforms: observations, findings, the profile as the plan.

Each requirement is an observation carrying its verdict and evidence (a test for the token's own answers and
the org's record, an assessor-provided examination for an attestation, with its signer as the origin); every
HTTP request is evidence on one more observation; each fail or warn is a `not-satisfied` finding and each pass
a `satisfied` one, targeting the requirement. Control ids are the framework's, prefixed by the framework
(soc2_cc6.1, iso27001_a.5.15, nist80053_ac-6), since one result reviews three frameworks at once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from compliance import __version__
from compliance.checks.evaluate import Finding
from compliance.model import Source, Word
from compliance.report.assessment import Assessment, iso
from compliance.report.html import answer

__all__ = ["OSCAL_VERSION", "oscal_results"]

OSCAL_VERSION = "1.2.1"  # the NIST release whose JSON schema the tests validate against (compliance-trestle)
NS = "urn:copilot-token-compliance:oscal"  # our props' namespace, as OSCAL asks of extensions
_FINDING_STATE = {Word.PASS: "satisfied", Word.FAIL: "not-satisfied", Word.WARN: "not-satisfied"}


def _control_id(key: str) -> str:
    framework, _, cid = key.partition(":")
    return f"{framework.lower()}_{cid.lower()}"


class _Ids:
    """UUIDs derived from the run (org, profile, time) and a name: the same report always gets the same ids."""

    def __init__(self, a: Assessment, generated_at: dt.datetime) -> None:
        self.base = uuid.uuid5(uuid.NAMESPACE_URL, f"{NS}/{a.evidence.target.org}/{a.profile.id}/{iso(generated_at)}")

    def __call__(self, name: str) -> str:
        return str(uuid.uuid5(self.base, name))


def _prop(name: str, value: str) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": value}


def _observation(f: Finding, ids: _Ids, collected: str, parties: dict[str, str]) -> dict[str, Any]:
    req, v = f.requirement, f.verdict
    attested = v.source is Source.ATTESTATION
    obs: dict[str, Any] = {
        "uuid": ids(f"observation/{req.id}"),
        "title": f"{req.id}: {req.title}",
        "description": f"Verdict {v.word.value} ({req.level.value}) from the {v.source.value}: {v.evidence}",
        "props": [
            _prop("requirement", req.id),
            _prop("verdict", v.word.value),
            _prop("level", req.level.value),
            _prop("source", v.source.value),
            *(_prop("control", _control_id(c.key)) for c in req.controls),
        ],
        "methods": ["EXAMINE"] if attested else ["TEST"],
        "relevant-evidence": [{"description": v.evidence}],
        "collected": collected,
    }
    signer = " ".join(v.attested_by.split())  # OSCAL names are one line without edge spaces
    if attested and signer:
        party = parties.setdefault(signer, ids(f"party/{signer}"))
        obs["origins"] = [{"actors": [{"type": "party", "actor-uuid": party}]}]
    if f.remediation:
        obs["remarks"] = f"Fix: {f.remediation}"
    return obs


def _finding(f: Finding, ids: _Ids) -> dict[str, Any] | None:
    state = _FINDING_STATE.get(f.verdict.word)
    if state is None:  # unverified, error, not applicable: an observation only, no claim either way
        return None
    req = f.requirement
    return {
        "uuid": ids(f"finding/{req.id}"),
        "title": f"{req.id} {f.verdict.word.value}",
        "description": f"{req.title}: {f.verdict.evidence}",
        "target": {
            "type": "objective-id",
            "target-id": req.id,
            "status": {"state": state, "reason": f.verdict.word.value.replace("_", "-")},
        },
        "related-observations": [{"observation-uuid": ids(f"observation/{req.id}")}],
        **({"remarks": f.remediation} if f.remediation and state == "not-satisfied" else {}),
    }


def _provenance_props(a: Assessment) -> list[dict[str, str]]:
    p = a.provenance
    if p is None:
        return []
    shown = {"runner": p.runner, "runner-url": p.runner_url, "suite-commit": p.commit, "api-url": p.api_url}
    return [_prop(name, value) for name, value in shown.items() if value]


def oscal_results(a: Assessment, generated_at: dt.datetime) -> dict[str, Any]:
    """The run as an OSCAL Assessment Results document (a JSON object), never the token."""
    ids = _Ids(a, generated_at)
    end = iso(generated_at)
    start = iso(a.provenance.started_at) if a.provenance else end
    collected = iso(a.recorded_at) if a.recorded_at else start
    parties: dict[str, str] = {}
    observations = [_observation(f, ids, collected, parties) for f in a.findings]
    observations.append(
        {
            "uuid": ids("observation/requests"),
            "title": "HTTP requests the run sent",
            "description": f"{len(a.evidence.requests)} GET requests to {a.evidence.target.api_url}; no other method.",
            "methods": ["TEST"],
            "relevant-evidence": [{"description": f"{r.method} {r.path} -> {r.status}"} for r in a.evidence.requests]
            or [{"description": "no request was sent"}],
            "collected": collected,
        }
    )
    findings = [x for x in (_finding(f, ids) for f in a.findings) if x]
    controls = sorted({_control_id(c.key) for f in a.findings for c in f.requirement.controls})
    plan = ids("resource/profile")
    p = a.provenance
    result: dict[str, Any] = {
        "uuid": ids("result"),
        "title": f"Copilot token compliance of {a.evidence.target.org}: {a.overall.word}",
        "description": answer(a),
        "start": start,
        "end": end,
        "props": [
            _prop("overall", a.overall.word.lower().replace(" ", "-")),
            _prop("mode", a.mode.value),
            *([_prop("token-fingerprint", a.fingerprint)] if a.fingerprint else []),
            *([_prop("hashed-token", a.hashed_token)] if a.hashed_token else []),
            *([_prop("demo-data", "true")] if a.demo else []),
        ],
        "reviewed-controls": {
            "control-selections": [
                {
                    "description": "The controls the profile's requirements are evidence for.",
                    "include-controls": [{"control-id": c} for c in controls],
                }
            ]
        },
        "observations": observations,
    }
    if findings:
        result["findings"] = findings
    if a.notes:
        result["remarks"] = " ".join(a.notes)
    metadata: dict[str, Any] = {
        "title": result["title"],
        "last-modified": end,
        "version": __version__,
        "oscal-version": OSCAL_VERSION,
        "props": _provenance_props(a),
    }
    if not metadata["props"]:
        del metadata["props"]
    if parties:
        metadata["parties"] = [{"uuid": u, "type": "person", "name": name} for name, u in parties.items()]
    resource: dict[str, Any] = {
        "uuid": plan,
        "title": f"Profile {a.profile.id}: {a.profile.title}",
        "description": "The requirement profile this run assessed: the assessment plan.",
        "rlinks": [{"href": a.profile.guide}],
    }
    if p:
        resource["props"] = [_prop("profile-sha256", p.profile_sha256)]
    return {
        "assessment-results": {
            "uuid": ids("assessment-results"),
            "metadata": metadata,
            "import-ap": {"href": f"#{plan}"},
            "results": [result],
            "back-matter": {"resources": [resource]},
        }
    }

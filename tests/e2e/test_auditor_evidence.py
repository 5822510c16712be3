"""Evidence an auditor accepts: PDF, OSCAL, framework controls, GitHub's hashed_token and provenance in every output."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from compliance.controls import controls_for
from tests.e2e.test_grant_record import ATTESTATIONS
from tests.support import APP_CANARY, CANARY, Runner, SuiteRun, assert_no_leak, pdf_args, pdf_text

pytestmark = pytest.mark.e2e

HASHED = base64.b64encode(hashlib.sha256(CANARY.encode()).digest()).decode()


def _validate_oscal(doc: dict[str, Any]) -> Any:
    """Validate against compliance-trestle's models, generated from NIST's published OSCAL JSON schema."""
    from trestle.oscal import OSCAL_VERSION
    from trestle.oscal.assessment_results import AssessmentResults

    model = AssessmentResults.model_validate(doc["assessment-results"])
    assert doc["assessment-results"]["metadata"]["oscal-version"] == OSCAL_VERSION
    return model


@pytest.fixture
def failing(run_suite: Runner, tmp_path: Path) -> SuiteRun:
    """A token with a write permission (the org's record shows it), every auditor output asked for."""
    pdf = pdf_args(tmp_path / "out-pdf" / "report.pdf")
    return run_suite("write-permission", *pdf, out_name="failing", app=True)


def test_hashed_token_is_githubs_identifier_in_every_output(failing: SuiteRun, tmp_path: Path) -> None:
    """hashed_token is base64(SHA-256(token)) as in GitHub's audit log, in JSON, HTML, MD, JUnit, OSCAL, PDF."""
    doc = failing.json
    assert doc["token"]["hashed_token"] == HASHED
    assert doc["token"]["audit_log_url"] is None  # the simulator's loopback API URL has no known web host
    texts = failing.texts()
    for name in ("report.html", "compliance.md", "junit.xml", "oscal.json"):
        assert HASHED in (failing.out / name).read_text(), name
    assert HASHED in failing.stdout
    assert HASHED in pdf_text(tmp_path / "out-pdf" / "report.pdf").replace("\n", "")
    assert_no_leak(CANARY, texts)
    assert_no_leak(APP_CANARY, texts)


def test_controls_in_every_output(failing: SuiteRun, tmp_path: Path) -> None:
    """Each requirement's framework controls are in the JSON, HTML, Markdown, JUnit, OSCAL and PDF."""
    expected = [c.label for c in controls_for("READ-ONLY")]
    assert expected, "READ-ONLY maps to controls"
    entry = next(r for r in failing.json["requirements"] if r["id"] == "READ-ONLY")
    assert [c["label"] for c in entry["controls"]] == expected
    assert all(r["controls"] for r in failing.json["requirements"])
    html = (failing.out / "report.html").read_text()
    assert "Controls: " + " · ".join(expected) in html
    row = next(ln for ln in (failing.out / "compliance.md").read_text().splitlines() if ln.startswith("| `READ-ONLY`"))
    assert row.endswith("| " + ", ".join(expected) + " |")
    cases = ET.parse(failing.out / "junit.xml").getroot().iter("testcase")
    props = [{p.get("name"): p.get("value") for p in case.iter("property")} for case in cases]
    assert {p["requirement"]: p["controls"] for p in props}["READ-ONLY"] == "; ".join(expected)
    oscal = json.loads((failing.out / "oscal.json").read_text())
    obs = next(o for o in oscal["assessment-results"]["results"][0]["observations"] if o["title"].startswith("READ-"))
    assert {p["value"] for p in obs["props"] if p["name"] == "control"} >= {"soc2_cc6.3", "nist80053_ac-6"}
    assert "Controls: SOC 2 CC6.3" in pdf_text(tmp_path / "out-pdf" / "report.pdf")


def test_pdf_leads_with_the_answer(failing: SuiteRun, tmp_path: Path) -> None:
    """The PDF's first page says NOT COMPLIANT, names the failed requirement, what was seen and the one fix."""
    pdf = tmp_path / "out-pdf" / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True)
    page = " ".join(first.stdout.split())
    assert "NOT COMPLIANT" in page and "READ-ONLY failed" in page
    assert page.index("Failed (") < page.index("Passed (") if "Passed (" in page else "Failed (" in page
    assert "Observed:" in page and "Fix:" in page
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")], check=True
        )
        from PIL import Image

        image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
        lo, hi = image.getextrema()
        assert hi - lo > 100, "the first page is blank"
        assert image.width < image.height  # A4 portrait


def test_oscal_validates_and_says_what_failed(failing: SuiteRun) -> None:
    """The OSCAL file validates against NIST's schema; each requirement is an observation, each fail a finding."""
    doc = json.loads((failing.out / "oscal.json").read_text())
    model = _validate_oscal(doc)
    result = doc["assessment-results"]["results"][0]
    titles = [o["title"].split(":")[0] for o in result["observations"]]
    assert titles[:-1] == [r["id"] for r in failing.json["requirements"]]
    requests = result["observations"][-1]["relevant-evidence"]
    assert len(requests) == len(failing.json["requests"])
    states = {f["target"]["target-id"]: f["target"]["status"]["state"] for f in result["findings"]}
    assert states["READ-ONLY"] == "not-satisfied" and states["ACTIVE"] == "satisfied"
    assert {rid for rid, v in failing.verdicts.items() if v in ("pass", "fail", "warn")} == set(states)
    plan = doc["assessment-results"]["import-ap"]["href"].removeprefix("#")
    assert plan == str(model.back_matter.resources[0].uuid)


def test_oscal_attestations_are_assessor_observations(run_suite: Runner, tmp_path: Path) -> None:
    """An attested verdict is an EXAMINE observation whose origin is the signer, a party in the metadata."""
    path = tmp_path / "attest.yaml"
    path.write_text(ATTESTATIONS)
    run = run_suite("missing-members", "--attestations", str(path))
    doc = json.loads((run.out / "oscal.json").read_text())
    _validate_oscal(doc)
    obs = next(o for o in doc["assessment-results"]["results"][0]["observations"] if o["title"].startswith("NAME:"))
    assert obs["methods"] == ["EXAMINE"]
    party = obs["origins"][0]["actors"][0]["actor-uuid"]
    parties = {p["uuid"]: p["name"] for p in doc["assessment-results"]["metadata"]["parties"]}
    assert parties[party] == "Jane Admin (org owner)"


def test_demo_oscal_validates(run_offline: Runner) -> None:
    """The demo replay's OSCAL validates too, marked as demo data."""
    run = run_offline(out_name="demo-oscal")
    doc = json.loads((run.out / "oscal.json").read_text())
    _validate_oscal(doc)
    props = {p["name"]: p["value"] for p in doc["assessment-results"]["results"][0]["props"]}
    assert props["demo-data"] == "true" and props["overall"] == "incomplete"


def test_provenance_in_every_output(run_suite: Runner) -> None:
    """Who ran it (the Actions run, checked), the suite's version, the profile's hash and the options."""
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "acme/compliance",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_RUN_ATTEMPT": "2",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_ACTOR": "octo-admin",
    }
    run = run_suite("compliant", env=env)
    prov = run.json["run"]
    assert prov["runner_url"] == "https://github.com/acme/compliance/actions/runs/4242/attempts/2"
    assert prov["runner"] == "GitHub Actions run 4242 of acme/compliance by octo-admin"
    assert len(prov["profile_sha256"]) == 64 and prov["profile"] == "milestone-copilot"
    assert prov["options"]["token from"] == "environment variable GITHUB_TOKEN"
    assert prov["api_url"] == run.json["api_url"]
    for name in ("report.html", "compliance.md", "junit.xml", "oscal.json"):
        text = (run.out / name).read_text()
        assert "actions/runs/4242" in text and prov["profile_sha256"] in text, name
    hostile = run_suite("compliant", env={**env, "GITHUB_REPOSITORY": "<script>/x y"}, out_name="hostile")
    assert hostile.json["run"]["runner_url"] is None  # not a repository name: the host is named instead
    assert_no_leak(CANARY, run.texts())


def test_bad_pdf_and_oscal_paths_are_usage_errors(run_suite: Runner, tmp_path: Path) -> None:
    """A PDF or OSCAL path in a folder that is a file is refused before any request, exit 4."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for flag in ("--compliance-pdf", "--compliance-oscal"):
        run = run_suite("compliant", flag, str(blocker / "r.out"), out_name=flag.strip("-"))
        assert run.ret == 4, run.stderr
        assert flag in run.stderr and "Traceback" not in run.stderr
        assert run.requests == []

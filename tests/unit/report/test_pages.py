"""The report pages in-process: the answer sentence, ordering, pytest-html's page rearranged or replaced."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from compliance.attestations import Attestation
from compliance.checks.evaluate import evaluate
from compliance.checks.registry import REGISTRY
from compliance.model import Mode, Settings, Word
from compliance.profiles import load_profile
from compliance.report.assessment import Assessment, reaching_compliant
from compliance.report.html import answer, html_summary
from compliance.report.html_hooks import HtmlHooks
from compliance.report.html_page import PageLayoutError, lead_with_answer, standalone_page
from compliance.report.oscal import oscal_results
from tests.evidence_factory import NOW, evidence, reply

PROFILE = load_profile("milestone-copilot", REGISTRY.keys())
PAGE = "<html><head><title>t</title></head><body><h1 id='title'>t</h1><footer>f</footer></body></html>"


def _assessment(**overrides: object) -> Assessment:
    ev = evidence(**overrides)  # type: ignore[arg-type]
    return Assessment(PROFILE, Mode.LIVE, ev, evaluate(ev, PROFILE, Settings()), "sha256:00000000")


def test_answer_names_what_failed_or_what_is_unproven() -> None:
    """The one-sentence answer names the failed requirements, else the unproven musts."""
    compliant = _assessment()
    assert answer(compliant).startswith("Nothing failed, but 3 musts are not proven yet: LIFETIME-MAX")
    refused = {"message": "Must have admin rights to Repository."}
    failing = _assessment(membership=reply("/user/memberships/orgs/acme", 403, refused))
    assert "MEMBERS-READ" in answer(failing) and answer(failing).startswith("The token is not set up")


def test_reaching_compliant_names_the_evidence_for_each_unproven_must() -> None:
    """Without an App token the record is named for what it can prove; nothing to say when all musts are proven."""
    text = reaching_compliant(_assessment())
    assert text is not None and "LIFETIME-MAX, READ-ONLY and LEAST-PRIVILEGE from the org's grant record" in text


def test_reaching_compliant_never_sends_a_blocked_must_to_an_attestation() -> None:
    """Musts the token could prove but this run's answers did not (a refusal) are sent to the cause, not to a person."""
    text = reaching_compliant(_assessment(user=reply("/user", 401, {"message": "Bad credentials"})))
    assert text is not None
    assert "LIFETIME-MAX, READ-ONLY and LEAST-PRIVILEGE from the org's grant record" in text
    blocked = text.split("; ")[-1]
    assert "RESOURCE-OWNER" in blocked and "attestation" not in blocked and "GitHub's answers" in blocked


def test_reaching_compliant_names_the_missing_app_permission_when_the_record_was_refused() -> None:
    """An App token whose reads were refused is told which permissions it lacks, not that the record was read."""
    refused = {"message": "Resource not accessible by integration"}
    a = _assessment(app__grants=reply("/orgs/acme/personal-access-tokens", 403, refused))
    assert a.app_record_refused and not a.app_record_read
    text = reaching_compliant(a)
    assert text is not None and "Personal access tokens and Personal access token requests (read)" in text


def test_oscal_names_a_signer_on_one_line() -> None:
    """An attestation signed with a line break and edge spaces becomes the party "Jane Admin"; it validates."""
    from trestle.oscal.assessment_results import AssessmentResults

    ev = evidence()
    statement = Attestation("NAME", Word.PASS, "  Jane\nAdmin  ", NOW.date(), NOW.date(), "seen", "SEC-1", 1)
    a = Assessment(PROFILE, Mode.LIVE, ev, evaluate(ev, PROFILE, Settings(), [statement]), "sha256:00000000")
    doc = oscal_results(a, NOW)
    AssessmentResults.model_validate(doc["assessment-results"])
    assert [p["name"] for p in doc["assessment-results"]["metadata"]["parties"]] == ["Jane Admin"]


def test_failures_lead_the_summary() -> None:
    """A fail's card comes before any pass card, with what was observed, what is required and the fix."""
    refused = {"message": "Must have admin rights to Repository."}
    html = html_summary(_assessment(membership=reply("/user/memberships/orgs/acme", 403, refused)), NOW)
    assert html.index('class="card v-fail"') < html.index('class="card v-pass"')
    assert html.index("Failed (") < html.index("Not proven (must)") < html.index("Passed (")


def test_lead_with_answer_moves_pytest_html_below_a_fold() -> None:
    """Ours first, a viewport meta in the head, pytest-html's sections inside a closed <details>."""
    page = lead_with_answer(PAGE, "<section id='s'>ours</section>")
    assert page.index("ours") < page.index("<details") < page.index("id='title'") < page.index("</details><footer>")
    assert 'name="viewport"' in page[: page.index("</head>")]


@pytest.mark.parametrize("broken", [PAGE.replace("<footer>", ""), PAGE + "<body>", "no html at all"])
def test_an_unknown_pytest_html_layout_is_refused(broken: str) -> None:
    """A page without one <head>, <body> and <footer> is not patched blindly."""
    with pytest.raises(PageLayoutError):
        lead_with_answer(broken, "ours")


def test_unknown_layout_falls_back_to_the_standalone_page(tmp_path: Path) -> None:
    """When pytest-html's page has an unknown shape, the HTML report is our standalone page, and the run says so."""
    page = tmp_path / "report.html"
    page.write_text("<html>a page from some other pytest-html</html>")
    hooks = HtmlHooks(_assessment(), lambda: NOW, page)
    hooks.lead_with_answer()
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and 'id="compliance-summary"' in text
    assert hooks.layout_problem is not None


def test_standalone_page_is_complete_and_self_contained() -> None:
    """A whole document with a title, viewport and styles, no script and no external resource."""
    text = standalone_page(_assessment(), NOW + dt.timedelta(seconds=1))
    assert text.startswith("<!DOCTYPE html>") and "<title>Copilot token compliance: acme" in text
    assert "<script" not in text and "src=" not in text and "@import" not in text

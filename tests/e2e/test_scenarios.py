"""End to end: `pytest compliance/` against every simulator scenario, verdicts and exit code asserted, no leak.

The expected verdicts are data beside each scenario in tests/simulator/scenarios.yaml (`expect`).
"""

from __future__ import annotations

import pytest

from tests.simulator import load_scenario
from tests.simulator.expectations import Expectation, compliant_verdicts, expectations
from tests.support import CANARY, CLASSIC_CANARY, ORG, Runner, assert_no_leak

pytestmark = pytest.mark.e2e
COMPLIANT = compliant_verdicts()
# Scenarios whose faults make the suite retry an endpoint, so a path may be requested more than once.
RETRIED = {"rate-limited-then-fine", "transient-5xx", "persistent-5xx"}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in expectations(app=False)])
def test_scenario(run_suite: Runner, case: Expectation) -> None:
    """Each scenario yields its expected verdict for every requirement, the exit code, and no token anywhere."""
    run = run_suite(case.scenario, *case.argv)
    expected = case.verdicts
    wrong = {k: (v, expected.get(k)) for k, v in run.verdicts.items() if v != expected.get(k)}
    assert not wrong, f"(got, expected): {wrong}"
    assert run.verdicts.keys() == expected.keys()
    assert run.ret == case.exit_code, run.stdout[-3000:]
    headline = run.json["headline"]
    assert (headline["cause"] if headline else None) == case.headline
    assert all(method == "GET" for method, _, _ in run.requests)
    paths = [path.split("?")[0] for _, path, _ in run.requests if path]
    assert len(set(paths)) == len(paths) or case.scenario in RETRIED
    classic = load_scenario(case.scenario)["token"]["kind"] == "classic"
    assert_no_leak(CLASSIC_CANARY if classic else CANARY, run.texts())


def test_compliant_run_is_small_and_read_only(run_suite: Runner) -> None:
    """The compliant run makes at most 12 requests, all GET, each endpoint once, and lists them in the JSON."""
    run = run_suite("compliant")
    assert len(run.requests) <= 12
    assert {m for m, _, _ in run.requests} == {"GET"}
    assert sorted(r["path"] for r in run.json["requests"]) == sorted(p for _, p, _ in run.requests)
    doc = run.json
    assert doc["schema_version"] == 1
    assert doc["mode"] == "live"
    assert doc["org"] == ORG
    assert doc["token"]["kind"] == "fine-grained"
    assert doc["token"]["owner"] == "acme-copilot-bot"
    assert doc["token"]["fingerprint"].startswith("sha256:")
    assert doc["token"]["expires_at"].endswith("Z")
    assert [r["id"] for r in doc["requirements"]] == list(COMPLIANT)


def test_revoked_token_stops_at_first_401(run_suite: Runner) -> None:
    """After a 401 nothing else is sent, and ACTIVE says what to do."""
    run = run_suite("revoked")
    assert [(p, s) for _, p, s in run.requests] == [("/user", 401)]
    active = next(r for r in run.json["requirements"] if r["id"] == "ACTIVE")
    assert "expired, was revoked" in active["evidence"]
    assert active["remediation"]


def test_token_from_world_readable_file(run_suite: Runner, tmp_path_factory: pytest.TempPathFactory) -> None:
    """TOKEN-STORAGE warns about a world-readable token file, passes for mode 0600."""
    folder = tmp_path_factory.mktemp("secret")
    loose, tight = folder / "loose", folder / "tight"
    for path, mode in ((loose, 0o644), (tight, 0o600)):
        path.write_text(CANARY + "\n")
        path.chmod(mode)
    run = run_suite("compliant", "--token-file", str(loose), env={"GITHUB_TOKEN": None})
    assert run.verdicts["TOKEN-STORAGE"] == "warn"
    assert run.ret == 0
    storage = next(r for r in run.json["requirements"] if r["id"] == "TOKEN-STORAGE")
    assert "0644" in storage["evidence"]
    assert "chmod 600" in storage["remediation"]
    assert "surrounding whitespace stripped" in run.stdout
    assert_no_leak(CANARY, run.texts())
    run = run_suite("compliant", "--token-file", str(tight), env={"GITHUB_TOKEN": None})
    assert run.verdicts["TOKEN-STORAGE"] == "pass"


def test_enterprise_server(run_suite: Runner) -> None:
    """On GHES (https://HOST/api/v3) the Copilot requirements are not applicable, with the reason, and not probed."""
    run = run_suite("compliant", base_path="/api/v3")
    assert run.verdicts["COPILOT-BUSINESS-READ"] == "not_applicable"
    assert run.verdicts["COPILOT-METRICS"] == "not_applicable"
    assert run.verdicts["MEMBERS-READ"] == "pass"
    assert not any("/copilot/" in p for _, p, _ in run.requests)
    copilot = next(r for r in run.json["requirements"] if r["id"] == "COPILOT-BUSINESS-READ")
    assert "Enterprise Server has no Copilot REST endpoints" in copilot["evidence"]
    assert run.ret == 0


def test_failure_messages_explain_and_link(run_suite: Runner) -> None:
    """A failing requirement shows what was observed, what is required and the pre-filled token link."""
    run = run_suite("missing-members", "--showlocals", "--tb=long", "-vv")
    assert "Observed: GET /user/memberships/orgs/acme-analytics -> 403" in run.stdout
    assert "Required: Organization permission Members: Read works" in run.stdout
    members = next(r for r in run.json["requirements"] if r["id"] == "MEMBERS-READ")
    assert "X-Accepted-GitHub-Permissions: members=read" in members["evidence"]
    link = (
        "https://github.com/settings/personal-access-tokens/new?name=Milestone%27s+Copilot+Token+%28read-only%29"
        "&description=Token+to+be+used+by+Milestone+integration+to+gather+metadata+and+generate+analytics."
        f"&target_name={ORG}&expires_in=365&members=read&organization_copilot_seat_management=read"
    )
    assert link in members["remediation"]
    assert_no_leak(CANARY, run.texts())


def test_ambiguous_refusals_name_every_cause(run_suite: Runner) -> None:
    """Pending and another resource owner look alike to a token: one headline names both, with the one fix."""
    run = run_suite("pending-approval")
    headline = run.json["headline"]
    assert headline["cause"] == "no-org-access"
    assert "resource owner is not acme-analytics" in headline["text"]
    assert "pending approval" in headline["text"]
    assert "Pending" not in headline["fix"] or "approve" in headline["fix"]
    members = next(r for r in run.json["requirements"] if r["id"] == "MEMBERS-READ")
    assert members["verdict"] == "fail"
    assert "set Members to Read" not in members["remediation"]
    assert members["remediation"].startswith("Fix the cause named at the top first")
    markdown = (run.out / "compliance.md").read_text(encoding="utf-8")
    assert markdown.index(headline["text"].replace("|", "\\|")) < markdown.index("| ID |")  # before the table, whole
    assert f"cause (no-org-access): {headline['text'][:40]}" in run.stdout
    html = (run.out / "report.html").read_text(encoding="utf-8")
    assert 'class="headline"' in html


def test_copilot_causes_are_named(run_suite: Runner) -> None:
    """A Copilot refusal names the owner's role, or both causes GitHub hides behind one 404."""
    role = next(r for r in run_suite("owner-not-org-owner").json["requirements"] if r["id"] == "COPILOT-BUSINESS-READ")
    assert "is an org member, not an owner" in role["evidence"]
    none = next(
        r for r in run_suite("no-copilot-subscription").json["requirements"] if r["id"] == "COPILOT-BUSINESS-READ"
    )
    assert "no Copilot Business or Enterprise subscription" in none["evidence"]
    assert "lacks GitHub Copilot Business: Read" in none["evidence"]
    metrics = next(
        r for r in run_suite("metrics-permission-missing").json["requirements"] if r["id"] == "COPILOT-METRICS"
    )
    assert "Organization Copilot metrics: Read" in metrics["evidence"]
    assert "2026-04-02" in metrics["evidence"]
    assert "organization_copilot_metrics=read" in metrics["remediation"]

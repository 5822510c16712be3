"""GitHub's real answers end to end: the simulator serves each recorded body and `pytest compliance/` reads it right."""

from __future__ import annotations

from typing import Any

import pytest

from compliance.probes import PROBES
from tests.conformance.test_recorded import CASES, EXPECT
from tests.simulator import load_scenario
from tests.support import CANARY, CLASSIC_CANARY, Runner, assert_no_leak

pytestmark = pytest.mark.e2e
TEMPLATE = {p.name: p.path for p in PROBES}


def scenario_for(name: str, case: dict[str, Any]) -> dict[str, Any]:
    """The compliant scenario, with the recorded body served where the expectation says."""
    serve = case["serve"]
    recorded = {
        "file": name,
        "status": serve["status"],
        "org_wide": bool(serve.get("org_wide")),
        "probes": [TEMPLATE[p] for p in serve.get("probes", [])],
        "rename": case.get("rename"),
    }
    token = {"kind": "classic", "scopes": "read:org", "lifetime_days": 90} if case.get("token") == "classic" else {}
    return load_scenario("compliant", recorded=recorded, token=token)


@pytest.mark.parametrize("name", CASES)
def test_recorded_answer_end_to_end(run_suite: Runner, name: str) -> None:
    """Served over HTTP as a new user's org would serve it, each recording gives its verdicts, cause and exit code."""
    case = CASES[name]
    extra = ["--max-wait", "0"] if case.get("rate_limited") else []
    run = run_suite(scenario_for(name, case), "--expected-owner", "acme-copilot-bot", *extra)
    expected = EXPECT["baseline"] | case["verdicts"]
    wrong = {rid: (got, expected[rid]) for rid, got in run.verdicts.items() if got != expected[rid]}
    assert not wrong, f"(got, expected): {wrong}"
    headline = run.json["headline"]
    assert (headline["cause"] if headline else None) == case["headline"]
    assert run.ret == (1 if {"fail", "error"} & set(run.verdicts.values()) else 0), run.stdout[-2000:]
    assert {method for method, _, _ in run.requests} == {"GET"}
    assert_no_leak(CLASSIC_CANARY if case.get("token") == "classic" else CANARY, run.texts())

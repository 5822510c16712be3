"""assess() in-process against every simulator scenario: each expectation in scenarios.yaml, over real HTTP.

The same expectations drive `pytest compliance/` in a subprocess (tests/e2e/test_scenarios.py); here they run in
the fast tier: one simulator per case on 127.0.0.1, options resolved as the plugin resolves them, no subprocess.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from compliance.checks.registry import REGISTRY
from compliance.inputs import resolve
from compliance.model import Word
from compliance.options import OPTIONS
from compliance.profiles import load_profile
from compliance.run import assess
from tests.simulator import GitHubSimulator, load_scenario, raw_scenarios, scenario_names
from tests.simulator.expectations import Expectation, exit_code_for, expectations, problems
from tests.support import APP_CANARY, CANARY, CLASSIC_CANARY, ORG, requirement_count

WORDS = {w.value for w in Word}
# the default profile's requirements: what the compliant scenario's cases list
IDS = [r.id for r in load_profile("milestone-copilot", REGISTRY.keys()).requirements]


def _raw_options(argv: list[str]) -> dict[str, object]:
    """Command-line options as pytest hands them to the plugin: every declared option, defaults filled in."""
    parser = argparse.ArgumentParser(add_help=False)
    for option in OPTIONS:
        parser.add_argument(option.flag, **option.parser_kwargs())
    return vars(parser.parse_args(argv))


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in expectations()])
def test_scenario_in_process(case: Expectation, tmp_path: Path) -> None:
    """Every requirement gets its expected verdict, the verdicts give the expected exit code, and all is GET."""
    data = load_scenario(case.scenario)
    token = CLASSIC_CANARY if data["token"]["kind"] == "classic" else CANARY
    environ = {"GITHUB_TOKEN": token, **({"APP_TOKEN": APP_CANARY} if case.app else {})}
    with GitHubSimulator(data, token, app_token=APP_CANARY if case.app else None) as sim:
        argv = ["--org", ORG, "--api-url", sim.url, *case.argv]
        argv += ["--compliance-json", str(tmp_path / "c.json"), "--compliance-md", str(tmp_path / "c.md")]
        argv += ["--app-token-env", "APP_TOKEN"] if case.app else []
        opts = resolve(_raw_options(argv), environ)
        assessment = assess(opts, load_profile(opts.profile, REGISTRY.keys()))
        requests = list(sim.requests)
    got = {rid: verdict.word.value for rid, verdict in assessment.verdicts.items()}
    wrong = {rid: (got.get(rid), case.verdicts.get(rid)) for rid in got.keys() | case.verdicts.keys()}
    assert not {rid: pair for rid, pair in wrong.items() if pair[0] != pair[1]}, "(got, expected)"
    assert exit_code_for(got) == case.exit_code
    assert (assessment.headline.cause if assessment.headline else None) == case.headline, "headline cause"
    assert requests, "the simulator saw no request"
    assert {method for method, _, _ in requests} == {"GET"}


def test_every_scenario_has_expectations_or_a_reason() -> None:
    """scenarios.yaml: each scenario has `expect`/`expect_app` or `exempt: <reason>`, and every case is well formed."""
    found = problems(raw_scenarios(), IDS, WORDS)
    assert not found, "\n".join(found)


def test_the_compliant_case_covers_every_requirement() -> None:
    """The compliant scenario lists every requirement the default profile checks, counted from the data."""
    for case in (c for c in expectations() if c.scenario == "compliant"):
        assert list(case.verdicts) == IDS
        assert len(case.verdicts) == requirement_count()


def test_a_scenario_without_expectations_is_reported() -> None:
    """The completeness check itself works: no expectation and no reason, an empty reason, a malformed case."""
    data = raw_scenarios()
    data["new-scenario"] = {"token": {"lifetime_days": 30}}
    data["empty-reason"] = {"exempt": "  "}
    data["typo"] = {"expect": {"exit_code": 1, "verdict": {"MEMBERS-READ": "fail"}}}
    data["bad-word"] = {"expect": {"exit_code": 1, "verdicts": {"MEMBERS-READ": "failed"}}}
    data["reasoned"] = {"exempt": "used only by the fault battery"}
    found = problems(data, IDS, WORDS)
    assert [line.split(":")[0] for line in found] == [
        "new-scenario",
        "empty-reason",
        "typo.expect[0]",
        "bad-word.expect[0]",
    ], found


def test_exit_codes_follow_from_the_verdicts() -> None:
    """An expectation whose exit code contradicts its verdicts is reported."""
    data = raw_scenarios()
    data["missing-members"]["expect"]["exit_code"] = 0
    assert problems(data, IDS, WORDS) == ["missing-members: exit_code 0 does not follow from its verdicts"]


def test_the_simulator_never_sees_the_expectations() -> None:
    """`expect`, `expect_app` and `exempt` are data for the tests: load_scenario leaves them out."""
    for name in scenario_names():
        assert not {"expect", "expect_app", "exempt"} & load_scenario(name).keys(), name

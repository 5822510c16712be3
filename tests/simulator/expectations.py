"""The expected verdicts written beside each scenario in scenarios.yaml, read as test cases.

A scenario's `expect` holds what a run with the token alone yields, `expect_app` what a run that also reads the
org's grant record with a GitHub App token yields. Each is one case or a list of cases:

    expect: {exit_code: 1, verdicts: {MEMBERS-READ: fail}}
    expect:
      - {exit_code: 1, verdicts: {EXPIRATION-SET: fail}}
      - {options: [--allow-no-expiration], exit_code: 0, verdicts: {EXPIRATION-SET: pass}}

`headline` names the one cause the run must name at the top (none when absent).
`verdicts` lists only what differs from the `compliant` scenario's case of the same kind; `compliant` lists every
requirement. Every run passes `--expected-owner acme-copilot-bot`; `options` are more command-line options. A
scenario no case covers says why under `exempt`; a scenario with neither is an error (see `problems`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compliance.checks.registry import REGISTRY
from compliance.profiles import load_profile
from tests.simulator.server import raw_scenarios

__all__ = [
    "CASE_KEYS",
    "EXPECTED_OWNER",
    "KINDS",
    "Expectation",
    "compliant_verdicts",
    "exit_code_for",
    "expectations",
    "problems",
    "profile_options",
]

KINDS = {"expect": False, "expect_app": True}  # key -> whether the run reads the grant record with the App token
CASE_KEYS = {"options", "exit_code", "verdicts", "headline"}
EXPECTED_OWNER = "acme-copilot-bot"
BASELINE = "compliant"


@dataclass(frozen=True)
class Expectation:
    """One expected run of a scenario: its options, exit code and the verdict of every requirement."""

    scenario: str
    options: tuple[str, ...]
    exit_code: int
    verdicts: dict[str, str]
    app: bool
    headline: str | None = None  # the one cause the run names at the top; None: no headline

    @property
    def id(self) -> str:
        """A test ID: the scenario, then the extra options, then `app` for a run with the App token."""
        name = self.scenario + ("+" + "".join(self.options).lstrip("-") if self.options else "")
        return name + ("[app]" if self.app else "")

    @property
    def argv(self) -> list[str]:
        """The command-line options of the run (besides the org, the API URL and the App token)."""
        return ["--expected-owner", EXPECTED_OWNER, *self.options]


def _cases(block: Any) -> list[Mapping[str, Any]]:
    return list(block) if isinstance(block, list) else [block]


def exit_code_for(verdicts: Mapping[str, str]) -> int:
    """The exit code of `pytest compliance/`: 1 when a requirement fails or errors, else 0."""
    return 1 if any(word in ("fail", "error") for word in verdicts.values()) else 0


def expectations(data: Mapping[str, Any] | None = None, *, app: bool | None = None) -> list[Expectation]:
    """Every expectation case in file order (`app`: only those with, or without, the App token)."""
    data = raw_scenarios() if data is None else data
    found = []
    for key, with_app in KINDS.items():
        if app is not None and with_app != app:
            continue
        baseline = dict(_cases(data[BASELINE][key])[0]["verdicts"])
        for name, scenario in data.items():
            if name == "base" or key not in scenario:
                continue
            for case in _cases(scenario[key]):
                found.append(
                    Expectation(
                        scenario=name,
                        options=tuple(case.get("options", ())),
                        exit_code=case["exit_code"],
                        verdicts=_checked(baseline | dict(case["verdicts"]), case.get("options", ())),
                        app=with_app,
                        headline=case.get("headline"),
                    )
                )
    return found


def _checked(verdicts: dict[str, str], options: Any) -> dict[str, str]:
    """Only the requirements the run's profile checks (a profile may skip those its guide does not ask for)."""
    words = list(options)
    if "--profile" not in words or words.index("--profile") + 1 >= len(words):
        return verdicts
    ids = {r.id for r in load_profile(words[words.index("--profile") + 1], REGISTRY.keys()).requirements}
    return {rid: word for rid, word in verdicts.items() if rid in ids}


def compliant_verdicts(*, app: bool = False) -> dict[str, str]:
    """What the compliant scenario yields for every requirement (with the App token: `app`)."""
    return next(c for c in expectations(app=app) if c.scenario == BASELINE).verdicts


def problems(data: Mapping[str, Any], requirement_ids: list[str], words: set[str]) -> list[str]:
    """What is wrong with the expectations in `data` (the parsed scenarios.yaml); an empty list when nothing is."""
    found = []
    for key in KINDS:
        cases = _cases(data.get(BASELINE, {}).get(key, {}))
        if len(cases) != 1 or sorted(cases[0].get("verdicts", {})) != sorted(requirement_ids):
            found.append(f"{BASELINE}: `{key}` must be one case listing every requirement: {requirement_ids}")
    for name, scenario in data.items():
        if name == "base":
            if any(key in scenario for key in (*KINDS, "exempt")):
                found.append("base: expectations belong to a scenario, not to base")
            continue
        kinds = [key for key in KINDS if key in scenario]
        reason = scenario.get("exempt")
        if not kinds and not (isinstance(reason, str) and reason.strip()):
            found.append(f"{name}: neither `expect`/`expect_app` nor `exempt: <reason>`")
        if kinds and "exempt" in scenario:
            found.append(f"{name}: has expectations and an exemption; keep one")
        for key in kinds:
            for i, case in enumerate(_cases(scenario[key])):
                where = f"{name}.{key}[{i}]"
                if not isinstance(case, Mapping) or set(case) - CASE_KEYS or not {"exit_code", "verdicts"} <= set(case):
                    found.append(
                        f"{where}: a case has exit_code, verdicts and optionally options and headline, nothing else"
                    )
                    continue
                unknown = sorted(set(case["verdicts"]) - set(requirement_ids))
                odd = sorted(w for w in case["verdicts"].values() if w not in words)
                if unknown or odd:
                    found.append(f"{where}: unknown requirements {unknown} or verdict words {odd}")
                if not all(isinstance(o, str) for o in case.get("options", ())):
                    found.append(f"{where}: options are command-line words (strings)")
    if not found:
        for case in expectations(data):
            if exit_code_for(case.verdicts) != case.exit_code:
                found.append(f"{case.id}: exit_code {case.exit_code} does not follow from its verdicts")
    return found


def profile_options(name: str, data: Mapping[str, Any] | None = None) -> list[str]:
    """`--profile X` when the scenario's expectations run it with a profile other than the default, else nothing."""
    data = raw_scenarios() if data is None else data
    for key in KINDS:
        for case in _cases(data[name].get(key, [])):
            words = list(case.get("options", ()))
            if "--profile" in words and words.index("--profile") + 1 < len(words):
                return ["--profile", words[words.index("--profile") + 1]]
    return []

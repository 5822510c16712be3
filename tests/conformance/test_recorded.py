"""GitHub's real answers, read right: every recorded body drives the checks to the verdicts and cause beside it."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance.checks.evaluate import evaluate
from compliance.checks.facts import parse_expiration, read_expiry
from compliance.checks.registry import REGISTRY
from compliance.evidence import Evidence, Failure, NotSent, Reply, Result, next_link
from compliance.gather.answers import rate_limit_wait
from compliance.model import Settings, TokenKind
from compliance.probes import PROBES
from compliance.profiles import load_profile
from tests.evidence_factory import NOW, ORG, compliant_results, evidence

HERE = Path(__file__).resolve().parent
RECORDED = HERE.parent / "simulator" / "data" / "recorded"
SHARED = HERE.parents[2] / "shared" / "data" / "github" / "recorded"  # beside the repository, where it exists
EXPECT: dict[str, Any] = yaml.safe_load((HERE / "recorded.yaml").read_text(encoding="utf-8"))
PROFILE = load_profile("milestone-copilot", REGISTRY.keys())
ORG_PROBES = [p.name for p in PROBES if p.name != "user"]
CASES = {name: case for name, case in EXPECT["files"].items() if "exempt" not in case}


def recorded_body(name: str, rename: str | None = None) -> dict[str, Any]:
    """A recorded body, with the source's org name replaced by the org under check."""
    body: dict[str, Any] = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    if rename and isinstance(body.get("message"), str):
        body["message"] = body["message"].replace(rename, ORG)
    return body


def recorded_evidence(name: str, case: dict[str, Any]) -> Evidence:
    """The compliant answers, with the recorded body served where the case says, as collect() would gather them."""
    results: dict[str, Result] = compliant_results()
    serve, body = case["serve"], recorded_body(name, case.get("rename"))
    where = ORG_PROBES if serve.get("org_wide") else serve["probes"]
    for probe in where:
        path = results[probe].path  # type: ignore[union-attr]
        answer = Reply(path, serve["status"], {"content-type": "application/json"}, body)
        if case.get("rate_limited"):
            assert rate_limit_wait(answer) is not None, "GitHub's rate-limit answer was not read as one"
            results[probe] = Failure(path, "rate limited; waiting longer would exceed the --max-wait budget")
        else:
            results[probe] = answer
    if serve["status"] == 401 and "user" in where:  # collect() sends nothing after a 401
        for probe in ORG_PROBES:
            results[probe] = NotSent(results[probe].path, "GitHub rejected the token (401)")  # type: ignore[union-attr]
    kind = TokenKind.CLASSIC if case.get("token") == "classic" else TokenKind.FINE_GRAINED
    if kind is TokenKind.CLASSIC:
        user = results["user"]
        assert isinstance(user, Reply)
        results["user"] = dataclasses.replace(user, headers={**user.headers, "x-oauth-scopes": "read:org"})
    return evidence(results, kind=kind)


def test_every_recording_has_an_expectation() -> None:
    """A recording added without an expectation (or an exemption with its reason) fails here."""
    assert sorted(p.name for p in RECORDED.iterdir()) == sorted(EXPECT["files"])


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared recordings are not beside this checkout")
def test_copies_match_the_shared_recordings() -> None:
    """tests/simulator/data/recorded/ holds exactly the shared recordings, unchanged."""
    shared = {p.name: p.read_bytes() for p in SHARED.iterdir()}
    assert {p.name: p.read_bytes() for p in RECORDED.iterdir()} == shared


@pytest.mark.parametrize("name", CASES)
def test_recorded_answer_gives_the_expected_verdicts(name: str) -> None:
    """Each recorded answer yields the verdicts, named causes and headline written beside it, and no other."""
    case = CASES[name]
    result = evaluate(recorded_evidence(name, case), PROFILE, Settings(expected_owner="acme-bot"))
    expected = EXPECT["baseline"] | {k: v for k, v in case["verdicts"].items() if not k.startswith("<")}
    got = {f.requirement.id: f.verdict.word.value for f in result.findings}
    wrong = {rid: (got[rid], expected[rid]) for rid in got if got[rid] != expected[rid]}
    assert not wrong, f"(got, expected): {wrong}"
    headline = result.facts.headline
    assert (headline.cause if headline else None) == case["headline"]
    if "headline_scope" in case:
        assert headline is not None and headline.scope == case["headline_scope"]
    causes = {f.requirement.id: f.verdict.cause for f in result.findings}
    for rid, cause in case.get("causes", {}).items():
        assert causes[rid] == cause, (rid, causes[rid])


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c["headline"] not in (None, "token-rejected")])
def test_one_cause_one_fix(name: str) -> None:
    """When one cause explains the refusals, no row repeats a per-permission fix; each points at the headline."""
    case = CASES[name]
    result = evaluate(recorded_evidence(name, case), PROFILE, Settings(expected_owner="acme-bot"))
    assert result.facts.headline is not None and result.facts.headline.fix
    for f in result.findings:
        if f.verdict.cause == result.facts.headline.cause:
            assert f.remediation.startswith("Fix the cause named at the top first"), (f.requirement.id, f.remediation)
            assert f.token_link is None
    members = next(f for f in result.findings if f.requirement.id == "MEMBERS-READ")
    assert "set Members to Read" not in members.remediation


def test_recorded_headers() -> None:
    """Both recorded expiry formats parse; the fault that sends the response time is not taken for an expiry."""
    headers = json.loads((RECORDED / "headers.json").read_text(encoding="utf-8"))
    for entry in headers["github_authentication_token_expiration_values"]:
        parsed = parse_expiration(entry["value"])
        if "request time" in entry["source"]:
            user = Reply("/user", 200, {"github-authentication-token-expiration": entry["value"]}, {"login": "x"})
            assert read_expiry(user, parsed).is_response_time
    link = headers["link_header_pagination_example"]["value"]
    assert next_link(link) == "https://api.github.com/repositories/515435940/issues?per_page=3&page=2"
    gap = headers["fine_grained_pat_403_permission_gap_headers"]
    refused = Reply("/x", 403, gap["headers"], gap["body"])
    assert "X-Accepted-GitHub-Permissions: checks=read" in refused.describe()


def test_expectations_do_not_share_state() -> None:
    """The YAML anchors used for org-wide cases expand to separate tables (a guard for the data itself)."""
    tables = [c["verdicts"] for c in CASES.values()]
    assert len({id(t) for t in tables}) == len(tables)
    assert copy.deepcopy(EXPECT) == EXPECT
    assert NOW.tzinfo is not None

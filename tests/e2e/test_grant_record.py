"""The org's grant record (GitHub App token), attestations and the second profile, end to end."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from compliance.checks.registry import REGISTRY
from compliance.profiles import load_profile
from tests.simulator import GitHubSimulator, load_scenario
from tests.support import APP_CANARY, APP_USER_CANARY, CANARY, Runner, assert_no_leak

MUSTS = [r.id for r in load_profile("milestone-copilot", REGISTRY.keys()).requirements if r.level.value == "must"]
RECORD_DECIDED = ["READ-ONLY", "LEAST-PRIVILEGE", "NAME", "REPO-ACCESS", "APPROVED", "SERVICE-ACCOUNT"]
# A grant's access_granted_at is the approval time, so expiry minus it only bounds the lifetime from below: within
# the cap, LIFETIME-MAX stays unverified (a pending request's created_at, or an over-cap bound, decides it).
LOWER_BOUND_ONLY = {"LIFETIME-MAX"}


def entry(run: object, rid: str) -> dict[str, str]:
    return next(r for r in run.json["requirements"] if r["id"] == rid)  # type: ignore[attr-defined]


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("compliant", {rid: "pass" for rid in RECORD_DECIDED} | {"LIFETIME-MAX": "unverified"}),
        (
            "pending-approval",
            {"APPROVED": "fail", "RESOURCE-OWNER": "pass", "READ-ONLY": "pass", "LIFETIME-MAX": "pass"},
        ),
        # a token the org never saw has no record: what only the record shows stays unverified, and says why
        (
            "user-resource-owner",
            {
                "APPROVED": "unverified",
                "RESOURCE-OWNER": "unverified",
                "READ-ONLY": "unverified",
                "LEAST-PRIVILEGE": "unverified",
                "LIFETIME-MAX": "unverified",
                "REPO-ACCESS": "unverified",
            },
        ),
        ("write-permission", {"READ-ONLY": "fail", "MEMBERS-READ": "pass"}),
        ("extra-permission-only-in-record", {"LEAST-PRIVILEGE": "fail", "READ-ONLY": "pass"}),
        ("wrong-name", {"NAME": "warn"}),
        ("lifetime-over-366", {"LIFETIME-MAX": "fail"}),
        ("private-repo-visible", {"REPO-ACCESS": "fail"}),
        ("owner-not-org-owner", {"OWNER-MEMBERSHIP": "fail"}),
        ("two-grants-same-owner", {"APPROVED": "pass", "NAME": "pass"}),
    ],
)
def test_record_decides_every_must(run_suite: Runner, scenario: str, expected: dict[str, str]) -> None:
    """With the App token, every `must` but a lifetime within the cap ends pass or fail, the record's ones say so."""
    run = run_suite(scenario, "--expected-owner", "acme-copilot-bot", app=True)
    verdicts = run.verdicts
    for rid, word in expected.items():
        assert verdicts[rid] == word, (rid, entry(run, rid)["evidence"])
    undecided = {
        rid: verdicts[rid]
        for rid in MUSTS
        if verdicts[rid] not in ("pass", "fail") and rid not in expected and rid not in LOWER_BOUND_ONLY
    }
    assert not undecided, undecided
    read_only = entry(run, "READ-ONLY")
    assert read_only["source"] == "org-record" or "no grant or pending request" in read_only["evidence"]
    assert all(m == "GET" for m, _, _ in run.requests)
    assert_no_leak(CANARY, run.texts())
    assert_no_leak(APP_CANARY, run.texts())


@pytest.mark.e2e
def test_app_user_token_reads_the_record(run_suite: Runner) -> None:
    """An org owner's GitHub App user access token (ghu_) reads the grant record as an installation token does."""
    run = run_suite("pending-approval", app=APP_USER_CANARY)
    assert run.ret in (0, 1), run.stderr
    assert any("/personal-access-token" in p for _, p, _ in run.requests)
    assert run.verdicts["APPROVED"] == "fail" and entry(run, "APPROVED")["source"] == "org-record"
    assert_no_leak(APP_USER_CANARY, run.texts())


@pytest.mark.e2e
def test_without_app_token_the_gap_is_named(run_suite: Runner) -> None:
    """Without the App token, what only the record can settle says which evidence would settle it."""
    run = run_suite("compliant")
    for rid in ("READ-ONLY", "LEAST-PRIVILEGE", "NAME", "LIFETIME-MAX"):
        assert run.verdicts[rid] == "unverified"
        assert "GitHub App token" in entry(run, rid)["evidence"], rid
        assert entry(run, rid)["source"] == "token"


@pytest.mark.e2e
def test_pagination_and_ambiguity(run_suite: Runner) -> None:
    """Grants are read page by page; two grants the record cannot tell apart are said to be ambiguous."""
    run = run_suite("two-grants-same-owner", app=True)
    pages = [p for _, p, _ in run.requests if "/personal-access-tokens" in p]
    assert len(pages) == 2
    assert "matched by owner, expiry" in entry(run, "APPROVED")["evidence"]
    run = run_suite("two-grants-indistinguishable", "--allow-no-expiration", app=True, out_name="ambiguous")
    approved = entry(run, "APPROVED")
    assert approved["verdict"] == "pass"  # the token's own answers still prove approval
    assert "cannot tell which one is this token" in approved["evidence"]
    assert run.verdicts["READ-ONLY"] == "unverified"


@pytest.mark.e2e
def test_record_and_probes_disagree(run_suite: Runner) -> None:
    """A permission the record grants but GitHub refuses the token is reported as a disagreement."""
    run = run_suite("record-disagrees", app=True)
    members = entry(run, "MEMBERS-READ")
    assert members["verdict"] == "fail"
    assert "the record and the token's own answers disagree" in members["evidence"]


@pytest.mark.e2e
def test_app_without_permission(run_suite: Runner) -> None:
    """An App that may not read the record leaves the requirements to the token's evidence, saying why."""
    run = run_suite("app-without-permission", app=True)
    assert run.ret == 0
    assert run.verdicts["READ-ONLY"] == "unverified"
    assert "Resource not accessible by integration" in entry(run, "READ-ONLY")["evidence"]


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("value", "needle"),
    [(CANARY, "needs a GitHub App installation token"), (None, "which is not set")],  # classic/OAuth: the same
)
def test_bad_app_token(run_suite: Runner, value: str | None, needle: str) -> None:
    """A personal token or a missing variable for --app-token-env is a usage error."""
    run = run_suite("compliant", "--app-token-env", "MY_APP", env={"MY_APP": value})
    assert run.ret == 4
    assert needle in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.e2e
def test_record_round_trip_with_app(run_suite: Runner, run_offline: Runner) -> None:
    """Recorded App traffic replays to the same JSON, and neither token is in the cassette."""
    rec = run_suite("pending-approval", "--mode", "record", "--cassette", "c.yaml", app=True)
    rep = run_offline("--mode", "replay", "--cassette", "c.yaml", out_name="r")
    strip = {"mode", "generated_at", "run"}
    assert {k: v for k, v in rep.json.items() if k not in strip} == {
        k: v for k, v in rec.json.items() if k not in strip
    }
    text = Path("c.yaml").read_text()
    assert_no_leak(APP_CANARY, {"cassette": text})
    assert_no_leak(CANARY, {"cassette": text})


@pytest.mark.e2e
def test_second_profile(run_suite: Runner) -> None:
    """milestone-repos-copilot asks for All repositories and repository read permissions."""
    run = run_suite(
        "repos-compliant", "--profile", "milestone-repos-copilot", "--expected-owner", "acme-copilot-bot", app=True
    )
    assert run.json["profile"] == "milestone-repos-copilot"
    assert run.ret == 0, run.stdout[-2000:]
    undecided = {
        rid: v
        for rid, v in run.verdicts.items()
        if rid in MUSTS and v not in ("pass", "fail") and rid not in LOWER_BOUND_ONLY
    }
    assert not undecided
    bad = run_suite("repos-selected-only", "--profile", "milestone-repos-copilot", app=True, out_name="bad")
    assert bad.verdicts["REPO-ACCESS"] == "fail"
    assert bad.verdicts["READ-ONLY"] == "fail"
    without = run_suite("repos-compliant", "--profile", "milestone-repos-copilot", out_name="without")
    assert without.verdicts["REPO-ACCESS"] == "unverified"


ATTESTATIONS = """\
attestations:
  - requirement: NAME
    verdict: pass
    attested_by: Jane Admin (org owner)
    attested_at: 2026-11-20
    valid_until: 2099-01-01
    justification: Checked the token settings page with the bot account.
    evidence: https://tickets.example/SEC-1
  - requirement: MEMBERS-READ
    verdict: pass
    attested_by: Jane Admin (org owner)
    attested_at: 2026-11-20
    valid_until: 2099-01-01
    justification: I am sure it has Members read.
    evidence: https://tickets.example/SEC-2
  - requirement: READ-ONLY
    verdict: pass
    attested_by: Old Admin
    attested_at: 2025-01-01
    valid_until: 2025-06-30
    justification: Checked a long time ago, now expired.
    evidence: https://tickets.example/SEC-3
  - requirement: LEAST-PRIVILEGE
    verdict: maybe
    attested_by: Someone
    attested_at: 2026-11-20
    valid_until: 2099-01-01
    justification: Not a verdict word, so ignored.
    evidence: https://tickets.example/SEC-4
"""


@pytest.mark.e2e
def test_attestations(run_suite: Runner, tmp_path: Path) -> None:
    """Attestations fill unverified, never override a fail, and expired or malformed ones are ignored visibly."""
    path = tmp_path / "attest.yaml"
    path.write_text(ATTESTATIONS)
    run = run_suite("missing-members", "--attestations", str(path))
    name = entry(run, "NAME")
    assert name["verdict"] == "pass" and name["source"] == "attestation"
    assert "Jane Admin" in name["evidence"] and "https://tickets.example/SEC-1" in name["evidence"]
    assert run.verdicts["MEMBERS-READ"] == "fail"
    assert run.verdicts["READ-ONLY"] == "unverified"
    assert run.verdicts["LEAST-PRIVILEGE"] == "unverified"
    notes = run.json["notes"]
    assert any("MEMBERS-READ" in n and "the evidence stands" in n for n in notes)
    assert any("READ-ONLY" in n and "expired" in n for n in notes)
    assert any(n.startswith("attest.yaml line 23: attestation ignored: verdict") for n in notes), notes
    assert "note: attest.yaml line 23" in run.stdout


@pytest.mark.e2e
def test_attestations_toml_and_bad_file(run_suite: Runner, tmp_path: Path) -> None:
    """TOML works the same way; a file that does not parse is a usage error with its line."""
    toml = tmp_path / "a.toml"
    toml.write_text(
        '[[attestations]]\nrequirement = "NAME"\nverdict = "pass"\nattested_by = "Jane Admin"\n'
        "attested_at = 2026-11-20\nvalid_until = 2099-01-01\n"
        'justification = "Checked the settings page."\nevidence = "https://tickets.example/1"\n'
    )
    run = run_suite("compliant", "--attestations", str(toml))
    assert entry(run, "NAME")["source"] == "attestation"
    broken = tmp_path / "b.yaml"
    broken.write_text("attestations:\n  - requirement: NAME\n    verdict: [unclosed\n")
    run = run_suite("compliant", "--attestations", str(broken), out_name="bad")
    assert run.ret == 4
    assert "not valid YAML at line" in run.stderr


def test_personal_token_cannot_read_the_record() -> None:
    """The simulator answers a personal token on the App-only endpoints the way GitHub documents: 403."""
    with GitHubSimulator(load_scenario("compliant"), CANARY, app_token=APP_CANARY) as sim:
        pat = httpx.get(
            f"{sim.url}/orgs/acme-analytics/personal-access-tokens", headers={"Authorization": f"Bearer {CANARY}"}
        )
        app = httpx.get(
            f"{sim.url}/orgs/acme-analytics/personal-access-tokens", headers={"Authorization": f"Bearer {APP_CANARY}"}
        )
    assert pat.status_code == 403
    assert pat.json()["message"] == "Resource not accessible by personal access token"
    assert app.status_code == 200
    assert app.json()[0]["token_name"] == "Milestone's Copilot Token (read-only)"

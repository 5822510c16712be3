"""The App's reads of the org's roles, in-process over real HTTP: sent only for a custom-role profile, each once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compliance.checks.registry import REGISTRY
from compliance.inputs import resolve
from compliance.model import Source, Word
from compliance.profiles import load_profile
from compliance.report.assessment import Assessment
from compliance.run import assess
from tests.simulator import GitHubSimulator, load_scenario
from tests.support import APP_CANARY, CANARY, ORG
from tests.unit.test_run import _raw_options


def _run(
    scenario: str, profile: str, tmp_path: Path, **overrides: Any
) -> tuple[Assessment, list[tuple[str, str, int]]]:
    data = load_scenario(scenario, **overrides)
    with GitHubSimulator(data, CANARY, app_token=APP_CANARY) as sim:
        argv = ["--org", ORG, "--api-url", sim.url, "--profile", profile, "--app-token-env", "APP_TOKEN"]
        argv += ["--compliance-json", str(tmp_path / "c.json"), "--compliance-md", str(tmp_path / "c.md")]
        opts = resolve(_raw_options(argv), {"GITHUB_TOKEN": CANARY, "APP_TOKEN": APP_CANARY})
        return assess(opts, load_profile(profile, REGISTRY.keys())), list(sim.requests)


def test_custom_role_owner_is_proven_from_the_apps_reads(tmp_path: Path) -> None:
    """LinearB: the roles list and the granting role's users prove the owner's custom role, from the org's record."""
    assessment, requests = _run("linearb-compliant", "linearb", tmp_path)
    verdict = assessment.verdicts["OWNER-MEMBERSHIP"]
    assert verdict.word is Word.PASS and verdict.source is Source.ORG_RECORD
    assert (
        "role 'Copilot View' grants \"View organization Copilot metrics\" and lists acme-copilot-bot"
        in verdict.evidence
    )
    paths = [path for _, path, _ in requests]
    assert paths.count(f"/orgs/{ORG}/organization-roles") == 1
    assert paths.count(f"/orgs/{ORG}/organization-roles/42/users?per_page=100") == 1
    assert len(paths) == len(set(paths)), "each endpoint at most once"


def test_only_granting_roles_are_read(tmp_path: Path) -> None:
    """A role that grants something else is never asked for its users."""
    roles = [
        {
            "id": 41,
            "name": "Security",
            "permissions": ["read_organization_custom_org_role"],
            "users": ["acme-copilot-bot"],
        },
        {"id": 42, "name": "Copilot View", "permissions": ["view_org_copilot_metrics"], "users": ["acme-copilot-bot"]},
    ]
    _, requests = _run("linearb-compliant", "linearb", tmp_path, org={"roles": roles})
    paths = [path for _, path, _ in requests]
    assert not any("/organization-roles/41/" in p for p in paths)
    assert any("/organization-roles/42/users" in p for p in paths)


def test_other_profiles_never_read_roles(tmp_path: Path) -> None:
    """An owner or member profile sends no roles request at all."""
    for scenario, profile in (("compliant", "milestone-copilot"), ("repos-compliant", "milestone-repos-copilot")):
        _, requests = _run(scenario, profile, tmp_path)
        assert not any("organization-roles" in path for _, path, _ in requests), profile


def test_app_without_the_roles_permission_leaves_the_role_unverified_from_the_record(tmp_path: Path) -> None:
    """Without Custom organization roles: Read the record says why, and the token's own proof still stands."""
    app = {"permissions": {"organization_custom_org_roles": None}}
    assessment, _ = _run("linearb-compliant", "linearb", tmp_path, app=app)
    verdict = assessment.verdicts["OWNER-MEMBERSHIP"]
    # the metrics report's gate shows the owner may read the reports, not which role grants it: a caveat
    assert verdict.word is Word.WARN and verdict.source is Source.TOKEN
    assert "the App needs Custom organization roles: Read" in verdict.evidence

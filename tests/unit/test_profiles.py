# ruff: noqa: E501  (LEGACY below is an old profile copied verbatim; its TOML lines are long)
"""Profiles over the requirements catalogue: loading, validation (one sentence per error), selection and filling."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from compliance.catalogue import ProfileError, catalogue
from compliance.checks.registry import REGISTRY
from compliance.model import Level
from compliance.profile_rules import DESCRIPTION_MAX, NAME_MAX, permission_problem, template_problems
from compliance.profiles import available_profiles, load_profile

KNOWN = REGISTRY.keys()
REPO = Path(__file__).resolve().parents[2]
SHIPPED = available_profiles()  # every bundled profile, so a new one is checked the day it is added
CATALOGUE_IDS = [r.id for r in catalogue()]
HEAD: dict[str, Any] = {
    "id": "custom",
    "title": "Custom integration",
    "guide": "https://example.com/guide",
    "token_name": "Custom token",
    "token_description": "For tests.",
    "expires_in_days": 90,
    "max_lifetime_days": 120,
    "repository_access": "public",
}


class _Missing:
    """Drops a field from a generated profile; a stable repr keeps test IDs equal on every xdist worker."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()

# The old full format (before the catalogue): every requirement spelled out in [[requirement]] entries, text filled
# in by hand, plus the `new_token` flag. Copied verbatim from compliance/profiles/milestone-copilot.toml at f1bb913.
LEGACY = r"""
# Requirement profile: the vendor's "GitHub Copilot Token" setup guide.
# Each [[requirement]] is one test; its id is the test ID. The checks behind the ids live in
# compliance/verdicts.py; the values they compare against live here.

[profile]
id = "milestone-copilot"
title = "Milestone integration - GitHub Copilot token"
guide = "https://docs.mstone.ai/integration-instructions/github-copilot-token"
token_name = "Milestone's Copilot Token (read-only)"
token_description = "Token to be used by Milestone integration to gather metadata and generate analytics."
expires_in_days = 365
max_lifetime_days = 366
repository_access = "public"   # public | all | none

[profile.permissions.organization]
members = "read"
organization_copilot_seat_management = "read"

# Granted or not, these are not counted as excess: GitHub moved usage metrics to this permission
# when it retired the legacy metrics API on 2026-04-02.
[profile.permissions.optional_organization]
organization_copilot_metrics = "read"

[profile.permissions.repository]

[[requirement]]
id = "FINE-GRAINED"
title = "The token is a fine-grained personal access token"
level = "must"
guide_step = "1"
new_token = true
remediation = "Create a fine-grained token (Settings > Developer settings > Personal access tokens > Fine-grained tokens), not a classic, OAuth or app token."
references = ["https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens#creating-a-fine-grained-personal-access-token"]

[[requirement]]
id = "ACTIVE"
title = "The token authenticates (not expired, revoked or mistyped)"
level = "must"
guide_step = "8"
new_token = true
remediation = "GitHub rejects the token: it expired, was revoked (by its owner, an org owner, or automatically after a leak or a year unused) or was copied incompletely. Regenerate it or create a new one."
references = ["https://docs.github.com/en/organizations/managing-programmatic-access-to-your-organization/github-credential-types#token-expiration-and-revocation"]

[[requirement]]
id = "NAME"
title = "The token is named \"Milestone's Copilot Token (read-only)\""
level = "should"
guide_step = "2"
remediation = "Rename the token in its settings page to \"Milestone's Copilot Token (read-only)\" so that org owners can recognise it."
references = ["https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens"]

[[requirement]]
id = "EXPIRATION-SET"
title = "The token expires (no expiration only where the org policy allows it)"
level = "must"
guide_step = "3"
new_token = true
remediation = "Regenerate the token with a 1-year expiration. Choose \"No expiration\" only if the org's policy allows it, and then run the suite with --allow-no-expiration."
references = ["https://docs.github.com/en/organizations/managing-programmatic-access-to-your-organization/setting-a-personal-access-token-policy-for-your-organization"]

[[requirement]]
id = "LIFETIME-MAX"
title = "The token's lifetime is at most 366 days"
level = "must"
guide_step = "3"
new_token = true
remediation = "Regenerate the token with a 1-year (365-day) expiration; GitHub's default org policy refuses fine-grained tokens that live longer than 366 days."
references = ["https://github.blog/changelog/2024-10-18-new-pat-rotation-policies-preview-and-optional-expiration-for-fine-grained-pats"]

[[requirement]]
id = "EXPIRY-HEADROOM"
title = "The token does not expire within the warning window"
level = "should"
guide_step = "3"
new_token = true
remediation = "Regenerate the token (same settings, 1-year expiration) and hand the new value to the integration before the old one expires."
references = ["https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens#regenerating-a-fine-grained-personal-access-token"]

[[requirement]]
id = "RESOURCE-OWNER"
title = "The resource owner is the organization, and the org lets fine-grained tokens in"
level = "must"
guide_step = "4"
new_token = true
remediation = "Create the token with the organization as Resource owner. If the org is not offered, an org owner must allow fine-grained tokens (Organization settings > Personal access tokens); if it requires approval, an org owner must approve the request."
references = ["https://docs.github.com/en/organizations/managing-programmatic-access-to-your-organization/setting-a-personal-access-token-policy-for-your-organization"]

[[requirement]]
id = "REPO-ACCESS"
title = "Repository access is public repositories only"
level = "must"
guide_step = "5"
new_token = true
remediation = "Set Repository access to \"Public repositories\"; the integration needs no private repository."
references = ["https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens#fine-grained-personal-access-tokens"]

[[requirement]]
id = "READ-ONLY"
title = "Every permission the token holds is Read"
level = "must"
guide_step = "6"
new_token = true
remediation = "Edit the token so that every permission it holds is set to Read (or remove it)."
references = ["https://docs.github.com/en/rest/authentication/permissions-required-for-fine-grained-personal-access-tokens"]

[[requirement]]
id = "MEMBERS-READ"
title = "Organization permission Members: Read works"
level = "must"
guide_step = "7"
new_token = true
remediation = "Under Organization permissions, set Members to Read."
references = ["https://docs.github.com/en/rest/orgs/members#get-an-organization-membership-for-the-authenticated-user"]

[[requirement]]
id = "COPILOT-BUSINESS-READ"
title = "Organization permission GitHub Copilot Business: Read works (billing and seats)"
level = "must"
guide_step = "7"
new_token = true
remediation = "Under Organization permissions, set GitHub Copilot Business to Read; the token's owner must be an org owner, because GitHub shows Copilot billing and seats to owners only."
references = ["https://docs.github.com/en/rest/copilot/copilot-user-management#get-copilot-seat-information-and-settings-for-an-organization"]

[[requirement]]
id = "LEAST-PRIVILEGE"
title = "The token holds no permission beyond the documented ones"
level = "must"
guide_step = "7"
new_token = true
remediation = "Edit the token and remove every permission except Members: Read and GitHub Copilot Business: Read (Organization Copilot metrics: Read may stay)."
references = ["https://docs.github.com/en/rest/authentication/permissions-required-for-fine-grained-personal-access-tokens"]

[[requirement]]
id = "APPROVED"
title = "The token is approved by the organization (not pending)"
level = "must"
guide_step = "8"
remediation = "Ask an org owner to approve the token request (Organization settings > Personal access tokens > Pending requests)."
references = ["https://docs.github.com/en/organizations/managing-programmatic-access-to-your-organization/managing-requests-for-personal-access-tokens-in-your-organization"]

[[requirement]]
id = "SERVICE-ACCOUNT"
title = "The token belongs to a dedicated bot/service account"
level = "should"
guide_step = "before you start"
remediation = "Create the token while signed in as the org's dedicated bot account, so it keeps working when people leave; name that account with --expected-owner."
references = ["https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens"]

[[requirement]]
id = "OWNER-MEMBERSHIP"
title = "The token's owner is an active org member whose role can read Copilot data"
level = "must"
guide_step = "before you start"
remediation = "Make the token's owner an active owner of the organization: GitHub shows Copilot billing and seats to org owners only."
references = ["https://docs.github.com/en/organizations/managing-peoples-access-to-your-organization-with-roles/roles-in-an-organization"]

[[requirement]]
id = "COPILOT-METRICS"
title = "Copilot usage metrics are readable (Organization Copilot metrics: Read, policy enabled)"
level = "should"
guide_step = "7"
remediation = "The guide's \"Copilot Business: Read gives metrics\" predates GitHub retiring the legacy metrics API on 2026-04-02. Add Organization permission \"Organization Copilot metrics: Read\" and have an org owner enable the Copilot usage metrics policy."
references = ["https://docs.github.com/en/rest/copilot/copilot-usage-metrics", "https://github.blog/changelog/2026-01-29-closing-down-notice-of-legacy-copilot-metrics-apis"]

[[requirement]]
id = "TOKEN-STORAGE"
title = "A token read from a file is readable by its owner only"
level = "should"
guide_step = "8"
remediation = "Restrict the file to its owner: chmod 600 FILE (and make sure you own it)."
references = ["https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/token-expiration-and-revocation"]
"""


def toml_value(value: Any) -> str:
    """A value as TOML writes it (strings, whole numbers, booleans, lists and floats)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def profile_text(
    head: dict[str, Any] | None = None,
    *,
    organization: dict[str, Any] | str | None = None,
    optional: dict[str, Any] | None = None,
    repository: dict[str, Any] | None = None,
    extra: str = "",
    top: str = "",
) -> str:
    """A thin profile: top-level keys, the [profile] head (MISSING drops a field), its permissions, extra TOML."""
    fields = {k: v for k, v in (HEAD | (head or {})).items() if v is not MISSING}
    lines = [top, "[profile]", *(f"{k} = {toml_value(v)}" for k, v in fields.items())]
    tables = {"organization": {"members": "read"} if organization is None else organization}
    tables |= {"optional_organization": optional} if optional is not None else {}
    tables |= {"repository": repository} if repository is not None else {}
    for name, table in tables.items():
        if isinstance(table, dict):
            lines += ["", f"[profile.permissions.{name}]", *(f"{k} = {toml_value(v)}" for k, v in table.items())]
        else:
            lines += ["", "[profile.permissions]", f"{name} = {toml_value(table)}"]
    return "\n".join(lines) + "\n" + extra


def load(tmp_path: Path, text: str, name: str = "custom.toml", known: Any = KNOWN) -> Any:
    """Write a profile file and load it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_profile(str(path), known)


def one_sentence(message: str) -> None:
    """A profile error is one plain sentence."""
    assert "\n" not in message
    assert message.endswith(".")
    assert message[0].isupper()


# --- the shipped profiles and the catalogue ---------------------------------------------------------------------


def test_catalogue_ids_equal_the_registry() -> None:
    """Every catalogue requirement has exactly one registry row, and every row a catalogue entry."""
    assert len(CATALOGUE_IDS) == len(set(CATALOGUE_IDS))
    assert set(CATALOGUE_IDS) == set(REGISTRY)


def test_the_vendor_profiles_are_shipped() -> None:
    """The bundled profiles cover the vendor guides people set up."""
    assert {
        "milestone-copilot", "milestone-repos-copilot", "cloudmonitor", "copilot-metrics-viewer", "linearb",
        "sumo-logic-copilot",
    } <= set(SHIPPED)  # fmt: skip


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_profile_loads_every_requirement_filled(name: str) -> None:
    """A shipped profile loads by name, checks the catalogue's requirements in order, and leaves no {placeholder}."""
    profile = load_profile(name, KNOWN)
    assert profile.id == name
    assert [r.id for r in profile.requirements] == [
        i for i in CATALOGUE_IDS if i in {r.id for r in profile.requirements}
    ]
    assert {"FINE-GRAINED", "ACTIVE", "LIFETIME-MAX", "REPO-ACCESS", "LEAST-PRIVILEGE", "OWNER-MEMBERSHIP"} <= {
        r.id for r in profile.requirements
    }
    for r in profile.requirements:
        for text in (r.title, r.guide_step, r.remediation):
            assert "{" not in text and "}" not in text, (r.id, text)


def test_milestone_copilot_text_is_filled_from_the_profile() -> None:
    """The catalogue's placeholders read the milestone-copilot values: name, cap, access and permissions."""
    p = load_profile("milestone-copilot", KNOWN)
    assert p.requirement("NAME").title == 'The token is named "Milestone\'s Copilot Token (read-only)"'
    assert '"Milestone\'s Copilot Token (read-only)"' in p.requirement("NAME").remediation
    assert p.requirement("LIFETIME-MAX").title == "The token's lifetime is at most 366 days"
    assert p.requirement("REPO-ACCESS").title == "Repository access is public repositories only"
    assert p.requirement("LEAST-PRIVILEGE").remediation == (
        "Edit the token and remove every permission except Members: Read and GitHub Copilot Business: Read "
        "(Organization Copilot metrics: Read may stay)."
    )


def test_milestone_repos_copilot_text_is_filled_from_the_profile() -> None:
    """The repositories profile says All repositories and lists its repository permissions too."""
    p = load_profile("milestone-repos-copilot", KNOWN)
    assert p.requirement("NAME").title == 'The token is named "Milestone\'s Copilot Token (read-only)"'
    assert p.requirement("REPO-ACCESS").title == "Repository access is All repositories"
    assert '"All repositories"' in p.requirement("REPO-ACCESS").remediation
    assert p.requirement("LEAST-PRIVILEGE").remediation == (
        "Edit the token and remove every permission except Members: Read, Contents: Read, Metadata: Read and "
        "Pull requests: Read (GitHub Copilot Business: Read and Organization Copilot metrics: Read may stay)."
    )
    assert p.requirement("OWNER-MEMBERSHIP").title == "The token's owner is an active member of the organization"


# --- selecting and adjusting ------------------------------------------------------------------------------------


def test_thin_overlay_checks_every_catalogue_requirement(tmp_path: Path) -> None:
    """A profile without `requirements` checks all catalogue requirements, in catalogue order, at their levels."""
    profile = load(tmp_path, profile_text())
    assert [r.id for r in profile.requirements] == CATALOGUE_IDS
    assert [r.level for r in profile.requirements] == [r.level for r in catalogue()]


def test_default_selection_is_limited_to_known_checks(tmp_path: Path) -> None:
    """Only requirements with a check (known ids) are selected by default."""
    known = [i for i in KNOWN if i != "TOKEN-STORAGE"]
    profile = load(tmp_path, profile_text(), known=known)
    assert [r.id for r in profile.requirements] == [i for i in CATALOGUE_IDS if i != "TOKEN-STORAGE"]


def test_requirements_list_selects_and_orders(tmp_path: Path) -> None:
    """`requirements = [...]` checks exactly those ids, in the profile's order."""
    profile = load(tmp_path, profile_text({"requirements": ["TOKEN-STORAGE", "NAME", "ACTIVE"]}))
    assert [r.id for r in profile.requirements] == ["TOKEN-STORAGE", "NAME", "ACTIVE"]


def test_overrides_change_level_title_and_remediation(tmp_path: Path) -> None:
    """[overrides.ID] replaces level, title, remediation and references, with placeholders filled; others are kept."""
    extra = """
[overrides.ACTIVE]
level = "should"
title = "The {token_name} still works"
remediation = "Ask the platform team for a new {token_name}."
references = ["https://example.com/runbook"]
"""
    profile = load(tmp_path, profile_text(extra=extra))
    active = profile.requirement("ACTIVE")
    assert active.level is Level.SHOULD
    assert active.title == "The Custom token still works"
    assert active.remediation == "Ask the platform team for a new Custom token."
    assert active.references == ("https://example.com/runbook",)
    assert active.guide_step == next(r for r in catalogue() if r.id == "ACTIVE").guide_step
    assert profile.requirement("FINE-GRAINED") == load_profile("milestone-copilot", KNOWN).requirement("FINE-GRAINED")


def test_legacy_full_profile_still_loads_with_the_same_text(tmp_path: Path) -> None:
    """An older profile with full [[requirement]] entries loads, selecting and titling requirements as the thin one."""
    legacy = load(tmp_path, LEGACY, "legacy.toml")
    thin = load_profile("milestone-copilot", KNOWN)
    assert [r.id for r in legacy.requirements] == [r.id for r in thin.requirements]
    # the catalogue now fills these from the profile (expiry days, owner role); the old file keeps its own words
    refilled = {"EXPIRATION-SET", "LIFETIME-MAX", "EXPIRY-HEADROOM", "OWNER-MEMBERSHIP"}
    for old, new in zip(legacy.requirements, thin.requirements, strict=True):
        if old.id in refilled:
            assert (old.level, old.guide_step) == (new.level, new.guide_step), old.id
            continue
        assert (old.title, old.level, old.remediation, old.guide_step, old.references) == (
            new.title,
            new.level,
            new.remediation,
            new.guide_step,
            new.references,
        ), old.id


def test_legacy_entries_select_and_order(tmp_path: Path) -> None:
    """In the old format the [[requirement]] entries themselves choose the requirements and their order."""
    extra = """
[[requirement]]
id = "NAME"
new_token = false
title = "Named {token_name}"

[[requirement]]
id = "ACTIVE"
"""
    profile = load(tmp_path, profile_text(extra=extra))
    assert [r.id for r in profile.requirements] == ["NAME", "ACTIVE"]
    assert profile.requirement("NAME").title == "Named Custom token"


@pytest.mark.parametrize(
    ("access", "title", "fix"),
    [
        ("public", "Repository access is public repositories only", '"Public repositories"; the integration needs no'),
        ("all", "Repository access is All repositories", 'Set Repository access to "All repositories" so that'),
        ("none", "Repository access is public repositories only, with no repository permission",
         '"Public repositories" and grant no repository permission'),
    ],
)  # fmt: skip
def test_repository_access_fills_title_and_fix(tmp_path: Path, access: str, title: str, fix: str) -> None:
    """REPO-ACCESS names the profile's repository access, and its fix is the one for that access."""
    req = load(tmp_path, profile_text({"repository_access": access})).requirement("REPO-ACCESS")
    assert req.title == title
    assert fix in req.remediation


@pytest.mark.parametrize(
    ("organization", "optional", "repository", "phrase"),
    [
        ({"members": "read"}, None, None, "except Members: Read."),
        ({"members": "write"}, {"organization_copilot_metrics": "read"}, None,
         "except Members: Write (Organization Copilot metrics: Read may stay)."),
        ({"members": "read"}, None, {"contents": "read", "issues": "write"},
         "except Members: Read, Contents: Read and Issues: Write."),
        ({"organization_projects": "read"}, None, None, "except Projects: Read."),
    ],
)  # fmt: skip
def test_least_privilege_lists_the_profiles_permissions(
    tmp_path: Path, organization: dict[str, str], optional: dict[str, str] | None, repository: Any, phrase: str
) -> None:
    """LEAST-PRIVILEGE's fix names the profile's permissions by GitHub's titles, organization first, optional ones last."""
    text = profile_text(organization=organization, optional=optional, repository=repository)
    assert load(tmp_path, text).requirement("LEAST-PRIVILEGE").remediation.endswith(phrase)


def test_name_and_lifetime_are_filled_from_a_custom_profile(tmp_path: Path) -> None:
    """NAME names the profile's token and LIFETIME-MAX its own cap."""
    profile = load(tmp_path, profile_text())
    assert profile.requirement("NAME").title == 'The token is named "Custom token"'
    assert profile.requirement("LIFETIME-MAX").title == "The token's lifetime is at most 120 days"


# --- every way a profile can be wrong -----------------------------------------------------------------------------


def test_unknown_profile_name(tmp_path: Path) -> None:
    """A name that is neither a bundled profile nor a file lists the bundled ones."""
    with pytest.raises(ProfileError) as caught:
        load_profile("no-such-profile", KNOWN)
    message = str(caught.value)
    one_sentence(message)
    assert "There is no profile named 'no-such-profile'" in message
    assert all(name in message for name in SHIPPED)


@pytest.mark.parametrize(("make", "phrase"), [("missing", "Cannot read the profile file"), ("dir", "Cannot read")])
def test_unreadable_profile_file(tmp_path: Path, make: str, phrase: str) -> None:
    """A .toml path that cannot be read says so, naming the path."""
    path = tmp_path / "custom.toml"
    if make == "dir":
        path.mkdir()
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path), KNOWN)
    one_sentence(str(caught.value))
    assert phrase in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize("content", ['[profile\nid = "x"\n', 'id = "a"\nid = "b"\n', b"[profile]\nid = '\xff'\n"])
def test_invalid_toml(tmp_path: Path, content: str | bytes) -> None:
    """A file that is not valid TOML (or not UTF-8) names the file and asks to fix its syntax."""
    path = tmp_path / "custom.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path), KNOWN)
    one_sentence(str(caught.value))
    assert f"The profile file {path} is not valid TOML" in str(caught.value)
    assert str(caught.value).endswith("fix its syntax.")


ERRORS = [
    # (id, profile text, phrases the one sentence must hold)
    ("no-profile-table", '[other]\nid = "x"\n', ["needs a [profile] table"]),
    ("profile-not-table", 'profile = "x"\n', ["needs a [profile] table"]),
    *[
        (f"missing-{f}", profile_text({f: MISSING}), [f"needs {f} as a non-empty string"])
        for f in ("id", "title", "guide", "token_name", "token_description", "repository_access")
    ],
    ("empty-title", profile_text({"title": ""}), ["needs title as a non-empty string"]),
    ("blank-token-name", profile_text({"token_name": "   "}), ["needs token_name as a non-empty string"]),
    ("number-guide", profile_text({"guide": 5}), ["needs guide as a non-empty string"]),
    *[
        (f"{f}={v!r}", profile_text({f: v}), [f"needs {f} as a positive whole number of days"])
        for f, v in [("expires_in_days", 0), ("expires_in_days", -30), ("expires_in_days", True),
                     ("expires_in_days", "90"), ("max_lifetime_days", 1.5), ("max_lifetime_days", MISSING)]
    ],
    ("bad-access", profile_text({"repository_access": "private"}),
     ["repository_access must be public, all, selected or none, not 'private'"]),
    ("bad-level", profile_text(organization={"members": "Read"}),
     ["[profile.permissions.organization] must map permission ids to read/write/admin"]),
    ("no-level", profile_text(organization={"members": "none"}), ["[profile.permissions.organization]"]),
    ("bad-optional", profile_text(optional={"organization_copilot_metrics": True}),
     ["[profile.permissions.optional_organization]"]),
    ("bad-repository", profile_text(repository={"contents": "readonly"}), ["[profile.permissions.repository]"]),
    ("permissions-not-table", profile_text(organization="read"), ["[profile.permissions.organization]"]),
    ("unknown-in-requirements", profile_text({"requirements": ["NAME", "NOPE"]}),
     ["names NOPE, which the catalogue has no check for", "ids with a check are: FINE-GRAINED"]),
    ("unknown-in-overrides", profile_text(extra='[overrides.NOPE]\ntitle = "x"\n'),
     ["names NOPE, which the catalogue has no check for"]),
    ("empty-requirements", profile_text({"requirements": []}),
     ["requirements must be a non-empty list of requirement ids"]),
    ("string-requirements", profile_text({"requirements": "NAME"}), ["requirements must be a non-empty list"]),
    ("number-in-requirements", profile_text({"requirements": ["NAME", 3]}), ["requirements must be a non-empty list"]),
    ("duplicate", profile_text({"requirements": ["NAME", "ACTIVE", "NAME"]}), ["lists NAME more than once"]),
    ("legacy-duplicate", profile_text(extra='[[requirement]]\nid = "NAME"\n[[requirement]]\nid = "NAME"\n'),
     ["lists NAME more than once"]),
    *[
        (f"override-{f}", profile_text(extra=f'[overrides.NAME]\n{f} = "x"\n'),
         [f"NAME overrides {f}; a profile may override only guide_step, level, references, remediation, title"])
        for f in ("id", "probes", "rests_on", "token_name")
    ],
    ("legacy-override-probes", profile_text(extra='[[requirement]]\nid = "NAME"\nprobes = "x"\n'),
     ["NAME overrides probes"]),
    ("override-not-table", profile_text(extra='[overrides]\nNAME = "x"\n'), ["the overrides of NAME must be a table"]),
    ("overrides-not-table", profile_text(top="overrides = 3"), ["needs a [overrides] table"]),
    ("override-level", profile_text(extra='[overrides.NAME]\nlevel = "may"\n'),
     ["requirement NAME of the profile custom.toml has level 'may'; use must or should"]),
    ("override-references", profile_text(extra='[overrides.NAME]\nreferences = ["http://example.com"]\n'),
     ["needs references as a list of https:// links"]),
    ("override-empty-title", profile_text(extra='[overrides.NAME]\ntitle = ""\n'), ["needs title as a non-empty string"]),
    ("legacy-not-tables", profile_text(top='requirement = ["NAME"]'), ["[[requirement]] entries must be tables"]),
    ("legacy-without-id", profile_text(extra='[[requirement]]\ntitle = "x"\n'), ["needs id as a non-empty string"]),
    ("unknown-placeholder-title", profile_text(extra='[overrides.NAME]\ntitle = "Named {nope}"\n'),
     ["The title of requirement NAME", "names {nope}; text may name only {token_name}"]),
    ("unknown-placeholder-remediation", profile_text(extra='[overrides.ACTIVE]\nremediation = "Call {owner}."\n'),
     ["The remediation of requirement ACTIVE", "names {owner}"]),
    ("positional-placeholder", profile_text(extra='[overrides.NAME]\nguide_step = "{0}"\n'),
     ["The guide_step of requirement NAME", "names {0}"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "phrases"), [pytest.param(t, p, id=i) for i, t, p in ERRORS])
def test_profile_errors_are_one_sentence_naming_file_and_field(tmp_path: Path, text: str, phrases: list[str]) -> None:
    """Every invalid profile raises ProfileError: one sentence naming the file and what to fix."""
    with pytest.raises(ProfileError) as caught:
        load(tmp_path, text)
    message = str(caught.value)
    one_sentence(message)
    assert "custom.toml" in message
    for phrase in phrases:
        assert phrase in message, message


@pytest.mark.parametrize("title", ["Named {token_name", "Named token_name}", "Named {"])
def test_unbalanced_brace_is_a_profile_error(tmp_path: Path, title: str) -> None:
    """Text with an unbalanced brace is a profile error naming the file and the requirement, not a crash."""
    with pytest.raises(ProfileError) as caught:
        load(tmp_path, profile_text(extra=f'[overrides.NAME]\ntitle = "{title}"\n'))
    one_sentence(str(caught.value))
    assert "custom.toml" in str(caught.value) and "NAME" in str(caught.value)


# --- GitHub's rules, vendor provenance and the profile features ---------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_profile_follows_githubs_template_rules_and_cites_its_guide(name: str) -> None:
    """Every shipped profile fits GitHub's template URL, names real permissions, and cites its guide and read date."""
    p = load_profile(name, KNOWN)
    assert len(p.token_name) <= NAME_MAX and len(p.token_description) <= DESCRIPTION_MAX
    assert 1 <= p.expires_in_days <= p.max_lifetime_days
    assert p.guide.startswith("https://") and p.guide_read == "2026-11-30" and p.vendor
    for kind, table in (("organization", p.allowed_organization()), ("repository", p.repository_permissions)):
        assert all(permission_problem(kind, k, v) is None for k, v in table.items()), table


def test_milestone_profiles_follow_the_vendors_moved_guides() -> None:
    """Both Milestone profiles point at the vendor's current docs, the repositories one at its own guide."""
    copilot, repos = load_profile("milestone-copilot", KNOWN), load_profile("milestone-repos-copilot", KNOWN)
    base = "https://mstone.ai/docs/integration-instructions/github-and-copilot/"
    assert copilot.guide == base + "github-copilot-token"
    assert repos.guide == base + "github-repos-and-copilot-token"
    assert repos.token_name == "Milestone's Copilot Token (read-only)"
    assert repos.organization_permissions == {"members": "read"}


@pytest.mark.parametrize(
    ("head", "extra", "phrases"),
    [
        ({"token_name": "x" * 41}, "", ["token_name is 41 characters; GitHub's token form takes at most 40"]),
        ({"token_description": "d" * 1025}, "", ["token_description is 1025 characters; GitHub takes at most 1024"]),
        ({"expires_in_days": 367}, "", ["needs expires_in_days as a positive whole number of days, at most 366"]),
        ({"guide": "http://example.com/guide"}, "", ["guide must be the vendor guide's https:// address"]),
        ({"guide_read": "yesterday"}, "", ["guide_read must be the date the guide was read"]),
        ({"notes": "one"}, "", ["notes must be a list of sentences"]),
        ({"owner_role": "owner"}, "", ["[profile] has owner_role; it takes"]),
        ({"skip": ["NOPE"]}, "", ["skip must list requirement ids of the catalogue"]),
        ({}, "[profile.owner]\nrole = 'admin'\n", ["[profile.owner] role is 'admin'; use owner, custom or member"]),
        ({}, "[profile.owner]\nrole = 'custom'\n", ["role custom needs permission"]),
        ({}, "[profile.owner]\nrole = 'custom'\npermission = 'View x'\n", ["role custom needs permission_ids"]),
        ({}, "[profile.owner]\nrole = 'owner'\npermission = 'View x'\n", ["role owner takes no permission"]),
        ({}, "[profile.owner]\nrole = 'member'\nextra = 1\n", ["[profile.owner] has extra"]),
        ({}, "[profile.owner]\nrole = 'custom'\npermission = 'V'\npermission_ids = ['v']\naccept_owner = 'yes'\n",
         ["accept_owner must be true or false"]),
        ({}, "[[profile.permissions.any_of]]\norganization_administration = 'read'\n",
         ["[[profile.permissions.any_of]] must be two or more tables"]),
    ],
)  # fmt: skip
def test_githubs_rules_and_new_fields_are_enforced(
    tmp_path: Path, head: dict[str, Any], extra: str, phrases: list[str]
) -> None:
    """A value GitHub's form would refuse, or a malformed new field, is one sentence naming the file and the field."""
    with pytest.raises(ProfileError) as caught:
        load(tmp_path, profile_text(head, extra=extra))
    message = str(caught.value)
    one_sentence(message)
    assert "custom.toml" in message
    for phrase in phrases:
        assert phrase in message, message


@pytest.mark.parametrize(
    ("table", "permission", "phrase"),
    [
        ("organization", {"brand_new_permission": "read"}, "brand_new_permission, which GitHub's fine-grained permission map does not have"),
        ("organization", {"contents": "read"}, "contents, which GitHub's permission map lists as a repository permission"),
        ("repository", {"members": "read"}, "members, which GitHub's permission map lists as an organization permission"),
        ("organization", {"organization_copilot_metrics": "write"}, "offers only read for it"),
        ("repository", {"metadata": "admin"}, "offers only read for it"),
    ],
)  # fmt: skip
def test_permissions_are_checked_against_githubs_map(
    tmp_path: Path, table: str, permission: dict[str, str], phrase: str
) -> None:
    """Permission ids must exist in GitHub's map, be of the table's kind and at a level the map offers."""
    text = profile_text(organization=permission) if table == "organization" else profile_text(repository=permission)
    with pytest.raises(ProfileError) as caught:
        load(tmp_path, text)
    one_sentence(str(caught.value))
    assert phrase in str(caught.value) and f"[profile.permissions.{table}]" in str(caught.value)


def test_alternatives_skip_and_owner_role_load(tmp_path: Path) -> None:
    """any_of sets, skipped requirements and a custom owner role load and fill the catalogue's text."""
    extra = (
        "[profile.owner]\nrole = 'custom'\npermission = 'View organization Copilot metrics'\n"
        "permission_ids = ['view_org_copilot_metrics']\naccept_owner = false\n"
        "[[profile.permissions.any_of]]\norganization_copilot_seat_management = 'read'\n"
        "[[profile.permissions.any_of]]\norganization_administration = 'read'\n"
    )
    p = load(tmp_path, profile_text({"skip": ["NAME"], "repository_access": "selected"}, organization={}, extra=extra))
    assert "NAME" not in [r.id for r in p.requirements]
    assert p.permission_phrase() == "one of GitHub Copilot Business: Read or Administration: Read"
    assert p.allowed_organization() == {
        "organization_copilot_seat_management": "read",
        "organization_administration": "read",
    }
    assert p.requirement("OWNER-MEMBERSHIP").title == (
        "The token's owner is an active org member with a custom organization role granting \"View organization "
        'Copilot metrics" and not an org owner'
    )
    assert "Organization roles" in p.requirement("OWNER-MEMBERSHIP").remediation
    assert p.requirement("REPO-ACCESS").title == "Repository access is only selected repositories"


def test_permission_map_is_githubs(tmp_path: Path) -> None:
    """compliance/permission_map.json is what scripts/gen_permission_map.py makes from GitHub's own map."""
    spec = importlib.util.spec_from_file_location("gen_permission_map", REPO / "scripts" / "gen_permission_map.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (REPO / "compliance" / "permission_map.json").read_text(encoding="utf-8") == module.permission_map()


def test_template_rules_accept_githubs_bounds() -> None:
    """The bounds themselves pass: 40 characters, 1024 characters, 1 and 366 days, and none."""
    for expires in (1, 366, "none"):
        assert template_problems("n" * NAME_MAX, "d" * DESCRIPTION_MAX, expires) == []
    assert [f for f, _ in template_problems("n", "d", 0)] == ["expires_in_days"]

"""Provenance: the runner named from a checked environment, the audit-log link for each GitHub deployment."""

from __future__ import annotations

import pytest

from compliance.provenance import _runner, audit_log_url

ACTIONS = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_REPOSITORY": "acme/compliance",
    "GITHUB_RUN_ID": "77",
    "GITHUB_RUN_ATTEMPT": "1",
    "GITHUB_SERVER_URL": "https://github.example.com",
    "GITHUB_ACTOR": "octo",
}


def test_actions_run_is_named_with_its_url() -> None:
    """In GitHub Actions the runner is the run, linked on the server that ran it."""
    who, url = _runner(ACTIONS)
    assert who == "GitHub Actions run 77 of acme/compliance by octo"
    assert url == "https://github.example.com/acme/compliance/actions/runs/77/attempts/1"


@pytest.mark.parametrize(
    ("key", "value"),
    [("GITHUB_REPOSITORY", "a/b\nc"), ("GITHUB_RUN_ID", "1; rm"), ("GITHUB_ACTIONS", "yes")],
)
def test_hostile_environment_falls_back_to_the_host(key: str, value: str) -> None:
    """A repository, run id or flag that is not what Actions sets is not trusted: the user and host are named."""
    who, url = _runner({**ACTIONS, key: value})
    assert url is None and " on " in who


def test_hostile_server_and_actor_are_dropped() -> None:
    """A server URL that is not plain https falls back to github.com; an actor with markup is left out."""
    who, url = _runner({**ACTIONS, "GITHUB_SERVER_URL": "javascript:alert(1)", "GITHUB_ACTOR": "<b>x</b>"})
    assert url is not None and url.startswith("https://github.com/acme/compliance/")
    assert who == "GitHub Actions run 77 of acme/compliance"


@pytest.mark.parametrize(
    ("api", "web"),
    [
        ("https://api.github.com", "https://github.com"),
        ("https://api.octo.ghe.com", "https://octo.ghe.com"),
        ("https://ghes.example.com/api/v3", "https://ghes.example.com"),
    ],
)
def test_audit_log_link_per_deployment(api: str, web: str) -> None:
    """The audit-log search sits on the web host that serves the API, with the hash quoted and escaped."""
    url = audit_log_url(api, "acme", "ab+/cd=")
    assert url == f"{web}/organizations/acme/settings/audit-log?q=hashed_token%3A%22ab%2B%2Fcd%3D%22"


def test_no_audit_log_link_for_an_unknown_host() -> None:
    """A simulator or proxy URL has no known web host: no link rather than a guessed one."""
    assert audit_log_url("http://127.0.0.1:8080", "acme", "x") is None


@pytest.mark.parametrize(
    "server",
    ["https://user:s3cret@ghe.example", "https://ghe.example#frag", "https://ghe.example/x", "http://ghe.example"],
)
def test_a_server_url_with_more_than_a_host_is_not_trusted(server: str) -> None:
    """Credentials, a path, a fragment or plain http in GITHUB_SERVER_URL never reach a report."""
    _, url = _runner({**ACTIONS, "GITHUB_SERVER_URL": server})
    assert url == "https://github.com/acme/compliance/actions/runs/77/attempts/1"


def test_a_port_is_kept() -> None:
    """A GHES host on its own port keeps it."""
    assert _runner({**ACTIONS, "GITHUB_SERVER_URL": "https://ghes.example:8443/"})[1] == (
        "https://ghes.example:8443/acme/compliance/actions/runs/77/attempts/1"
    )


def test_a_hostile_login_name_is_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside Actions the user name comes from LOGNAME or USER: markup or a newline there is not repeated."""
    monkeypatch.setenv("LOGNAME", "evil\n## COMPLIANT <b>x</b>")
    who, url = _runner({})
    assert url is None and who.startswith("unknown user on ")

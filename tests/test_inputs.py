"""Bad input: one plain sentence, exit code 4, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CANARY, ORG, Runner, assert_no_leak


def _assert_usage_error(run_ret: int, stderr: str, stdout: str, out: Path, *needles: str) -> None:
    assert run_ret == 4, stdout + stderr
    errors = [line for line in stderr.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1, stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    assert "Traceback" not in stdout + stderr
    assert not out.exists(), "a usage error must not leave files behind"


@pytest.mark.parametrize(
    ("args", "env", "needles"),
    [
        pytest.param([], {"GITHUB_TOKEN": None}, ["needs a token", "export GITHUB_TOKEN"], id="missing-token"),
        pytest.param([], {"GITHUB_TOKEN": ""}, ["is empty"], id="empty-token"),
        pytest.param([], {"GITHUB_TOKEN": "   \n"}, ["is empty"], id="blank-token"),
        pytest.param([], {"GITHUB_TOKEN": "hunter2-not-a-token"}, ["does not hold a GitHub token"], id="not-a-token"),
        pytest.param(
            [],
            {"GITHUB_TOKEN": "github_pat_abc def_0123456789"},
            ["does not hold a GitHub token"],
            id="token-with-inner-space",
        ),
        pytest.param(["--org=-acme"], {}, ["not a valid GitHub organization name"], id="org-leading-hyphen"),
        pytest.param(["--org=ac--me"], {}, ["not a valid GitHub organization name"], id="org-double-hyphen"),
        pytest.param(["--org=" + "a" * 40], {}, ["not a valid GitHub organization name"], id="org-too-long"),
        pytest.param(["--org=acme/evil"], {}, ["not a valid GitHub organization name"], id="org-slash"),
        pytest.param(["--api-url", "ftp://example.com"], {}, ["not an http(s) URL"], id="api-url-scheme"),
        pytest.param(["--api-url", "http://api.example.com"], {}, ["plain http://"], id="api-url-plain-http"),
        pytest.param(
            ["--api-url", "https://user:pw@api.github.com"],
            {},
            ["must not contain credentials"],
            id="api-url-credentials",
        ),
        pytest.param(["--api-url", "https://[::1"], {}, ["not a valid URL"], id="api-url-malformed"),
        pytest.param(
            ["--profile", "no-such-profile"], {}, ["no profile named 'no-such-profile'"], id="unknown-profile"
        ),
        pytest.param(["--token-file", "/nonexistent/token"], {}, ["Cannot read --token-file"], id="token-file-missing"),
        pytest.param(
            ["--expiry-warning-days=-1"], {}, ["--expiry-warning-days must be 0 or more"], id="negative-window"
        ),
        pytest.param(["--token-env", "BAD NAME"], {}, ["not an environment variable name"], id="bad-token-env"),
    ],
)
def test_bad_input(run_suite: Runner, args: list[str], env: dict[str, str | None], needles: list[str]) -> None:
    """Each bad input gets its own plain sentence and exit code 4."""
    org = None if any(a.startswith("--org") for a in args) else ORG
    run = run_suite("compliant", *args, env=env, org=org)
    _assert_usage_error(run.ret, run.stderr, run.stdout, run.out, *needles)
    assert_no_leak(CANARY, run.texts())


def test_unknown_org(run_suite: Runner) -> None:
    """An org GitHub does not know is a usage error, not a verdict."""
    run = run_suite("compliant", org="no-such-org")
    _assert_usage_error(run.ret, run.stderr, run.stdout, run.out, "no organization named 'no-such-org'")


def test_not_a_github_api(run_suite: Runner) -> None:
    """An API URL that answers 404 to GET /user is not a GitHub API (here: GHES without /api/v3)."""
    run = run_suite("compliant", base_path="/api/v3", api_url="{root}")
    _assert_usage_error(run.ret, run.stderr, run.stdout, run.out, "does not look like a GitHub REST API", "/api/v3")


def test_token_whitespace_is_stripped_and_said(run_suite: Runner) -> None:
    """A token with a trailing newline works, and the header line says it was stripped."""
    run = run_suite("compliant", env={"GITHUB_TOKEN": f"  {CANARY}\n"})
    assert run.ret == 0
    assert "surrounding whitespace stripped" in run.stdout
    assert_no_leak(CANARY, run.texts())


def test_unreadable_token_file(run_suite: Runner, tmp_path: Path) -> None:
    """A token file without read permission is a usage error naming the file."""
    secret = tmp_path / "token"
    secret.write_text(CANARY)
    secret.chmod(0)
    try:
        secret.read_text()
    except PermissionError:
        pass
    else:
        pytest.skip("running as root: file permissions do not stop reads")
    run = run_suite("compliant", "--token-file", str(secret))
    _assert_usage_error(run.ret, run.stderr, run.stdout, run.out, "Cannot read --token-file")

"""Exit codes agree with the overall verdict, whatever was selected; bad command lines end in one sentence."""

from __future__ import annotations

import pytest

from tests.support import CANARY, Runner, assert_no_leak

pytestmark = pytest.mark.e2e

MEMBERS_READ = "compliance/test_requirements.py::test_requirement[MEMBERS-READ]"


@pytest.mark.parametrize(
    "selection",
    [["-k", "COPILOT"], ["--deselect", MEMBERS_READ], ["-k", "not MEMBERS"]],
    ids=["keyword", "deselect", "not-keyword"],
)
def test_a_deselected_failure_still_fails_the_session(run_suite: Runner, selection: list[str]) -> None:
    """NOT COMPLIANT exits 1 even when the failing requirement was not selected, and the terminal says so."""
    run = run_suite("hostile-messages", *selection)
    assert run.json["overall"] == "NOT COMPLIANT"
    assert "NOT COMPLIANT" in run.stdout
    assert run.ret == 1, run.stdout[-3000:]
    line = next(line for line in run.stdout.splitlines() if line.startswith("not run as tests:"))
    assert "MEMBERS-READ" in line


def test_last_failed_still_fails_the_session(run_suite: Runner) -> None:
    """--lf after a run whose only failure was fixed elsewhere: the verdict decides, not the selection."""
    first = run_suite("hostile-messages", "-k", "not MEMBERS", out_name="out")
    assert first.ret == 1
    run = run_suite("hostile-messages", "--lf", out_name="out")
    assert run.json["overall"] == "NOT COMPLIANT" and run.ret == 1


def test_require_proof_makes_incomplete_fail(run_offline: Runner) -> None:
    """The demo is INCOMPLETE: exit 0 by default, 1 with --require-proof (a gate that wants COMPLIANT)."""
    plain = run_offline()
    assert plain.json["overall"] == "INCOMPLETE" and plain.ret == 0
    strict = run_offline("--require-proof", out_name="strict")
    assert strict.json["overall"] == "INCOMPLETE"
    assert strict.ret == 1, strict.stdout[-2000:]
    assert "--require-proof" in strict.stdout


@pytest.mark.parametrize(
    "args",
    [["--token", CANARY], [f"--token={CANARY}"], [CANARY], ["--org", CANARY]],
    ids=["option", "option-equals", "positional", "as-a-value"],
)
def test_a_token_on_the_command_line_is_refused_unseen(run_offline: Runner, args: list[str]) -> None:
    """A token typed on the command line: one sentence, exit 4, never the value, and the advice to revoke it."""
    run = run_offline(*args)
    assert run.ret == 4, run.stdout + run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1 and "revoke" in errors[0], run.stderr
    assert_no_leak(CANARY, {"stdout": run.stdout, "stderr": run.stderr})


def test_a_refused_connection_is_said_once(run_suite: Runner) -> None:
    """A refused connection: the note carries the reason; the per-test blocks point to it instead of repeating it."""
    run = run_suite("compliant", api_url="http://127.0.0.1:9")
    assert run.ret == 1
    assert run.stdout.count("Connection refused") <= 2, run.stdout
    assert "note: Could not use the GitHub API" in run.stdout


def test_an_untrusted_api_host_is_refused_before_the_token_is_sent(run_suite: Runner) -> None:
    """GITHUB_API_URL naming a host that is not GitHub's needs --trust-api-host; without it: one sentence, exit 4.

    An --api-url typed for the run is the user's own choice and is used as given (GHES keeps working).
    """
    url = "https://ghes.example.invalid/api/v3"
    run = run_suite("compliant", api_url=url, api_url_env=True)
    assert run.ret == 4, run.stdout[-2000:]
    assert "--trust-api-host" in run.stderr and "ghes.example.invalid" in run.stderr
    trusted = run_suite("compliant", "--trust-api-host", "ghes.example.invalid", api_url=url, api_url_env=True,
                        out_name="trusted")  # fmt: skip
    assert trusted.ret == 1 and "could not connect" in trusted.stdout
    typed = run_suite("compliant", api_url=url, out_name="typed")
    assert typed.ret == 1 and "could not connect" in typed.stdout

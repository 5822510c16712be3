"""Fleet mode's inputs: the org config, the token folder, its own options, the throttle and what to fix first."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from compliance.fleet.config import OrgEntry, check_token_dir, load_orgs, token_options
from compliance.fleet.options import parse_fleet
from compliance.fleet.throttle import Throttle
from compliance.model import UsageError


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "orgs.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_entries_are_validated(tmp_path: Path) -> None:
    orgs = load_orgs(_config(tmp_path, "orgs:\n  - {org: acme, token_secret: ACME, expected_owner: bot}\n"))
    assert orgs == [OrgEntry("acme", "ACME", "bot", "")]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("orgs: []\n", "non-empty list"),
        ("orgs:\n  - {org: acme, token_secret: A}\n  - {org: ACME, token_secret: B}\n", "again"),
        ("orgs:\n  - {org: acme, token_secret: A, token: x}\n", "unknown keys"),
        ("orgs:\n  - {org: -acme, token_secret: A}\n", "valid GitHub organization name"),
        ("orgs:\n  - {org: acme, token_secret: 'A B'}\n", "token_secret"),
        ("orgs:\n  - &a {org: acme, token_secret: A}\n  - *a\n", "anchors or aliases"),
        ("orgs: [\n", "not valid YAML"),
    ],
)
def test_bad_config_is_one_sentence(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(UsageError, match=needle):
        load_orgs(_config(tmp_path, text))


def test_token_folder_files_must_be_private(tmp_path: Path) -> None:
    folder = tmp_path / "tokens"
    folder.mkdir(mode=0o700)
    entry = OrgEntry("acme", "ACME_TOKEN")
    with pytest.raises(UsageError, match="has no file ACME_TOKEN"):
        token_options(entry, folder)
    token = folder / "ACME_TOKEN"
    token.write_text("x", encoding="utf-8")
    token.chmod(0o644)
    with pytest.raises(UsageError, match="chmod 600"):
        token_options(entry, folder)
    token.chmod(0o600)
    assert token_options(entry, folder) == {"token_file": str(token)}
    token.unlink()
    os.symlink(tmp_path / "elsewhere", token)
    with pytest.raises(UsageError, match="not a regular file"):
        token_options(entry, folder)
    assert token_options(entry, None) == {"token_env": "ACME_TOKEN"}


def test_token_folder_only_its_owner_may_change(tmp_path: Path) -> None:
    folder = tmp_path / "tokens"
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.raises(UsageError, match="chmod 700"):
        check_token_dir(folder)
    folder.chmod(0o700)
    check_token_dir(folder)
    with pytest.raises(UsageError, match="does not exist"):
        check_token_dir(tmp_path / "missing")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--org", "acme"], "comes from the org config"),
        (["--token-env=X"], "comes from the org config"),
        (["--max-in-flight", "101"], "GitHub's limit"),
        (["--shard", "3/2"], "I/N"),
        (["--no-such-option"], "unrecognized"),
        (["--max-wait", "-1", "--profile"], "expected one argument"),
    ],
)
def test_fleet_options_are_checked(argv: list[str], needle: str) -> None:
    with pytest.raises(UsageError, match=needle):
        parse_fleet(argv)


def test_shared_single_org_options_pass_through() -> None:
    args = parse_fleet(["--config", "c.yml", "--profile", "milestone-copilot", "--require-proof", "--shard", "2/3"])
    assert args.common == ("--profile", "milestone-copilot", "--require-proof")
    assert args.shard == (2, 3)


def test_throttle_bounds_requests_in_flight() -> None:
    throttle = Throttle(3, 0)
    together = threading.Barrier(3, timeout=30)  # three requests are in flight at once, or this fails

    def request() -> None:
        with throttle:
            together.wait()

    threads = [threading.Thread(target=request) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert throttle.peak == 3
    with pytest.raises(ValueError, match="in_flight"):
        Throttle(101, 0)


def test_throttle_keeps_the_budget_of_a_sliding_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """No more than `per_minute` requests start within any window: the next one waits for the oldest to age out."""
    from compliance.fleet import throttle as module

    monkeypatch.setattr(module, "WINDOW", 0.3)
    throttle = Throttle(5, 2)
    starts = []
    for _ in range(3):
        with throttle:
            starts.append(time.monotonic())
    assert starts[2] - starts[0] >= 0.3
    assert throttle.waited > 0


def test_waiting_for_the_gate_does_not_eat_the_request_timeout() -> None:
    """A request held back by the fleet's bound longer than --request-timeout still gets its full time on the wire."""
    from compliance.evidence import Reply
    from compliance.gather.client import GitHub
    from compliance.token import Token
    from tests.simulator import GitHubSimulator, load_scenario
    from tests.support import CANARY

    class Gate:
        """Holds each request back for longer than its timeout, as a busy fleet bound would."""

        def __enter__(self) -> None:
            time.sleep(0.5)

        def __exit__(self, *exc: object) -> None:
            return None

    with GitHubSimulator(load_scenario("compliant"), CANARY, latency=0.1) as sim:
        client = GitHub(sim.url, Token(CANARY), 0, timeout=0.3, gate=Gate())
        with client:
            result = client.get("/user")
    assert isinstance(result, Reply) and result.status == 200


def test_report_paths_become_file_names_in_each_org_folder() -> None:
    """A report option given after `fleet` names the file in each org's folder; the others keep their default."""
    from compliance.fleet.options import report_names

    args = parse_fleet(["--compliance-md", "out/summary.md", "--max-wait=5"])
    assert args.common == ("--max-wait=5",)
    assert report_names(args) == {"--compliance-json": "compliance.json", "--compliance-md": "summary.md"}


def _two_orgs(tmp_path: Path) -> Path:
    return _config(
        tmp_path, "orgs:\n  - {org: alpha-org, token_secret: TOKEN_A}\n  - {org: beta-org, token_secret: B}\n"
    )


def _step(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, Path]:
    """The files a workflow step writes its outputs and job summary to."""
    outputs, summary = tmp_path / "outputs", tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return outputs, summary


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("[" * 60_000, "JSON object of secrets"),  # nesting deeper than the parser's recursion limit
        (" " * (16 * 1024 * 1024 + 1), "larger than 16 MiB"),
        ("[1]", "JSON object of secrets"),
    ],
)
def test_secrets_json_is_hostile_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str, needle: str
) -> None:
    """toJSON(secrets) too big, too deep or not an object: one sentence, exit code 4, no check run."""
    from compliance import scheduled

    monkeypatch.setenv("FLEET_SECRETS", value)
    args = ["fleet", "--config", str(_two_orgs(tmp_path)), "--secrets-env", "FLEET_SECRETS"]
    assert scheduled.main([*args, "--reports", str(tmp_path / "r")]) == 4
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "FLEET_SECRETS" not in os.environ and not (tmp_path / "r").exists()


@pytest.mark.parametrize("argv", [["fleet", "--shard"], ["shards", "--per-shard", "many"], ["no-such-step"]])
def test_scheduled_bad_arguments_exit_4(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """A step's bad command line is one sentence and exit code 4, as every other bad input."""
    from compliance import scheduled

    assert scheduled.main(argv) == 4
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1


def test_fleet_selecting_no_org_is_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A shard beyond the orgs of the config checks nothing: that is a mistake, exit code 4, nothing written."""
    from compliance.fleet.runner import fleet_main

    argv = ["--config", str(_two_orgs(tmp_path)), "--reports", str(tmp_path / "r"), "--shard", "3/3"]
    assert fleet_main(argv, environ={}) == 4
    err = capsys.readouterr().err
    assert "selects no org" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_only_org_of_another_shard_leaves_this_shard_nothing_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`--only ORG` on a sharded run: the shards without ORG succeed, saying so, so one dispatch fails no shard."""
    from compliance import scheduled

    outputs, summary = _step(monkeypatch, tmp_path)
    argv = ["fleet", "--config", str(_two_orgs(tmp_path)), "--shard", "1/2", "--only", "BETA-org"]
    assert scheduled.main([*argv, "--reports", str(tmp_path / "r")]) == 0
    assert "exit_code=0" in outputs.read_text(encoding="utf-8")
    said = summary.read_text(encoding="utf-8")
    assert "nothing to do" in said and "shard 2/2" in said
    fleet = json.loads((tmp_path / "r" / "fleet.json").read_text(encoding="utf-8"))
    assert fleet["orgs"] == 0 and fleet["exit_code"] == 0 and "nothing to do" in fleet["note"]


def test_only_org_not_listed_is_bad_input(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`--only` naming no org of the config is a mistake in every shard."""
    from compliance import scheduled

    _step(monkeypatch, tmp_path)
    argv = ["fleet", "--config", str(_two_orgs(tmp_path)), "--shard", "1/2", "--only", "gamma-org"]
    assert scheduled.main([*argv, "--reports", str(tmp_path / "r")]) == 0
    assert "exit_code=4" in (tmp_path / "outputs").read_text(encoding="utf-8")


def test_an_org_without_its_token_is_that_orgs_problem(tmp_path: Path) -> None:
    """One org's missing token makes that org's row; the fleet-wide checks still stop everything first."""
    from compliance.fleet.runner import plan
    from tests.support import CANARY

    args = parse_fleet(["--config", str(_two_orgs(tmp_path)), "--reports", str(tmp_path / "r")])
    planned, note = plan(args, {"TOKEN_A": CANARY})
    assert note == "" and [p.entry.org for p in planned] == ["alpha-org", "beta-org"]
    assert planned[0].opts is not None and planned[0].problem == ""
    assert planned[1].opts is None and "No token found" in planned[1].problem and "export B=" in planned[1].problem
    with pytest.raises(UsageError, match="SSLKEYLOGFILE"):
        plan(args, {"TOKEN_A": CANARY, "SSLKEYLOGFILE": str(tmp_path / "keys")})
    (tmp_path / "file").write_text("", encoding="utf-8")
    blocked = parse_fleet(["--config", str(_two_orgs(tmp_path)), "--reports", str(tmp_path / "file" / "r")])
    with pytest.raises(UsageError, match="--reports"):
        plan(blocked, {"TOKEN_A": CANARY})
    shared = parse_fleet(["--config", str(_two_orgs(tmp_path)), "--max-wait", "-1"])
    with pytest.raises(UsageError, match="--max-wait"):  # a shared option is wrong for every org alike
        plan(shared, {"TOKEN_A": CANARY})


def test_the_workflows_own_token_is_never_an_orgs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """toJSON(secrets) holds github_token; a config naming GITHUB_TOKEN does not get it (no secret starts GITHUB_)."""
    from compliance import scheduled
    from tests.support import CANARY

    _step(monkeypatch, tmp_path)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("FLEET_SECRETS", json.dumps({"github_token": CANARY}))
    config = _config(tmp_path, "orgs:\n  - {org: alpha-org, token_secret: GITHUB_TOKEN}\n")
    argv = ["fleet", "--config", str(config), "--secrets-env", "FLEET_SECRETS", "--reports", str(tmp_path / "r")]
    assert scheduled.main([*argv, "--quiet"]) == 0
    assert "GITHUB_TOKEN" not in os.environ
    row = json.loads((tmp_path / "r" / "fleet.json").read_text(encoding="utf-8"))["results"][0]
    assert row["overall"] == "COULD NOT RUN" and "No token found" in row["problem"]

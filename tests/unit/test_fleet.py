"""Fleet mode's inputs: the org config, the token folder, its own options, the throttle and what to fix first."""

from __future__ import annotations

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

"""Recorded evidence: record -> replay round trips, scrubbing, the bundled demo, and bad cassettes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance.gather.cassettes import DEMO_CASSETTE
from tests.simulator.demo import record_demo
from tests.support import CANARY, ORG, Runner, SuiteRun, assert_no_leak, leak_forms

pytestmark = pytest.mark.e2e

VOLATILE = {"mode", "generated_at", "run"}  # run: who, when and how this run was made


def _comparable(run: SuiteRun) -> dict[str, Any]:
    return {k: v for k, v in run.json.items() if k not in VOLATILE}


# Every scenario's record -> replay round trip (JSON identical but for mode and time, offline) is checked by the
# leak battery (tests/batteries/test_leaks.py), which records and replays each one anyway; here: the compliant one.
def test_record_then_replay_is_identical(run_suite: Runner, run_offline: Runner) -> None:
    """Replaying a recording reproduces the recorded JSON exactly (apart from mode and generated_at), offline."""
    recorded = run_suite("compliant", "--mode", "record", "--cassette", "cassette.yaml", "--expected-owner",
                         "acme-copilot-bot")  # fmt: skip
    cassette = Path(recorded.out.parent / "cassette.yaml")
    assert cassette.is_file(), recorded.stdout[-2000:] + recorded.stderr
    replayed = run_offline("--mode", "replay", "--cassette", str(cassette), out_name="replay")
    assert replayed.ret == recorded.ret
    assert replayed.json["mode"] == "replay"
    assert recorded.json["mode"] == "record"
    assert _comparable(replayed) == _comparable(recorded)
    assert_no_leak(CANARY, {"cassette": cassette.read_text(), **recorded.texts(), **replayed.texts()})


def test_long_rate_limit_round_trip(run_suite: Runner, run_offline: Runner) -> None:
    """A rate limit an hour away ends in `error` without sleeping, and replays the same way."""
    recorded = run_suite("primary-rate-limit-long-reset", "--mode", "record", "--cassette", "c.yaml")
    assert recorded.verdicts["COPILOT-BUSINESS-READ"] == "error"
    replayed = run_offline("--cassette", str(recorded.out.parent / "c.yaml"), "--mode", "replay", out_name="r")
    assert _comparable(replayed) == _comparable(recorded)


def test_cassette_is_scrubbed(run_suite: Runner) -> None:
    """No Authorization, no cookies, no signed URLs; other people's personal data is dropped or hashed."""
    run_suite("compliant", "--mode", "record", "--cassette", "c.yaml")
    text = (Path.cwd() / "c.yaml").read_text()
    lowered = text.lower()
    assert "authorization" not in lowered
    assert "cookie" not in lowered
    assert "SIGNED-URL-SECRET" not in text
    assert "sig=" not in text
    assert "copilot-bot@acme.example" not in text
    assert "priya" not in text
    assert "Acme Copilot Bot" not in text
    assert "acme-copilot-bot" in text  # the owner's login is kept: SERVICE-ACCOUNT uses it
    for form in leak_forms(CANARY):
        assert form not in text


def test_default_cassette_path(run_suite: Runner) -> None:
    """--mode record without --cassette writes cassettes/<org>/<UTC date>.yaml; --mode replay --org finds it."""
    run_suite("compliant", "--mode", "record")
    found = list((Path.cwd() / "cassettes" / ORG).glob("*.yaml"))
    assert len(found) == 1


def test_replay_uses_no_network(run_suite: Runner, run_offline: Runner) -> None:
    """While replaying, the recorded server gets no request at all (it is still running here)."""
    recorded = run_suite("compliant", "--mode", "record", "--cassette", "c.yaml")
    assert recorded.simulator is not None
    before = len(recorded.simulator.requests)
    replayed = run_offline("--mode", "replay", "--cassette", "c.yaml", out_name="r")
    assert replayed.ret == 0
    assert replayed.json["requests"] == recorded.json["requests"]
    assert len(recorded.simulator.requests) == before


def test_demo_replays_offline_by_default(run_offline: Runner) -> None:
    """`pytest compliance/` with no options replays the bundled demo, says so, and writes the reports."""
    run = run_offline()
    assert run.ret == 0, run.stdout[-2000:]
    doc = run.json
    assert doc["mode"] == "replay"
    assert doc["demo"] is True
    assert doc["recorded_at"]
    assert "DEMO DATA - not your organization" in run.stdout
    assert (run.out / "report.html").is_file()


def test_committed_demo_matches_the_simulator(run_offline: Runner, tmp_path: Path) -> None:
    """The committed demo cassette still reflects what the simulator produces (verdicts and requests)."""
    fresh = tmp_path / "fresh.yaml"
    record_demo(fresh)
    committed = run_offline("--cassette", str(DEMO_CASSETTE), out_name="committed")
    regenerated = run_offline("--cassette", str(fresh), out_name="fresh")
    assert committed.verdicts == regenerated.verdicts
    assert committed.json["requests"] == regenerated.json["requests"]


def _tamper(source: Path, dest: Path, change: Any) -> Path:
    data = yaml.safe_load(source.read_text())
    change(data)
    dest.write_text(yaml.safe_dump(data))
    return dest


def test_bad_cassettes(run_offline: Runner, tmp_path: Path) -> None:
    """Missing, corrupt, truncated, foreign and future cassettes each get one sentence and exit code 4."""
    demo = DEMO_CASSETTE
    truncated = tmp_path / "truncated.yaml"
    truncated.write_text(demo.read_text()[:700])
    garbage = tmp_path / "garbage.yaml"
    garbage.write_text("interactions: [unbalanced\n")

    def newer(d: dict[str, Any]) -> None:
        d["metadata"]["copilot_token_compliance"]["schema"] = 99

    def drop_billing(d: dict[str, Any]) -> None:
        d["interactions"] = [i for i in d["interactions"] if not i["request"]["uri"].endswith("/copilot/billing")]

    def no_meta(d: dict[str, Any]) -> None:
        del d["metadata"]

    cases = [
        (["--cassette", str(tmp_path / "nope.yaml")], "There is no cassette"),
        (["--cassette", str(truncated)], "corrupt or truncated"),
        (["--cassette", str(garbage)], "not valid YAML"),
        (["--cassette", str(_tamper(demo, tmp_path / "n.yaml", newer))], "newer than this suite"),
        (["--cassette", str(_tamper(demo, tmp_path / "m.yaml", no_meta))], "not recorded by this suite"),
        (["--cassette", str(demo), "--mode", "replay", "--org", "other-org"], "recorded for acme-analytics"),
        (
            ["--cassette", str(_tamper(demo, tmp_path / "b.yaml", drop_billing))],
            "no recorded answer for GET /orgs/acme-analytics/copilot/billing",
        ),
    ]
    for i, (args, needle) in enumerate(cases):
        run = run_offline(*args, out_name=f"o{i}")
        assert run.ret == 4, (args, run.stdout[-1500:], run.stderr)
        errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR: ")]
        assert len(errors) == 1, (args, run.stderr)
        assert needle in errors[0], (args, run.stderr)
        assert "Traceback" not in run.stdout + run.stderr
        assert not run.out.exists()


def test_other_profile_cassette(run_offline: Runner, tmp_path: Path) -> None:
    """A cassette recorded with another profile is refused with the flag to use."""
    data = yaml.safe_load(DEMO_CASSETTE.read_text())
    data["metadata"]["copilot_token_compliance"]["profile"] = "milestone-repos-copilot"
    other = tmp_path / "other.yaml"
    other.write_text(json.dumps(data))
    run = run_offline("--cassette", str(other))
    assert run.ret == 4
    assert "pass --profile milestone-repos-copilot" in run.stderr

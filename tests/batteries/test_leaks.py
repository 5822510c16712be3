"""Leak battery: no form of any token in the terminal output or any file, whatever the scenario, mode or verbosity.

Every scenario runs in every mode at maximum verbosity, plus runs killed half-way.

Maximum verbosity means pytest's own (`-vv --showlocals --tb=long -rA --full-trace`, DEBUG log capture, live
logs, a DEBUG log file, `--debug` hook tracing) plus httpx, httpcore, vcrpy and stamina logging at DEBUG to stderr
from the very start (a plugin loaded before the suite's own). Searched forms: raw, base64, URL-encoded, basic-auth
base64 and the last 8 characters, for the token under test and the GitHub App token, in every report (the PDF
by the text a reader sees as well as its bytes, the OSCAL file, the JSON with GitHub's hashed_token).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.simulator import GitHubSimulator, load_scenario, scenario_names
from tests.simulator.expectations import profile_options
from tests.simulator.raw import RawServer
from tests.suite_command import suite_argv
from tests.support import (
    APP_CANARY,
    CANARY,
    CLASSIC_CANARY,
    HANG_GUARD_SECONDS,
    ORG,
    Runner,
    assert_no_leak,
    file_texts,
    pdf_args,
)

pytestmark = pytest.mark.battery

DEBUG_LOGGING = '''
"""Turn on DEBUG logging for the HTTP and recording libraries before the suite loads (a test-only plugin)."""
import logging
import sys

logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
for name in ("httpx", "httpcore", "hpack", "vcr", "stamina", "socksio"):
    logging.getLogger(name).setLevel(logging.DEBUG)
'''
ALL_CANARIES = (CANARY, CLASSIC_CANARY, APP_CANARY)


def _loudest(root: Path, name: str) -> list[str]:
    return [
        "-p", "debuglogging", "-vv", "--showlocals", "--tb=long", "-rA", "--full-trace",
        "--log-level=DEBUG", "--log-cli-level=DEBUG",
        f"--log-file={root / (name + '-debug.log')}", "--log-file-level=DEBUG",
        f"--debug={root / (name + '-pytestdebug.log')}",
    ]  # fmt: skip


def _everything(root: Path, *outputs: str) -> dict[str, str]:
    """Terminal output plus every file under the run's folder (reports, PDF text, cassettes, JUnit, logs, cache)."""
    return {**{f"output {i}": text for i, text in enumerate(outputs)}, **file_texts(root)}


def _assert_clean(texts: dict[str, str]) -> None:
    for token in ALL_CANARIES:
        assert_no_leak(token, texts)


@pytest.mark.parametrize("scenario", scenario_names())
def test_no_leak_in_any_mode(run_suite: Runner, pytester: pytest.Pytester, scenario: str) -> None:
    """Live, record (with the App token too) and replay, each at maximum verbosity: no token anywhere."""
    pytester.makepyfile(debuglogging=DEBUG_LOGGING)
    root = pytester.path
    cassette = root / "recorded.yaml"
    profile = profile_options(scenario)  # a vendor profile's scenario runs with that profile (its App reads too)
    live = run_suite(scenario, *profile, *_loudest(root, "live"), out_name="live")
    loud = [*profile, *_loudest(root, "record")]
    pdf = pdf_args(root / "record" / "compliance.pdf")  # once per scenario: a PDF takes a second
    recorded = run_suite(
        scenario, "--mode", "record", "--cassette", str(cassette), *loud, *pdf, out_name="record", app=True
    )
    assert cassette.is_file(), recorded.stdout[-3000:]
    replayed = run_suite(
        scenario,
        "--mode",
        "replay",
        "--cassette",
        str(cassette),
        *profile,
        *_loudest(root, "replay"),
        out_name="replay",
    )
    for run in (live, recorded, replayed):
        assert run.ret in (0, 1), run.stdout[-3000:] + run.stderr[-3000:]
        assert len(run.verdicts) == len(live.verdicts)
    assert replayed.verdicts == recorded.verdicts
    assert replayed.ret == recorded.ret
    volatile = {"mode", "generated_at", "run"}  # the record -> replay round trip: the same JSON, offline
    assert {k: v for k, v in replayed.json.items() if k not in volatile} == {
        k: v for k, v in recorded.json.items() if k not in volatile
    }
    assert "httpx DEBUG" in live.stderr or "httpcore" in live.stderr  # the library logging really was on
    outputs = [text for run in (live, recorded, replayed) for text in (run.stdout, run.stderr)]
    _assert_clean(_everything(root, *outputs))


def _start(root: Path, sim_url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "GITHUB_TOKEN": CANARY, "APP_TOKEN": APP_CANARY}
    argv = suite_argv("--org", ORG, "--api-url", sim_url, "--app-token-env", "APP_TOKEN", *args)
    return subprocess.Popen(argv, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("mode", ["live", "record"])
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_no_leak_from_a_run_killed_half_way(tmp_path: Path, mode: str, how: signal.Signals) -> None:
    """A run interrupted while a request hangs: it ends promptly, writes nothing half-way, and leaks nothing."""
    root = tmp_path
    (root / "debuglogging.py").write_text(DEBUG_LOGGING)
    with (
        GitHubSimulator(load_scenario("compliant"), CANARY, app_token=APP_CANARY) as sim,
        RawServer(sim.url, {"/orgs/acme-analytics/copilot/billing": "silent"}) as raw,
    ):
        proc = _start(root, raw.url, "--mode", mode, "--cassette", str(root / "c.yaml"), "--request-timeout", "60",
                      *_loudest(root, "killed"), "--compliance-json", str(root / "c.json"))  # fmt: skip
        for _ in range(HANG_GUARD_SECONDS * 20):
            if any("copilot/billing" in s.target for s in raw.seen) or proc.poll() is not None:
                break
            time.sleep(0.05)
        time.sleep(0.2)  # let the other probes of the wave finish, so the run is truly half-way
        proc.send_signal(how)
        out, err = proc.communicate(timeout=HANG_GUARD_SECONDS)
    assert proc.returncode == (2 if how == signal.SIGINT else -signal.SIGTERM), out + err
    assert not (root / "c.json").exists(), "an interrupted run must not leave a report"
    assert not list(root.glob("c.yaml*")), "an interrupted recording must not leave a cassette"
    _assert_clean(_everything(root, out, err))


def test_no_leak_when_writing_the_report_fails(run_suite: Runner, pytester: pytest.Pytester) -> None:
    """The report cannot be written (a file sits where its folder should be): plain error, nothing leaks."""
    pytester.makepyfile(debuglogging=DEBUG_LOGGING)
    (pytester.path / "blocker").write_text("a file, not a folder")
    run = run_suite(
        "missing-members", "--compliance-json", str(pytester.path / "blocker" / "c.json"), *_loudest(pytester.path, "w")
    )
    assert run.ret == 4, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Traceback" not in run.stdout + run.stderr
    _assert_clean(_everything(pytester.path, run.stdout, run.stderr))


def test_no_leak_in_the_history_or_the_period_report(run_suite: Runner, pytester: pytest.Pytester) -> None:
    """--history at maximum verbosity, recorded with the App token then replayed, and the period report: no token."""
    pytester.makepyfile(debuglogging=DEBUG_LOGGING)
    root = pytester.path
    history, cassette = root / "history" / "history.jsonl", root / "recorded.yaml"
    recorded = run_suite("pending-approval", "--mode", "record", "--cassette", str(cassette), "--history", str(history),
                         *_loudest(root, "record"), out_name="record", app=True)  # fmt: skip
    replayed = run_suite("pending-approval", "--mode", "replay", "--cassette", str(cassette), "--history",
                         str(history), *_loudest(root, "replay"), out_name="replay")  # fmt: skip
    for run in (recorded, replayed):
        assert run.ret == 1 and "--history: kept as record" in run.stdout, run.stdout[-3000:] + run.stderr[-3000:]
    today = time.strftime("%Y-%m-%d", time.gmtime())
    outputs = [run.stdout + run.stderr for run in (recorded, replayed)]
    for command in (["verify", "--history", str(history)],
                    ["report", "--history", str(history), "--org", ORG, "--since", today, "--until", today,
                     "--out", str(root / "period")]):  # fmt: skip
        env = {**os.environ, "GITHUB_TOKEN": CANARY, "APP_TOKEN": APP_CANARY}
        proc = subprocess.run([sys.executable, "-m", "compliance.history", *command], cwd=root, env=env,
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        outputs.append(proc.stdout + proc.stderr)
    assert len(list((root / "period").glob("period-*.*"))) == 4
    _assert_clean(_everything(root, *outputs))


def test_canary_is_findable(tmp_path: Path) -> None:
    """The search itself works: a planted canary in a file and in output is found in every form."""
    from tests.support import leak_forms

    for form in leak_forms(CANARY):
        (tmp_path / "planted.txt").write_text(f"noise {form} noise")
        with pytest.raises(AssertionError):
            _assert_clean(_everything(tmp_path))
    with pytest.raises(AssertionError):
        _assert_clean({"stdout": sys.version + CANARY[-8:]})


def test_no_leak_in_fleet_mode(tmp_path: Path) -> None:
    """Fleet mode, HTTP libraries logging at DEBUG: no org's token or App token in any output or report.

    One org is behind an echoing proxy; the fleet runs once with tokens from the environment, once from files.
    """
    from tests.simulator.fleet import FleetSimulator

    orgs = {"alpha-org": "echoed-token", "beta-org": "compliant", "gamma-org": "missing-members"}
    (tmp_path / "sitecustomize.py").write_text(DEBUG_LOGGING, encoding="utf-8")  # DEBUG logs from the start
    folder = tmp_path / "tokens"
    folder.mkdir(mode=0o700)
    with FleetSimulator(orgs, app=True) as sim:
        entries = [{"org": o, "token_secret": f"TOKEN_{i}", "app_token_secret": f"APP_{i}"} for i, o in enumerate(orgs)]
        (tmp_path / "orgs.yml").write_text(yaml.safe_dump({"orgs": entries}), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GITHUB_API_URL")}
        env |= {f"TOKEN_{i}": sim.tokens[o] for i, o in enumerate(orgs)}
        env |= {f"APP_{i}": sim.app_tokens[o] for i, o in enumerate(orgs)}
        env["PYTHONPATH"] = str(tmp_path)
        for i, org in enumerate(orgs):
            path = folder / f"TOKEN_{i}"
            path.write_text(sim.tokens[org] + "\n", encoding="utf-8")
            path.chmod(0o600)
        runs = []
        for how, extra in (("env", []), ("files", ["--token-dir", str(folder)])):
            argv = [sys.executable, "-m", "compliance", "fleet", "--config", "orgs.yml",
                    "--reports", how, "--api-url", sim.url, *extra]  # fmt: skip
            proc = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
                                  timeout=HANG_GUARD_SECONDS)  # fmt: skip
            assert proc.returncode == 1, proc.stderr[-2000:]
            runs.append(proc)
    texts = {f"stdout {i}": p.stdout for i, p in enumerate(runs)} | {
        f"stderr {i}": p.stderr for i, p in enumerate(runs)
    }
    files = [p for how in ("env", "files") for p in (tmp_path / how).rglob("*") if p.is_file()]
    assert len(files) == 2 * (3 * 4 + 3)
    texts.update({str(p): p.read_bytes().decode("utf-8", "replace") for p in files})
    for token in (*sim.tokens.values(), *sim.app_tokens.values()):
        assert_no_leak(token, texts)

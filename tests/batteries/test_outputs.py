"""The report files: where they may be written, written as one set, with the umask, and nothing hostile rendered."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.simulator import load_scenario
from tests.suite_command import WITHOUT_DEV_PLUGINS
from tests.support import CANARY, COMPLIANCE, TESTS_LEAVE_OUT, Runner, assert_no_leak

pytestmark = pytest.mark.battery

REPORTS = ("compliance.json", "compliance.md", "report.html", "junit.xml", "oscal.json")


def _one_sentence(ret: int, stderr: str, *needles: str) -> str:
    assert ret == 4, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1, stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


@pytest.mark.parametrize("kind", ["fifo", "symlink", "socket"])
def test_report_path_that_is_not_a_regular_file_is_refused(run_offline: Runner, tmp_path: Path, kind: str) -> None:
    """A FIFO, a symlink or a socket as a report path is refused before the run, and left as it was.

    (The same check refuses /dev/null and /dev/stdout; they are not used here: a regression run as root would
    replace the machine's own.)
    """
    target = tmp_path / "special"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "symlink":
        (tmp_path / "elsewhere.json").write_text("keep", encoding="utf-8")
        target.symlink_to(tmp_path / "elsewhere.json")
    else:
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
        server.close()
    run = run_offline("--compliance-json", str(target))
    _one_sentence(run.ret, run.stderr, "--compliance-json", "not a regular file")
    if kind == "symlink":
        assert target.is_symlink() and (tmp_path / "elsewhere.json").read_text(encoding="utf-8") == "keep"
    elif kind == "fifo":
        assert target.is_fifo()
    else:
        assert target.is_socket()


def _attestations(tmp_path: Path) -> Path:
    path = tmp_path / "attest.yaml"
    path.write_text("attestations: []\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("case", ["json-over-cassette", "md-over-attestations", "json-and-md", "html-and-json",
                                  "junit-and-md"])  # fmt: skip
def test_outputs_never_overwrite_inputs_or_each_other(run_offline: Runner, tmp_path: Path, case: str) -> None:
    """Two outputs on one path, or an output over an input file, is refused in one sentence; the input is kept."""
    cassette = tmp_path / "demo.yaml"
    shutil.copy(COMPLIANCE / "demo" / "compliant.yaml", cassette)
    before = cassette.read_bytes()
    shared = str(tmp_path / "shared.out")
    args = {
        "json-over-cassette": ["--mode", "replay", "--cassette", str(cassette), "--compliance-json", str(cassette)],
        "md-over-attestations": ["--attestations", str(_attestations(tmp_path)),
                                 "--compliance-md", str(tmp_path / "attest.yaml")],
        "json-and-md": ["--compliance-json", shared, "--compliance-md", shared],
        "html-and-json": ["--html", shared, "--compliance-json", shared],
        "junit-and-md": ["--junitxml", shared, "--compliance-md", shared],
    }[case]  # fmt: skip
    run = run_offline(*args)
    _one_sentence(run.ret, run.stderr, "same file")
    assert cassette.read_bytes() == before
    assert not Path(shared).exists()


KILLER = """
import os

def pytest_html_results_summary(prefix, summary, postfix, session):
    os._exit(9)  # killed while pytest-html builds the report
"""


def test_a_killed_run_leaves_no_partial_report_set(run_offline: Runner, pytester: pytest.Pytester) -> None:
    """Killed while the HTML is being written: no JSON, Markdown, HTML or JUnit appears, and no 0-byte file."""
    pytester.makepyfile(killer=KILLER)
    run = run_offline("-p", "killer")
    assert run.ret == 9, run.stdout[-2000:]
    left = [p.name for p in run.out.iterdir()] if run.out.exists() else []
    assert not [name for name in left if name in REPORTS], left


def test_a_finished_run_writes_the_whole_set_and_no_leftovers(run_offline: Runner) -> None:
    """Every report appears, none empty, with no staging file left beside them."""
    run = run_offline()
    assert run.ret == 0, run.stdout[-2000:]
    names = sorted(p.name for p in run.out.iterdir() if p.is_file())
    assert names == sorted(REPORTS), names
    assert all((run.out / name).stat().st_size > 0 for name in REPORTS)
    assert f"{run.out / 'report.html'}" in run.stdout and ".partial" not in run.stdout


def test_reports_honour_the_umask(run_offline: Runner) -> None:
    """Under umask 077 every report is 0600, not a world-readable 0644."""
    old = os.umask(0o077)
    try:
        run = run_offline()
    finally:
        os.umask(old)
    assert run.ret == 0, run.stdout[-2000:]
    modes = {name: oct((run.out / name).stat().st_mode & 0o777) for name in REPORTS}
    assert set(modes.values()) == {"0o600"}, modes


HOSTILE = (
    "\x1b[2J\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07\x1b[31mred\x9b1m \n::add-mask::x\r\n::set-output name=a::b "
    "@octocat <img src=x onerror=alert(3)> Resource not accessible by personal access token"
)


def test_hostile_api_text_is_neutralised(run_suite: Runner) -> None:
    """Escape sequences, workflow commands, @mentions and raw HTML from GitHub's messages are defused everywhere."""
    scenario = load_scenario("hostile-messages")
    scenario["texts"] = {"not_accessible": HOSTILE}
    run = run_suite(scenario)
    assert run.ret == 1, run.stdout[-3000:]
    markdown = (run.out / "compliance.md").read_text(encoding="utf-8")
    html = (run.out / "report.html").read_text(encoding="utf-8")
    for where, text in {"stdout": run.stdout, "stderr": run.stderr, "markdown": markdown, "html": html}.items():
        assert not any(c in text for c in "\x1b\x07\x9b\r"), where
        assert not [line for line in text.splitlines() if line.lstrip().startswith("::")], where
    assert "@octocat" not in markdown and "@\u200boctocat" in markdown
    assert "<img" not in markdown and "&lt;img" in markdown
    assert "Resource not accessible" in markdown
    assert_no_leak(CANARY, run.texts())


def test_ci_variables_stay_out_of_the_html(run_offline: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest-metadata's CI variables (with credentials, with markup) never reach the HTML environment table."""
    secret = "https://user:secret@ci.example/<script>alert(1)</script>"
    for name in ("BUILD_URL", "GIT_URL", "JENKINS_URL", "CI_JOB_URL"):
        monkeypatch.setenv(name, secret)
    run = run_offline()
    assert run.ret == 0, run.stdout[-2000:]
    for where, text in run.texts().items():
        assert "secret@ci.example" not in text and "ci.example" not in text, where
    html = (run.out / "report.html").read_text(encoding="utf-8")
    assert "Python" in html and "Platform" in html


def test_runs_without_pytest_html(tmp_path: Path, pytester: pytest.Pytester) -> None:
    """`-p no:html`: no crash, no HTML, JSON and Markdown as usual, and the terminal says there is no HTML report."""
    del pytester  # marks this as a subprocess test
    argv = [sys.executable, "-m", "pytest", str(COMPLIANCE), *WITHOUT_DEV_PLUGINS, *TESTS_LEAVE_OUT,
            "-p", "no:cacheprovider", "-p", "no:html", "--compliance-json", str(tmp_path / "c.json"),
            "--compliance-md", str(tmp_path / "c.md")]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GITHUB_API_URL")}
    proc = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert (tmp_path / "c.json").is_file() and (tmp_path / "c.md").is_file()
    assert "no HTML report" in proc.stdout
    assert not list(tmp_path.rglob("*.html"))

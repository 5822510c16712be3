"""The wheel carries everything the suite reads at run time, and its command runs the check with no checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.simulator import GitHubSimulator, load_scenario
from tests.simulator.fleet import FleetSimulator
from tests.support import CANARY, ORG, assert_no_leak

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
def test_wheel_holds_every_data_file(tmp_path: Path) -> None:
    """Every non-Python file under compliance/ is in the built wheel, so an installed copy has the demo too."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "compliance"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.split()
    data = [name for name in tracked if not name.endswith(".py")]
    assert "compliance/demo/compliant.yaml" in data
    missing = [name for name in data if name not in names]
    assert not missing, f"the wheel lacks {missing}: add them to [tool.setuptools.package-data]"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding only the built wheel and its pinned dependencies (no checkout)."""
    work = tmp_path_factory.mktemp("installed")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(work / "dist")],
        check=True,
        capture_output=True,
    )
    wheel = next((work / "dist").glob("*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, capture_output=True)
    pip = [str(work / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "-c", str(REPO / "constraints.txt"), str(wheel)], check=True, capture_output=True)
    return work / "venv" / "bin"


def _in_empty_folder(tmp_path: Path, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # a folder with a pytest configuration of its own, which the command must not read
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest]\naddopts = ["--no-such-option"]\ntestpaths = ["elsewhere"]\n', encoding="utf-8"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GITHUB_API_URL", "PYTHONPATH")}
    return subprocess.run(
        list(argv), cwd=tmp_path, env={**base, **(env or {})}, capture_output=True, text=True, check=False, timeout=300
    )


@pytest.mark.e2e
def test_installed_command_replays_the_demo_and_checks_an_org(installed: Path, tmp_path: Path) -> None:
    """From the wheel alone: the demo, a simulated org live, fleet mode; no pytest11 plugin for other sessions."""
    demo = _in_empty_folder(tmp_path, str(installed / "copilot-token-compliance"))
    assert demo.returncode == 0, demo.stdout + demo.stderr
    report = json.loads((tmp_path / "reports" / "compliance.json").read_text(encoding="utf-8"))
    assert report["demo"] is True
    assert (tmp_path / "reports" / "compliance.html").is_file()
    with GitHubSimulator(load_scenario("compliant"), CANARY) as sim:
        live = _in_empty_folder(
            tmp_path, str(installed / "python"), "-m", "compliance", "--org", ORG, "--api-url", sim.url,
            "--expected-owner", "acme-copilot-bot", "--compliance-json", "live/c.json", "--compliance-md", "live/c.md",
            "--html", "live/c.html", env={"GITHUB_TOKEN": CANARY},
        )  # fmt: skip
    assert live.returncode == 0, live.stdout + live.stderr
    verdicts = {r["id"]: r["verdict"] for r in json.loads((tmp_path / "live" / "c.json").read_text())["requirements"]}
    assert verdicts["FINE-GRAINED"] == "pass" and verdicts["MEMBERS-READ"] == "pass"
    assert {m for m, _, _ in sim.requests} == {"GET"}
    with FleetSimulator({"alpha-org": "compliant", "beta-org": "missing-members"}) as fleet_sim:
        (tmp_path / "orgs.yml").write_text(
            "orgs:\n  - {org: alpha-org, token_secret: A_TOKEN}\n  - {org: beta-org, token_secret: B_TOKEN}\n"
        )
        env = {"A_TOKEN": fleet_sim.tokens["alpha-org"], "B_TOKEN": fleet_sim.tokens["beta-org"]}
        fleet = _in_empty_folder(
            tmp_path, str(installed / "copilot-token-compliance"), "fleet", "--config", "orgs.yml",
            "--reports", "fleet", "--api-url", fleet_sim.url, env=env,
        )  # fmt: skip
    assert fleet.returncode == 1, fleet.stdout + fleet.stderr
    assert json.loads((tmp_path / "fleet" / "fleet.json").read_text())["orgs"] == 2
    plugins = _in_empty_folder(
        tmp_path,
        str(installed / "python"),
        "-c",
        "import importlib.metadata as m; print([e.value for e in m.entry_points(group='pytest11')])",
    )
    assert "compliance" not in plugins.stdout
    clean = tmp_path / "clean"  # pytest's defaults: an empty pytest.ini stops the search at this folder
    clean.mkdir()
    (clean / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    pyargs = subprocess.run(
        [str(installed / "python"), "-m", "pytest", "-p", "compliance.plugin", "--pyargs", "compliance",
         "--compliance-json", "c.json", "--compliance-md", "c.md", "-p", "no:cacheprovider"],
        cwd=clean, env={k: v for k, v in os.environ.items() if k != "GITHUB_TOKEN"}, capture_output=True, text=True,
        check=False, timeout=300,
    )  # fmt: skip
    assert pyargs.returncode == 0, pyargs.stdout + pyargs.stderr
    assert json.loads((clean / "c.json").read_text())["demo"] is True
    texts = {"demo": demo.stdout + demo.stderr, "live": live.stdout + live.stderr, "fleet": fleet.stdout}
    texts.update({str(p): p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()})
    for token in (CANARY, *fleet_sim.tokens.values()):
        assert_no_leak(token, texts)

"""The installed command's pytest command line and configuration."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from compliance.cli import main
from compliance.command import CONFIG, PACKAGE_DIR, pytest_argv
from tests.support import REPO


def test_the_command_names_the_plugin_and_its_own_configuration(tmp_path: Path) -> None:
    argv = pytest_argv("--org", "acme", cwd=tmp_path)
    assert argv[0] == str(PACKAGE_DIR)
    assert argv[1:7] == ["-p", "compliance.plugin", "-c", str(CONFIG), "--rootdir", str(PACKAGE_DIR.parent)]
    assert f"cache_dir={tmp_path.resolve() / '.pytest_cache'}" in argv
    assert argv[-2:] == ["--org", "acme"]


def test_the_command_masks_secret_looking_values_as_a_checkout_does() -> None:
    """pytest-html's environment table hides the same keys from the installed command as from a checkout run."""
    own = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["pytest"]
    checkout = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]
    assert own["environment_table_redact_list"] == checkout["environment_table_redact_list"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("copilot-token-compliance ")

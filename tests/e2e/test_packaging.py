"""The wheel carries everything the suite reads at run time: profiles, catalogue, permission titles, demo cassette."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

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

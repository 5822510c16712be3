"""The framework controls (SOC 2, ISO/IEC 27001, NIST SP 800-53) each requirement's verdict is evidence for."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["CONTROLS_FILE", "Control", "Framework", "control_reason", "controls_for", "frameworks"]

CONTROLS_FILE = Path(__file__).parent / "controls.toml"


@dataclass(frozen=True)
class Framework:
    """A control framework: its key (SOC2), short label (SOC 2), full name and the source the mapping cites."""

    key: str
    short: str
    name: str
    source: str


@dataclass(frozen=True)
class Control:
    """One control of a framework (SOC 2 CC6.3): its framework, id and title."""

    framework: Framework
    id: str
    title: str

    @property
    def key(self) -> str:
        """The control's key in the data file and JUnit properties (SOC2:CC6.3)."""
        return f"{self.framework.key}:{self.id}"

    @property
    def label(self) -> str:
        """How a reader names it (SOC 2 CC6.3)."""
        return f"{self.framework.short} {self.id}"


@cache
def _data() -> dict[str, dict[str, dict[str, object]]]:
    return tomllib.loads(CONTROLS_FILE.read_text(encoding="utf-8"))


@cache
def frameworks() -> dict[str, Framework]:
    """Every framework the mapping uses, by key."""
    return {
        key: Framework(key=key, short=str(row["short"]), name=str(row["name"]), source=str(row["source"]))
        for key, row in _data()["framework"].items()
    }


@cache
def controls_for(requirement_id: str) -> tuple[Control, ...]:
    """The controls a requirement supports, in the data file's order; none for an id the mapping does not know."""
    row = _data()["requirement"].get(requirement_id)
    if row is None:
        return ()
    keys = row["controls"]
    assert isinstance(keys, list)
    found = []
    for key in keys:
        framework, _, cid = str(key).partition(":")
        title = _data()["control"][key]["title"]
        found.append(Control(framework=frameworks()[framework], id=cid, title=str(title)))
    return tuple(found)


def control_reason(requirement_id: str) -> str:
    """Why a requirement's verdict is evidence for its controls, in one line (for the generated docs)."""
    row = _data()["requirement"].get(requirement_id)
    return str(row["why"]) if row else ""

"""The framework-control mapping: every requirement maps to each framework, every key resolves, sources cited."""

from __future__ import annotations

import tomllib

from compliance.catalogue import catalogue
from compliance.controls import CONTROLS_FILE, control_reason, controls_for, frameworks


def test_every_requirement_maps_to_every_framework() -> None:
    """Each catalogue requirement names at least one control of SOC 2, ISO/IEC 27001 and NIST SP 800-53, and why."""
    for req in catalogue():
        assert {c.framework.key for c in req.controls} == set(frameworks()), req.id
        assert control_reason(req.id), req.id


def test_every_key_resolves_and_nothing_is_stale() -> None:
    """Each control a requirement names is defined; each defined control is used; no row for an unknown id."""
    data = tomllib.loads(CONTROLS_FILE.read_text(encoding="utf-8"))
    used = {key for row in data["requirement"].values() for key in row["controls"]}
    assert used == set(data["control"])
    assert set(data["requirement"]) == {r.id for r in catalogue()}
    for key in used:
        assert key.partition(":")[0] in frameworks(), key


def test_frameworks_cite_their_source() -> None:
    """Every framework names its edition and an https source."""
    for framework in frameworks().values():
        assert framework.source.startswith("https://") and framework.name and framework.short


def test_labels_read_as_auditors_write_them() -> None:
    """Labels join the framework's short name and the control id (SOC 2 CC6.3, NIST 800-53 AC-6)."""
    labels = [c.label for c in controls_for("LEAST-PRIVILEGE")]
    assert "SOC 2 CC6.3" in labels and "NIST 800-53 AC-6" in labels and "ISO 27001 A.8.2" in labels
    assert controls_for("NOT-A-REQUIREMENT") == ()

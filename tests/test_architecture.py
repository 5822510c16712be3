"""The floor plan holds: data flows one way through the wings, imports follow it, modules stay small and distinct."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "compliance"
# The floors, lowest first: a module may import from a lower floor, or from its own wing (a folder) on its floor.
# gather and checks share a floor and never import each other; only run.py imports both.
FLOORS: dict[str, int] = {
    "compliance": 0,
    "compliance.model": 0,
    "compliance.limits": 0,
    "compliance.controls": 0,
    "compliance.actions": 0,
    "compliance.probes": 1,
    "compliance.token": 1,
    "compliance.evidence": 1,
    "compliance.catalogue": 1,
    "compliance.attestations": 1,
    "compliance.options": 1,
    "compliance.profile_rules": 1,
    "compliance.inputs": 2,
    "compliance.profiles": 2,
    "compliance.redaction": 2,
    "compliance.provenance": 3,
    "compliance.gather": 3,
    "compliance.profile_list": 3,
    "compliance.checks": 3,
    "compliance.report": 4,
    "compliance.run": 5,
    "compliance.plugin": 6,
    "compliance.test_requirements": 7,
    # the publishing side stands apart: it reads finished reports and never imports the checks
    "compliance.publish": 9,
    "compliance.scheduled": 10,
    # the run history: records, chain, store and remembered facts low enough for run.py and the checks to read;
    # the period report's rendering over the report's look, and the history's commands, above everything
    "compliance.history": 2,
    "compliance.history.render": 8,
    "compliance.history.__main__": 10,
    # the command from an installed package, and fleet mode: many orgs through the single-org session
    "compliance.command": 8,
    "compliance.fleet": 9,
    "compliance.cli": 10,
    "compliance.__main__": 11,
}
HEAVY = ("httpx", "stamina", "vcr", "compliance.gather")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _room(module: str) -> str:
    """The floor-table key a module belongs to: itself, or the wing (folder) that holds it."""
    while module not in FLOORS:
        module = module.rpartition(".")[0]
    return module


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return [name for name in found if name == "compliance" or name.startswith("compliance.")]


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_imports_flow_one_way(path: Path) -> None:
    """Nothing under compliance/ imports upward, and gather and checks never import each other."""
    here = _room(_module_name(path))
    wrong = []
    for target in _imports(path):
        there = _room(target)
        same_wing = there == here and here != "compliance"
        if not same_wing and FLOORS[there] >= FLOORS[here] and there != "compliance":
            wrong.append(target)
        if here == "compliance.publish" and there not in ("compliance", "compliance.publish"):
            wrong.append(target)
    assert not wrong, f"{_module_name(path)} (floor {FLOORS[here]}) imports upward or sideways: {wrong}"


def test_checks_and_report_load_no_http_or_recording() -> None:
    """Importing every module of compliance.checks and compliance.report loads none of httpx, stamina, vcr, gather."""
    names = [_module_name(p) for p in MODULES if _room(_module_name(p)) in ("compliance.checks", "compliance.report")]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY[:3]!r} or m.startswith({HEAVY[3]!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_modules_stay_small(path: Path) -> None:
    """No module grows past about 250 lines: a larger one holds two ideas."""
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 270, f"{_module_name(path)} has {lines} lines"


def test_no_two_modules_share_a_caption() -> None:
    """Each module's docstring says what it holds, in words no other module uses."""
    captions: dict[str, str] = {}
    for path in MODULES:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc, f"{_module_name(path)} has no docstring"
        caption = doc.splitlines()[0].split(":")[0].strip().lower()
        assert caption not in captions, f"{_module_name(path)} and {captions[caption]} share the caption {caption!r}"
        captions[caption] = _module_name(path)


def test_only_run_imports_both_gather_and_checks() -> None:
    """run.py is the one place where gathering meets checking."""
    both = [
        _module_name(p)
        for p in MODULES
        if {_room(t) for t in _imports(p)} >= {"compliance.gather", "compliance.checks"}
    ]
    assert both == ["compliance.run"]

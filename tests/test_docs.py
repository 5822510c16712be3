"""The docs follow the data: generated pages match the catalogue and the options, and every relative link resolves."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = [REPO / "README.md", REPO / "CONTRIBUTING.md", REPO / "SECURITY.md", *sorted((REPO / "docs").glob("*.md"))]


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("gen_docs", REPO / "scripts" / "gen_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_pages_match_the_data() -> None:
    """docs/requirements.md and docs/options.md are what scripts/gen_docs.py makes from the data today."""
    stale = _generator().drift()  # type: ignore[attr-defined]
    assert not stale, f"regenerate with: python scripts/gen_docs.py ({', '.join(p.name for p in stale)} drifted)"


def test_every_requirement_and_option_is_documented() -> None:
    """Each registered requirement and each option appears in the generated pages."""
    from compliance.checks.registry import REGISTRY
    from compliance.options import OPTIONS

    requirements = (REPO / "docs" / "requirements.md").read_text(encoding="utf-8")
    options = (REPO / "docs" / "options.md").read_text(encoding="utf-8")
    assert all(f"`{rid}`" in requirements for rid in REGISTRY)
    assert all(f"`{o.flag}" in options for o in OPTIONS)


@pytest.mark.parametrize("page", DOCS, ids=lambda p: p.name)
def test_relative_links_resolve(page: Path) -> None:
    """No relative link in the README or docs points at a file that does not exist."""
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if "://" in target or target.startswith(("#", "mailto:")):
            continue
        if not (page.parent / target.split("#")[0]).exists():
            broken.append(target)
    assert not broken, f"{page.name} links to missing files: {broken}"


def test_profile_examples_in_the_docs_load(tmp_path: Path) -> None:
    """Every profile example in docs/profile-format.md loads as documented."""
    from compliance.checks.registry import REGISTRY
    from compliance.profiles import load_profile

    text = (REPO / "docs" / "profile-format.md").read_text(encoding="utf-8")
    examples = [block for block in re.findall(r"```toml\n(.*?)```", text, re.S) if "[profile]" in block]
    assert examples
    for i, block in enumerate(examples):
        path = tmp_path / f"example{i}.toml"
        path.write_text(block, encoding="utf-8")
        assert load_profile(str(path), REGISTRY.keys()).requirements

"""The grant record past the page bound: the evidence names the pages that were not read, never a silent gap."""

from __future__ import annotations

import pytest

from tests.simulator import load_scenario
from tests.support import Runner


@pytest.mark.e2e
def test_grants_past_the_page_bound_say_what_was_not_read(run_suite: Runner) -> None:
    """12 grant pages: pages 1-10 are read (2-10 together), 11-12 are not, and the record's verdicts say so."""
    others = [{"name": f"other token {i}", "lifetime_days": 30, "age_days": 1} for i in range(11)]
    run = run_suite(load_scenario("compliant", page_size=1, other_grants=others), app=True)
    pages = sorted(p for _, p, _ in run.requests if "/personal-access-tokens" in p)
    assert len(pages) == 10 and not any("page=11" in p or "page=12" in p for p in pages)
    evidence = {r["id"]: r for r in run.json["requirements"]}
    read_only = evidence["READ-ONLY"]
    assert read_only["verdict"] == "unverified"
    assert "pages 1-10 (10 entries) were read and pages 11-12 (up to 2 more entries) were not" in read_only["evidence"]

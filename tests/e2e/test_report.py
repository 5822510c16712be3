"""The ticket-ready report: server-rendered HTML, Markdown, JUnit properties, escaping, size, and a real browser."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compliance.report.markdown import MARKDOWN_LIMIT
from tests.simulator.expectations import compliant_verdicts
from tests.support import CANARY, Runner, SuiteRun, assert_no_leak, requirement_count

pytestmark = pytest.mark.e2e

REQUIREMENTS = requirement_count()  # the demo checks the default profile
# the demo is a recording of the compliant scenario, so it passes what that scenario's expectation passes
DEMO_PASSES = list(compliant_verdicts().values()).count("pass")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def demo(demo_run: SuiteRun) -> SuiteRun:
    """The demo replay's reports."""
    return demo_run


def test_summary_is_server_rendered(demo: SuiteRun) -> None:
    """Banner, a card per requirement and the run facts are in the HTML itself, not drawn by JavaScript."""
    html = (demo.out / "compliance.html").read_text()
    section = html[html.index('<section id="compliance-summary">') :]
    assert "INCOMPLETE" in section and "DEMO DATA" in section
    assert section.count('<article class="card v-') == REQUIREMENTS
    for label in (
        "Organization",
        "Profile",
        "API URL",
        "Mode",
        "Generated at",
        "Suite version",
        "Token kind",
        "Token owner",
        "Token expiry",
        "Token fingerprint",
        "Token hashed_token",
        "Run by",
        "Suite commit",
        "Profile hash",
        "Options",
    ):
        assert f"<th>{label}</th>" in section
    assert "Evidence appendix" in section and "x-accepted-github-permissions" in section
    assert "Framework controls" in section


def test_page_leads_with_the_answer(demo: SuiteRun) -> None:
    """Our summary opens the page; pytest-html's title, environment and table follow, folded below a divider."""
    html = (demo.out / "compliance.html").read_text()
    body = html[html.index("<body>") + len("<body>") :]
    assert body.startswith('<section id="compliance-summary">')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert html.index("</section>") < html.index('<details class="pytest-html">') < html.index('<h1 id="title">')
    assert html.index('<div id="environment-header">') > html.index('<details class="pytest-html">')
    assert str(Path(__file__).resolve().parents[2]) not in html  # no local checkout path (skip reprs)
    assert "Skipped: " not in html  # pytest's skip reason tuples are replaced by the verdict and evidence
    section = html[: html.index("</section>")]
    assert section.count("12 pass, 4 unverified") == 1  # one tally


def test_failures_come_first(run_suite: Runner) -> None:
    """A failing run's banner names what failed, and the failed requirements lead, each with its fix."""
    run = run_suite("missing-members")
    html = (run.out / "report.html").read_text()
    section = html[html.index('<section id="compliance-summary">') : html.index("</section>")]
    assert "The token is not set up as the guide asks: MEMBERS-READ failed." in section
    cards = section.split('<article class="card ')[1:]
    assert cards[0].startswith('v-fail" id="req-MEMBERS-READ"')
    assert "<b>Fix:</b>" in cards[0] and "<b>Observed:</b>" in cards[0] and "<b>Required:</b>" in cards[0]
    assert all("<b>Fix:</b>" not in c for c in cards if c.startswith('v-pass"'))


def test_report_sizes(demo: SuiteRun) -> None:
    """The self-contained HTML stays under 250 KB and the Markdown under 64 KiB."""
    assert (demo.out / "compliance.html").stat().st_size < 250_000
    md = (demo.out / "compliance.md").read_text()
    assert len(md.encode()) < MARKDOWN_LIMIT
    assert md.startswith("## Copilot token compliance: INCOMPLETE")
    assert md.count("\n| `") == REQUIREMENTS


def test_terminal_names_every_report(demo: SuiteRun) -> None:
    """The closing lines name the report files the run wrote (HTML, JSON, Markdown, JUnit)."""
    line = next(ln for ln in demo.stdout.splitlines() if ln.startswith("reports: "))
    for name in ("compliance.html", "compliance.json", "compliance.md", "junit.xml"):
        assert str(demo.out / name) in line, line


def test_junit_carries_requirement_and_verdict(demo: SuiteRun) -> None:
    """Each JUnit test case names its requirement and verdict as properties."""
    root = ET.parse(demo.out / "junit.xml").getroot()
    props = {}
    for case in root.iter("testcase"):
        values = {p.get("name"): p.get("value") for p in case.iter("property")}
        props[values["requirement"]] = values["verdict"]
    assert len(props) == REQUIREMENTS
    assert props["ACTIVE"] == "pass" and props["READ-ONLY"] == "unverified"


def test_hostile_text_is_escaped(run_suite: Runner) -> None:
    """An API error message carrying markup is shown as text in HTML and Markdown."""
    run = run_suite("hostile-messages")
    html = (run.out / "report.html").read_text()
    assert "<script>alert('pwned')" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in html
    assert run.verdicts["MEMBERS-READ"] == "fail"
    assert_no_leak(CANARY, run.texts())


def test_terminal_uses_its_width_and_shows_fixes(run_suite: Runner, run_offline: Runner) -> None:
    """A wide terminal shows more evidence; a failing row carries its fix; -q keeps the demo warning."""
    wide = run_suite("missing-members", env={"COLUMNS": "160"})
    lines = wide.stdout[wide.stdout.index("compliance verdicts") :].splitlines()
    row = next(i for i, ln in enumerate(lines) if ln.startswith("MEMBERS-READ "))
    assert 80 < len(lines[row]) <= 160
    assert lines[row + 1].startswith("    fix: ")
    quiet = run_offline("-q", out_name="quiet")
    assert "DEMO DATA - not your organization" in quiet.stdout


def test_terminal_summary_fits_80_columns(demo: SuiteRun) -> None:
    """The verdict table and overall line fit an 80-column terminal."""
    table = demo.stdout[demo.stdout.index("compliance verdicts") :].splitlines()[1:20]
    assert all(len(line) <= 80 for line in table)
    assert any(line.startswith(f"INCOMPLETE: {DEMO_PASSES} pass") for line in table)


# -- a real browser ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium for the browser tests")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def test_report_in_a_browser(browser: Any, demo: SuiteRun) -> None:
    """The banner and a row per requirement render, pytest-html's own table fills, and the console stays clean."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto((demo.out / "compliance.html").as_uri())
    assert "INCOMPLETE" in page.inner_text(".banner")
    assert page.locator("article.card").count() == REQUIREMENTS
    page.wait_for_selector("#results-table tbody.results-table-row", state="attached")
    assert page.locator("#results-table tbody.results-table-row").count() == REQUIREMENTS
    assert problems == []
    page.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_report_without_javascript(browser: Any, demo: SuiteRun, tmp_path: Path, width: int, height: int) -> None:
    """JS off, desktop and phone: the answer in the first screen, no sideways scroll, pytest-html's part folded."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto((demo.out / "compliance.html").as_uri())
    assert page.locator("article.card").count() == REQUIREMENTS
    assert "INCOMPLETE" in page.inner_text(".banner")
    answer = page.locator(".answer").bounding_box()
    assert answer is not None and answer["y"] + answer["height"] < height  # in the first screen
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not page.locator("#environment").is_visible() and not page.locator(".run-count").is_visible()
    page.screenshot(path=str(tmp_path / f"report-{width}.png"))
    context.close()


def test_hostile_text_does_not_run(browser: Any, run_suite: Runner, tmp_path: Path) -> None:
    """Markup in an API message neither runs nor opens a dialog in the browser."""
    run = run_suite("hostile-messages")
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((run.out / "report.html").as_uri())
    page.wait_for_timeout(300)
    assert dialogs == []
    assert "<script>alert('pwned')</script>" in page.inner_text("#compliance-summary")
    page.close()

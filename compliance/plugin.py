"""The pytest wiring: options registered, one assessment at start-up, one test per requirement, reports at the end."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Generator
from html import escape
from pathlib import Path
from typing import Any

import pytest

from compliance.catalogue import ProfileError
from compliance.checks.evaluate import Finding
from compliance.checks.registry import REGISTRY
from compliance.inputs import RunOptions, resolve, writable_path
from compliance.model import UsageError, Word
from compliance.options import OPTIONS
from compliance.profiles import Profile, load_profile
from compliance.redaction import Redactor
from compliance.report import terminal
from compliance.report.assessment import Assessment
from compliance.report.document import to_json, write_json, write_text
from compliance.report.html import html_summary
from compliance.report.markdown import markdown
from compliance.run import assess

__all__ = ["ASSESSMENT", "PROFILE"]

PACKAGE_DIR = Path(__file__).resolve().parent
ASSESSMENT = pytest.StashKey[Assessment]()
PROFILE = pytest.StashKey[Profile]()
OPTIONS_KEY = pytest.StashKey[RunOptions]()
REDACTOR = pytest.StashKey[Redactor]()
GENERATED = pytest.StashKey[dt.datetime]()
WORDS = pytest.StashKey[dict[str, Word]]()  # test node id -> verdict word, for the terminal's status letters
DEFAULT_HTML = "reports/compliance.html"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the contract's options, as declared once in compliance.options."""
    group = parser.getgroup("compliance", "copilot-token-compliance")
    for option in OPTIONS:
        group.addoption(option.flag, **option.parser_kwargs())


def _targets_compliance(config: pytest.Config) -> bool:
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        if path == PACKAGE_DIR or PACKAGE_DIR in path.parents or path in PACKAGE_DIR.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Validate the options and gather all evidence once, before pytest-html or JUnit write anything."""
    if config.option.help or config.option.version or not _targets_compliance(config):
        return
    html = config.pluginmanager.hasplugin("html")
    try:
        opts = resolve({o.dest: getattr(config.option, o.dest) for o in OPTIONS}, os.environ)
        # mask both tokens in every log record from here on, evidence gathering included
        redactor = Redactor(*(t for t in (opts.token, opts.app_token) if t))
        redactor.install()
        config.stash[REDACTOR] = redactor
        config.stash[PROFILE] = profile = load_profile(opts.profile, REGISTRY.keys())
        config.stash[OPTIONS_KEY] = opts
        if html:
            writable_path(getattr(config.option, "htmlpath", None) or DEFAULT_HTML, "--html")
        if config.option.collectonly:
            return
        config.stash[ASSESSMENT] = assessment = assess(opts, profile)
    except (UsageError, ProfileError) as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[WORDS] = {}
    if html:
        config.option.htmlpath = config.option.htmlpath or DEFAULT_HTML
        config.option.self_contained_html = True
        config.pluginmanager.register(HtmlHooks(assessment), "compliance-html")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Restore logging."""
    redactor = config.stash.get(REDACTOR, None)
    if redactor:
        redactor.uninstall()


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say what is being checked, where, and with which token (by fingerprint only)."""
    opts, assessment = config.stash.get(OPTIONS_KEY, None), config.stash.get(ASSESSMENT, None)
    if opts is None or assessment is None:
        return []
    token = (
        (opts.token.kind.value, opts.token.fingerprint, opts.token_source) if opts.token and opts.token_source else None
    )
    return terminal.header_lines(assessment, token)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per requirement of the profile; the test ID is the requirement ID."""
    if "requirement_id" in metafunc.fixturenames:
        profile = metafunc.config.stash.get(PROFILE, None)
        ids = [r.id for r in profile.requirements] if profile else []
        metafunc.parametrize("requirement_id", [pytest.param(rid, id=rid) for rid in ids])


@pytest.fixture
def finding(request: pytest.FixtureRequest, requirement_id: str) -> Finding:
    """The finding of the requirement under test: its verdict, evidence and fix."""
    assessment = request.config.stash.get(ASSESSMENT, None)
    if assessment is None:
        pytest.skip("no evidence was gathered in this run")
    return next(f for f in assessment.findings if f.requirement.id == requirement_id)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach requirement and verdict to each report (JUnit properties too) and scrub the token."""
    rep = yield
    assessment = item.config.stash.get(ASSESSMENT, None)
    callspec = getattr(item, "callspec", None)
    rid = callspec.params.get("requirement_id") if callspec else None
    if assessment and rid in assessment.verdicts and rep.when == "call":
        req, word = assessment.profile.requirement(rid), assessment.verdicts[rid].word
        rep.user_properties = [*rep.user_properties, ("requirement", rid), ("level", req.level.value)]
        rep.user_properties.append(("verdict", word.value))
        item.user_properties.extend([("requirement", rid), ("verdict", word.value)])
        item.config.stash[WORDS][rep.nodeid] = word
    redactor = item.config.stash.get(REDACTOR, None)
    if redactor:
        redactor.report(rep)
    return rep


def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
    """Show the six verdict words instead of pytest's outcomes."""
    word = config.stash.get(WORDS, {}).get(report.nodeid) if report.when == "call" else None
    return terminal.STATUS[word] if word is not None else None


def _generated_at(config: pytest.Config) -> dt.datetime:
    if GENERATED not in config.stash:
        config.stash[GENERATED] = dt.datetime.now(dt.UTC)
    return config.stash[GENERATED]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the JSON results and the Markdown summary (all requirements, whatever was selected)."""
    assessment, opts = session.config.stash.get(ASSESSMENT, None), session.config.stash.get(OPTIONS_KEY, None)
    if assessment is None or opts is None:
        return
    when = _generated_at(session.config)
    write_json(to_json(assessment, when), opts.compliance_json)
    write_text(markdown(assessment, when), opts.compliance_md)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """The verdict table, the overall verdict and the report paths."""
    assessment, opts = config.stash.get(ASSESSMENT, None), config.stash.get(OPTIONS_KEY, None)
    if assessment is None or opts is None:
        return
    html = [str(config.option.htmlpath)] if getattr(config.option, "htmlpath", None) else []
    terminal.summary(terminalreporter, assessment, [*html, str(opts.compliance_json), str(opts.compliance_md)])


class HtmlHooks:
    """pytest-html hooks, registered only when pytest-html is active."""

    def __init__(self, assessment: Assessment) -> None:
        self.assessment = assessment

    def pytest_html_report_title(self, report: Any) -> None:
        """Name the report after the org."""
        report.title = f"Copilot token compliance: {self.assessment.evidence.target.org}"

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        """Requirement, Level and Verdict columns in pytest-html's own table."""
        for i, name in enumerate(("Requirement", "Level", "Verdict"), 1):
            cells.insert(i, f'<th class="sortable" data-column-type="{name.lower()}">{name}</th>')

    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        """Fill the three columns from the report's properties."""
        props = dict(getattr(report, "user_properties", ()))
        for i, name in enumerate(("requirement", "level", "verdict"), 1):
            cells.insert(i, f'<td class="col-{name}">{escape(str(props.get(name, "")))}</td>')

    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
    ) -> None:
        """The server-rendered verdict banner, run facts, matrix and evidence appendix."""
        prefix.append(html_summary(self.assessment, _generated_at(session.config)))

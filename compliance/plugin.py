"""The pytest side: options, the one-time evaluation at start-up, one test per requirement, the JSON at the end."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Generator
from html import escape
from pathlib import Path
from typing import Any

import pytest

from compliance.catalogue import Profile, ProfileError, Requirement, load_profile
from compliance.options import DEFAULT_REQUEST_TIMEOUT, InputError, Mode, RunOptions, resolve, writable_path
from compliance.redaction import Redactor
from compliance.report import html_summary, markdown
from compliance.results import Assessment, overall, to_json, write_json, write_text
from compliance.run import assess
from compliance.verdicts import CHECKS, Verdict, Word

__all__ = ["ASSESSMENT", "PROFILE", "enact"]

PACKAGE_DIR = Path(__file__).resolve().parent
ASSESSMENT = pytest.StashKey[Assessment]()
PROFILE = pytest.StashKey[Profile]()
OPTIONS = pytest.StashKey[RunOptions]()
REDACTOR = pytest.StashKey[Redactor]()
GENERATED = pytest.StashKey[dt.datetime]()

_STATUS = {
    Word.PASS: ("passed", ".", ("PASS", {"green": True})),
    Word.FAIL: ("failed", "F", ("FAIL", {"red": True})),
    Word.WARN: ("warned", "W", ("WARN", {"yellow": True})),
    Word.UNVERIFIED: ("unverified", "u", ("UNVERIFIED", {"yellow": True})),
    Word.ERROR: ("error", "E", ("ERROR", {"red": True})),
    Word.NOT_APPLICABLE: ("not applicable", "n", ("N/A", {})),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the contract's options."""
    group = parser.getgroup("compliance", "copilot-token-compliance")
    group.addoption("--org", help="the organization to check")
    group.addoption(
        "--mode", choices=[m.value for m in Mode], default="auto", help="auto (default), live, record or replay"
    )
    group.addoption("--cassette", help="the cassette to record to or replay from")
    group.addoption("--token-env", default="GITHUB_TOKEN", help="environment variable holding the token")
    group.addoption("--token-file", help="read the token from this file instead (then TOKEN-STORAGE applies)")
    group.addoption("--api-url", help="REST API base (default: $GITHUB_API_URL, else https://api.github.com)")
    group.addoption("--profile", default="milestone-copilot", help="requirement profile name or .toml path")
    group.addoption("--allow-no-expiration", action="store_true", help="the org policy allows tokens without expiry")
    group.addoption("--expiry-warning-days", type=int, default=30, help="warning window for EXPIRY-HEADROOM")
    group.addoption("--expected-owner", help="the service account that should own the token")
    group.addoption("--compliance-json", default="reports/compliance.json", help="machine-readable results")
    group.addoption("--compliance-md", default="reports/compliance.md", help="Markdown summary for tickets and CI")
    group.addoption(
        "--app-token-env",
        help="environment variable holding a GitHub App installation token "
        "that reads the org's grant record (organization permissions: Personal access tokens, Personal "
        "access token requests, Members: read)",
    )
    group.addoption(
        "--attestations",
        help="YAML or TOML file of signed-off statements for requirements the evidence leaves unverified",
    )
    group.addoption(
        "--max-wait",
        type=float,
        default=60.0,
        help="total seconds the run may wait for GitHub rate limits before giving up (default 60)",
    )
    group.addoption(
        "--request-timeout",
        type=float,
        default=DEFAULT_REQUEST_TIMEOUT,
        help="seconds one answer may take to arrive in full before the request counts as failed "
        f"(default {DEFAULT_REQUEST_TIMEOUT:g})",
    )


_OPTION_NAMES = (
    "org", "mode", "cassette", "token_env", "token_file", "api_url", "profile", "allow_no_expiration",
    "expiry_warning_days", "expected_owner", "compliance_json", "compliance_md", "app_token_env", "attestations",
    "max_wait", "request_timeout",
)  # fmt: skip


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
    raw = {name: getattr(config.option, name) for name in _OPTION_NAMES}
    try:
        opts = resolve(raw, os.environ)
        # mask both tokens in every log record from here on, evidence gathering included
        redactor = Redactor(*(t for t in (opts.token, opts.app_token) if t))
        redactor.install()
        config.stash[REDACTOR] = redactor
        profile = load_profile(opts.profile, CHECKS.keys())
        config.stash[PROFILE] = profile
        config.stash[OPTIONS] = opts
        html = getattr(config.option, "htmlpath", None)
        if config.pluginmanager.hasplugin("html"):
            writable_path(html or "reports/compliance.html", "--html")
        if config.option.collectonly:
            return
        config.stash[ASSESSMENT] = assess(opts, profile)
    except (InputError, ProfileError) as exc:
        raise pytest.UsageError(str(exc)) from None
    if config.pluginmanager.hasplugin("html"):
        if config.option.htmlpath is None:
            config.option.htmlpath = "reports/compliance.html"
        config.option.self_contained_html = True
        config.pluginmanager.register(HtmlHooks(config.stash[ASSESSMENT]), "compliance-html")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Restore logging."""
    redactor = config.stash.get(REDACTOR, None)
    if redactor:
        redactor.uninstall()


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say what is being checked, where, and with which token (by fingerprint only)."""
    opts = config.stash.get(OPTIONS, None)
    assessment = config.stash.get(ASSESSMENT, None)
    if opts is None or assessment is None:
        return []
    target = assessment.evidence.target
    mode = assessment.mode.value
    if assessment.recorded_at and assessment.mode is Mode.REPLAY:
        mode += f" of a recording made {assessment.recorded_at:%Y-%m-%d %H:%M} UTC"
    lines = [f"compliance: org {target.org}, profile {assessment.profile.id}, mode {mode}, API {target.api_url}"]
    if assessment.demo:
        lines.append("DEMO DATA - not your organization: a recording of the bundled GitHub simulator")
    if opts.token and opts.token_source:
        note = " (surrounding whitespace stripped)" if opts.token_source.stripped_whitespace else ""
        lines.append(f"token: {opts.token.kind.value} {opts.token.fingerprint} from {opts.token_source.label}{note}")
    return lines


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per requirement of the profile; the test ID is the requirement ID."""
    if "requirement" in metafunc.fixturenames:
        profile = metafunc.config.stash.get(PROFILE, None)
        reqs = profile.requirements if profile else ()
        metafunc.parametrize("requirement", [pytest.param(r, id=r.id) for r in reqs])


@pytest.fixture
def verdict(request: pytest.FixtureRequest, requirement: Requirement) -> Verdict:
    """The verdict the evidence gives this requirement."""
    assessment = request.config.stash.get(ASSESSMENT, None)
    if assessment is None:
        pytest.skip("no evidence was gathered in this run")
    return assessment.verdicts[requirement.id]


def enact(requirement: Requirement, verdict: Verdict, remediation: str) -> None:
    """Turn a verdict into the test's outcome: fail and error fail, unverified and N/A skip, pass and warn pass."""
    __tracebackhide__ = True
    word = verdict.word
    if word in (Word.PASS, Word.WARN):
        return
    text = f"{word.value.upper()}: {verdict.evidence}"
    if word in (Word.UNVERIFIED, Word.NOT_APPLICABLE):
        pytest.skip(text)
    lines = [
        f"{requirement.id} ({requirement.level.value}, guide step {requirement.guide_step}): {word.value.upper()}",
        f"Observed: {verdict.evidence}",
        f"Required: {requirement.title}",
    ]
    if remediation:
        lines.append(f"Fix: {remediation}")
    pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def remediation(request: pytest.FixtureRequest, requirement: Requirement) -> str:
    """The fix text for this requirement's verdict."""
    assessment = request.config.stash.get(ASSESSMENT, None)
    return assessment.remediation(requirement) if assessment else ""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach requirement and verdict to each report (JUnit properties too) and scrub the token."""
    rep = yield
    assessment = item.config.stash.get(ASSESSMENT, None)
    callspec = getattr(item, "callspec", None)
    req = callspec.params.get("requirement") if callspec else None
    if assessment and isinstance(req, Requirement) and rep.when == "call":
        word = assessment.verdicts[req.id].word
        rep.user_properties = [
            *rep.user_properties,
            ("requirement", req.id),
            ("level", req.level.value),
            ("verdict", word.value),
        ]
        item.user_properties.extend([("requirement", req.id), ("verdict", word.value)])
    redactor = item.config.stash.get(REDACTOR, None)
    if redactor:
        redactor.report(rep)
    return rep


def _verdict_of(report: pytest.TestReport) -> Word | None:
    for key, value in getattr(report, "user_properties", ()):
        if key == "verdict":
            return Word(value)
    return None


def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
    """Show the six verdict words instead of pytest's outcomes."""
    if report.when == "call":
        word = _verdict_of(report)
        if word is not None:
            return _STATUS[word]
    return None


def _generated_at(config: pytest.Config) -> dt.datetime:
    if GENERATED not in config.stash:
        config.stash[GENERATED] = dt.datetime.now(dt.UTC)
    return config.stash[GENERATED]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the JSON results and the Markdown summary (all requirements, whatever was selected)."""
    assessment = session.config.stash.get(ASSESSMENT, None)
    opts = session.config.stash.get(OPTIONS, None)
    if assessment is None or opts is None:
        return
    when = _generated_at(session.config)
    write_json(to_json(assessment, when), opts.compliance_json)
    write_text(markdown(assessment, when), opts.compliance_md)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """A compact verdict table, the overall verdict and the report paths, readable at 80 columns."""
    assessment = config.stash.get(ASSESSMENT, None)
    opts = config.stash.get(OPTIONS, None)
    if assessment is None or opts is None:
        return
    tr = terminalreporter
    tr.write_sep("=", "compliance verdicts")
    colours = {Word.PASS: "green", Word.FAIL: "red", Word.ERROR: "red", Word.WARN: "yellow", Word.UNVERIFIED: "yellow"}
    for req in assessment.profile.requirements:
        v = assessment.verdicts[req.id]
        reason = v.evidence if len(v.evidence) <= 41 else v.evidence[:40] + "~"
        markup = {colours[v.word]: True} if v.word in colours else {}
        tr.write(f"{req.id:<22} ")
        tr.write(f"{v.word.value:<15}", **markup)
        tr.line(reason)
    result = overall(assessment)
    colour = {"COMPLIANT": "green", "NOT COMPLIANT": "red", "INCOMPLETE": "yellow"}[result.word]
    tr.line(f"{result.word}: {result.tally()}", bold=True, **{colour: True})
    if result.unproven_musts:
        tr.line("unproven musts: " + ", ".join(result.unproven_musts))
    for note in assessment.notes:
        tr.line(f"note: {note}", yellow=True)
    paths = [str(opts.compliance_json), str(opts.compliance_md)]
    if config.option.htmlpath:
        paths.insert(0, str(config.option.htmlpath))
    tr.line("reports: " + ", ".join(paths))


class HtmlHooks:
    """pytest-html hooks, registered only when pytest-html is active."""

    def __init__(self, assessment: Assessment) -> None:
        self.assessment = assessment

    def pytest_html_report_title(self, report: Any) -> None:
        """Name the report after the org."""
        report.title = f"Copilot token compliance: {self.assessment.evidence.target.org}"

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        """Requirement, Level and Verdict columns in pytest-html's own table."""
        cells.insert(1, '<th class="sortable" data-column-type="requirement">Requirement</th>')
        cells.insert(2, '<th class="sortable" data-column-type="level">Level</th>')
        cells.insert(3, '<th class="sortable" data-column-type="verdict">Verdict</th>')

    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        """Fill the three columns from the report's properties."""
        props = dict(getattr(report, "user_properties", ()))
        cells.insert(1, f'<td class="col-requirement">{escape(str(props.get("requirement", "")))}</td>')
        cells.insert(2, f'<td class="col-level">{escape(str(props.get("level", "")))}</td>')
        cells.insert(3, f'<td class="col-verdict">{escape(str(props.get("verdict", "")))}</td>')

    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
    ) -> None:
        """The server-rendered verdict banner, run facts, matrix and evidence appendix."""
        prefix.append(html_summary(self.assessment, _generated_at(session.config)))

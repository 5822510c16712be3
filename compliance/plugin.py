"""The pytest wiring: options registered, one assessment at start-up, one test per requirement, reports at the end."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Generator
from pathlib import Path

import pytest

from compliance.catalogue import ProfileError
from compliance.checks.evaluate import Finding
from compliance.checks.registry import REGISTRY
from compliance.evidence import Failure
from compliance.history.keep import keep_after_run
from compliance.inputs import RunOptions, refuse_token_arguments, resolve, separate_paths, writable_path
from compliance.model import UsageError, Word
from compliance.options import OPTIONS
from compliance.profile_list import listing
from compliance.profiles import Profile, load_profile
from compliance.redaction import Redactor
from compliance.report import terminal
from compliance.report.assessment import Assessment
from compliance.report.files import ReportSet
from compliance.report.html_hooks import HtmlHooks, keep_safe_metadata, name_final_paths
from compliance.report.junit import add_suite_properties, case_properties
from compliance.report.pdf import check_pdf_renderer
from compliance.report.writers import write_reports
from compliance.run import assess

__all__ = ["ASSESSMENT", "GATHERED", "PROFILE"]

PACKAGE_DIR = Path(__file__).resolve().parent
ASSESSMENT = pytest.StashKey[Assessment]()
PROFILE = pytest.StashKey[Profile]()
OPTIONS_KEY = pytest.StashKey[RunOptions]()
REDACTOR = pytest.StashKey[Redactor]()
GENERATED = pytest.StashKey[dt.datetime]()
WORDS = pytest.StashKey[dict[str, Word]]()  # test node id -> verdict word, for the terminal's status letters
RAN = pytest.StashKey[set[str]]()  # requirement ids that ran as tests
REPORTS = pytest.StashKey[ReportSet]()
KEPT = pytest.StashKey[str]()  # what --history did with this run, for the terminal summary
DEFAULT_HTML = "reports/compliance.html"
GATHERED = "compliance-gathered"  # a plugin holding `evidence` gathered ahead of the session (fleet mode)


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the contract's options, as declared once in compliance.options.

    This runs while pytest loads the plugin, before it parses (and in a usage error echoes) the command line:
    the one point where a token typed as an argument can be refused unseen.
    """
    config = pluginmanager.get_plugin("pytestconfig")
    if config is not None:
        try:
            refuse_token_arguments([*config.invocation_params.args, *os.environ.get("PYTEST_ADDOPTS", "").split()])
        except UsageError as exc:
            raise pytest.UsageError(str(exc)) from None
    group = parser.getgroup("compliance", "copilot-token-compliance")
    for option in OPTIONS:
        group.addoption(option.flag, **option.parser_kwargs())
    if pluginmanager.is_blocked("html"):  # a config written for pytest-html still loads without it
        parser.addini("environment_table_redact_list", "pytest-html's setting (unused without it)", type="linelist")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """--list-profiles: print the bundled profiles, each validated, and exit before anything is gathered."""
    if not getattr(config.option, "list_profiles", False):
        return None
    try:
        sys.stdout.write(listing(REGISTRY.keys()))
    except ProfileError as exc:
        raise pytest.UsageError(str(exc)) from None
    return 0


def _targets_compliance(config: pytest.Config) -> bool:
    for arg in config.args:
        if config.getoption("pyargs", False) and arg.split("::")[0].split(".")[0] == "compliance":
            return True  # `pytest -p compliance.plugin --pyargs compliance` from an installed package
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
        outputs = _outputs(config, opts, html)
        if config.option.collectonly:
            return
        gathered = getattr(config.pluginmanager.get_plugin(GATHERED), "evidence", None)  # fleet mode, else None
        config.stash[ASSESSMENT] = assessment = assess(opts, profile, gathered)
    except (UsageError, ProfileError) as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[WORDS], config.stash[RAN] = {}, set()
    # every report is written to a staging file and published as a set (compliance/report/files.py)
    config.stash[REPORTS] = reports = ReportSet()
    staged = {option: reports.stage(path) for option, path in outputs.items()}
    if html:
        config.option.htmlpath = str(staged["--html"])
        config.option.self_contained_html = True
        hooks = HtmlHooks(assessment, lambda: _generated_at(config), staged["--html"])
        config.pluginmanager.register(hooks, "compliance-html")
    if "--junitxml" in staged:
        config.option.xmlpath = str(staged["--junitxml"])


def _outputs(config: pytest.Config, opts: RunOptions, html: bool) -> dict[str, Path]:
    """Every report path, each checked and none on another's or an input file's path."""
    outputs = opts.report_paths()
    if opts.compliance_pdf:
        check_pdf_renderer()
    if html:
        outputs["--html"] = writable_path(getattr(config.option, "htmlpath", None) or DEFAULT_HTML, "--html")
    if getattr(config.option, "xmlpath", None):
        outputs["--junitxml"] = writable_path(config.option.xmlpath, "--junitxml")
    profile = Path(opts.profile) if opts.profile.endswith(".toml") else None
    token_file = Path(str(config.option.token_file)) if config.option.token_file else None
    inputs = {"--cassette": opts.cassette, "--attestations": opts.attestations, "--token-file": token_file}
    separate_paths(outputs, {**inputs, "--profile": profile, "--history": opts.history})
    return outputs


def pytest_sessionstart(session: pytest.Session) -> None:
    """Keep only Python, platform, packages and plugins in pytest-metadata's table (pytest-html shows it)."""
    keep_safe_metadata(session.config)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove any staging file a broken run left, and restore logging."""
    reports = config.stash.get(REPORTS, None)
    if reports:
        reports.discard()
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


@pytest.fixture
def unreachable(request: pytest.FixtureRequest) -> bool:
    """Whether GitHub could not be used at all (GET /user failed): then one note says why, not every test."""
    assessment = request.config.stash.get(ASSESSMENT, None)
    return assessment is not None and isinstance(assessment.evidence.get("user"), Failure)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach requirement and verdict to each report (JUnit properties too) and scrub the token."""
    rep = yield
    assessment = item.config.stash.get(ASSESSMENT, None)
    callspec = getattr(item, "callspec", None)
    rid = callspec.params.get("requirement_id") if callspec else None
    if assessment and rid in assessment.verdicts and rep.when == "call":
        found = next(f for f in assessment.findings if f.requirement.id == rid)
        word = found.verdict.word
        rep.user_properties = [*rep.user_properties, *case_properties(found)]
        item.user_properties.extend(case_properties(found))  # JUnit reads the teardown report's properties
        item.config.stash[WORDS][rep.nodeid] = word
        item.config.stash[RAN].add(rid)
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
    return config.stash.setdefault(GENERATED, dt.datetime.now(dt.UTC))


def _exit_code(assessment: Assessment, opts: RunOptions, status: int) -> int:
    """The exit code the whole assessment calls for, whatever was selected (-k, --deselect, --lf)."""
    if status not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        return status
    words = {f.verdict.word for f in assessment.findings}
    incomplete = opts.require_proof and assessment.overall.word == "INCOMPLETE"
    return pytest.ExitCode.TESTS_FAILED if words & {Word.FAIL, Word.ERROR} or incomplete else status


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None]:
    """Stage our reports (every requirement, whatever was selected), then publish the report set.

    Innermost wrapper: after `yield`, pytest-html and JUnit have written theirs; the terminal summary comes next.
    """
    config = session.config
    assessment, opts = config.stash.get(ASSESSMENT, None), config.stash.get(OPTIONS_KEY, None)
    if assessment is None or opts is None:
        return (yield)
    reports, when = config.stash[REPORTS], _generated_at(config)
    add_suite_properties(config.pluginmanager.get_plugins(), assessment)
    write_reports(assessment, when, opts, reports.staging)
    try:
        return (yield)
    finally:
        HtmlHooks.finish(config.pluginmanager.get_plugin("compliance-html"))  # pytest-html's page: ours leads it
        session.exitstatus = _exit_code(assessment, opts, session.exitstatus)
        staged = {reports.staging(final): final for final in reports.finals}
        if session.exitstatus != pytest.ExitCode.INTERRUPTED and reports.publish():
            name_final_paths(config.pluginmanager.get_plugins(), staged)  # their terminal lines name the reports
            if opts.history is not None:
                kept, config.stash[KEPT] = keep_after_run(opts.history, opts.compliance_json, os.environ)
                session.exitstatus = session.exitstatus if kept else pytest.ExitCode.USAGE_ERROR
        else:
            reports.discard()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """The verdict table, the overall verdict and the report paths."""
    assessment, opts = config.stash.get(ASSESSMENT, None), config.stash.get(OPTIONS_KEY, None)
    if assessment is None or opts is None:
        return
    html = config.pluginmanager.get_plugin("compliance-html")
    paths = [str(p) for p in config.stash[REPORTS].finals] if REPORTS in config.stash else []
    skipped = [f.requirement.id for f in assessment.findings if f.requirement.id not in config.stash[RAN]]
    terminal.summary(terminalreporter, assessment, paths, config.get_terminal_writer().fullwidth)
    html_note = html.layout_problem if isinstance(html, HtmlHooks) else terminal.NO_HTML
    kept = config.stash.get(KEPT, None)
    terminal.closing_lines(terminalreporter, assessment, skipped, opts.require_proof, html_note, kept)

"""pytest-html's side: our hooks into its report, its environment table kept safe, the reports' final names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

import pytest

from compliance.report.assessment import Assessment
from compliance.report.html import html_summary
from compliance.report.html_page import PageLayoutError, lead_with_answer, standalone_page

__all__ = ["KEPT_METADATA", "HtmlHooks", "keep_safe_metadata", "name_final_paths"]

# pytest-metadata's environment table keeps only these: the CI variables it copies (BUILD_URL, GIT_URL,
# JENKINS_URL, CI_*...) can carry credentials and markup into the HTML
KEPT_METADATA = ("Python", "Platform", "Packages", "Plugins")


def keep_safe_metadata(config: pytest.Config) -> None:
    """Drop every pytest-metadata entry but Python, platform, packages and plugins (before pytest-html reads it)."""
    try:
        from pytest_metadata.plugin import metadata_key  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - pytest-html brings pytest-metadata
        return
    metadata: dict[str, Any] = config.stash.get(metadata_key, {})
    for key in [k for k in metadata if k not in KEPT_METADATA]:
        del metadata[key]


def name_final_paths(plugins: Iterable[object], staged: Mapping[Path, Path]) -> None:
    """Once published, point pytest-html's and JUnit's report objects from their staging files to the reports."""
    for plugin in plugins:
        report_path = getattr(plugin, "_report_path", None)  # pytest-html's report
        if isinstance(report_path, Path) and report_path in staged:
            plugin._report_path = staged[report_path]  # type: ignore[attr-defined]
        logfile = getattr(plugin, "logfile", None)  # JUnit's LogXML
        if isinstance(logfile, str) and Path(logfile) in staged:
            plugin.logfile = str(staged[Path(logfile)])  # type: ignore[attr-defined]


class HtmlHooks:
    """pytest-html hooks, registered only when pytest-html is active."""

    def __init__(self, assessment: Assessment, generated_at: Callable[[], dt.datetime], page: Path) -> None:
        self.assessment = assessment
        self.generated_at = generated_at
        self.page = page  # pytest-html's staging file
        self.layout_problem: str | None = None

    @staticmethod
    def finish(hooks: object) -> None:
        """Once pytest-html has written its page, make ours lead it (when these hooks are registered)."""
        if isinstance(hooks, HtmlHooks):
            hooks.lead_with_answer()

    def lead_with_answer(self) -> None:
        """Rearrange pytest-html's written page: ours first; if its layout is unknown, our standalone page instead."""
        if not self.page.is_file() or self.page.stat().st_size == 0:
            return  # pytest-html wrote nothing: the report set is then not published
        summary = html_summary(self.assessment, self.generated_at())
        try:
            text = lead_with_answer(self.page.read_text(encoding="utf-8"), summary)
        except PageLayoutError as exc:
            self.layout_problem = f"{exc}; the HTML report holds the compliance summary only"
            text = standalone_page(self.assessment, self.generated_at())
        self.page.write_text(text, encoding="utf-8")

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

    def pytest_html_results_table_html(self, report: pytest.TestReport, data: list[str]) -> None:
        """Each row's detail is the verdict and its evidence, not pytest's skip tuple with a local path."""
        props = dict(getattr(report, "user_properties", ()))
        rid = props.get("requirement")
        if rid is None or report.when != "call":
            return
        verdict = self.assessment.verdicts.get(str(rid))
        if verdict is not None:
            data[:] = [f'<div class="log">{escape(verdict.word.value.upper())}: {escape(verdict.evidence)}</div>']

"""The suite's own report files for one run: JSON and Markdown always, OSCAL and PDF when asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from compliance.inputs import RunOptions
from compliance.report.assessment import Assessment
from compliance.report.document import to_json, write_json, write_text
from compliance.report.html_page import standalone_page
from compliance.report.markdown import markdown
from compliance.report.oscal import oscal_results
from compliance.report.pdf import write_pdf

__all__ = ["write_reports"]


def write_reports(a: Assessment, when: dt.datetime, opts: RunOptions, staging: Callable[[Path], Path]) -> None:
    """Write each report the options ask for to its staging file (the report set publishes them together)."""
    write_json(to_json(a, when), staging(opts.compliance_json))
    write_text(markdown(a, when), staging(opts.compliance_md))
    if opts.compliance_oscal:
        write_json(oscal_results(a, when), staging(opts.compliance_oscal))
    if opts.compliance_pdf:
        write_pdf(standalone_page(a, when), staging(opts.compliance_pdf))

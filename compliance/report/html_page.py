"""Whole HTML pages: the standalone report (the PDF's source) and pytest-html's page rearranged to lead with ours."""

from __future__ import annotations

import datetime as dt
from html import escape

from compliance.report.assessment import Assessment
from compliance.report.html import html_summary

__all__ = ["CSS", "PageLayoutError", "lead_with_answer", "standalone_page"]

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
DIVIDER = (
    '<hr class="compliance-divider"><details class="pytest-html"><summary>pytest\'s own test log (pytest-html): '
    "test outcomes, not verdicts — an unproven requirement is a skipped test, a warning a passed one. The verdicts "
    "are above.</summary>"
)


class PageLayoutError(ValueError):
    """pytest-html's page does not have the shape the rearrangement expects (a pytest-html release changed it)."""


def standalone_page(a: Assessment, generated_at: dt.datetime) -> str:
    """A complete, self-contained HTML document of the summary alone: what the PDF prints."""
    title = f"Copilot token compliance: {a.evidence.target.org} — {a.overall.word}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{VIEWPORT}<title>{escape(title)}</title>'
        f"<style>{CSS}{PRINT_CSS}</style></head><body>{html_summary(a, generated_at)}</body></html>"
    )


def lead_with_answer(page: str, summary: str) -> str:
    """pytest-html's page with a viewport, our summary first, and its own sections folded below a divider."""
    head, body = page.count("<head>"), page.count("<body>")
    footer = page.count("<footer>")
    if head != 1 or body != 1 or footer != 1:
        raise PageLayoutError("pytest-html's page has no single <head>, <body> and <footer>")
    page = page.replace("<head>", f"<head>{VIEWPORT}<style>{CSS}</style>", 1)
    page = page.replace("<body>", f"<body>{summary}{DIVIDER}", 1)
    return page.replace("<footer>", "</details><footer>", 1)


CSS = """
#compliance-summary{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;max-width:60em;
margin:0 auto 1em;line-height:1.4;overflow-wrap:anywhere}
#compliance-summary h1{font-size:1.35em;margin:0 0 .3em}
#compliance-summary h2{font-size:1.15em;margin:1.2em 0 .4em;border-bottom:1px solid #bbb}
#compliance-summary h3{font-size:1em;margin:0 0 .3em}
#compliance-summary p{margin:.25em 0}
#compliance-summary .banner{padding:12px 14px;border:3px solid #333}
#compliance-summary .answer{font-size:1.1em;font-weight:600}
#compliance-summary .tally{font-size:.9em}
.banner.compliant{background:#d8f5d0}.banner.not-compliant{background:#f9d0d0}.banner.incomplete{background:#fff1c2}
#compliance-summary .demo{font-weight:bold;border:2px dashed #333;padding:6px;background:#fff}
#compliance-summary .headline{border:3px solid #333;border-top:0;padding:6px 14px;background:#fafafa}
#compliance-summary .card{border:1px solid #999;border-left:8px solid #999;padding:6px 10px;margin:.5em 0;
break-inside:avoid}
#compliance-summary .card.v-fail,#compliance-summary .card.v-error{border-left-color:#a40000;background:#fff4f4}
#compliance-summary .card.v-unverified,#compliance-summary .card.v-warn{border-left-color:#b08000;background:#fffbea}
#compliance-summary .card.v-pass{border-left-color:#176b1b;padding:3px 10px;margin:.25em 0}
#compliance-summary .card.v-not_applicable{border-left-color:#777}
#compliance-summary .short{font-size:.85em;color:#333}
#compliance-summary .fix{background:#fff;border:1px dashed #a40000;padding:4px}
#compliance-summary .lead{font-weight:600}
#compliance-summary .refs,#compliance-summary .ctl{font-size:.8em;margin-top:3px;color:#333}
#compliance-summary .badge{font-weight:bold;white-space:nowrap}
#compliance-summary .v-pass .badge{color:#176b1b}
#compliance-summary .v-fail .badge,#compliance-summary .v-error .badge{color:#a40000}
#compliance-summary .v-warn .badge,#compliance-summary .v-unverified .badge{color:#7a5a00}
#compliance-summary .v-not_applicable .badge{color:#555}
#compliance-summary .wide{overflow-x:auto}
#compliance-summary .appendix{min-width:640px}
#compliance-summary table{border-collapse:collapse;margin:.5em 0;width:100%}
#compliance-summary .wide table{overflow-wrap:break-word}
#compliance-summary th,#compliance-summary td{border:1px solid #999;padding:4px 6px;vertical-align:top;
text-align:left;font-size:13px}
#compliance-summary .facts th{width:11em;background:#f2f2f2}
#compliance-summary code{font-family:ui-monospace,monospace}
#compliance-summary .matrix td span{display:inline-block;margin-right:.6em;white-space:nowrap}
body{min-width:0!important;margin:8px}details.pytest-html{overflow-x:auto;max-width:100%}
.compliance-divider{margin:2em 0 1em;border:0;border-top:3px double #333}
details.pytest-html>summary{cursor:pointer;font-family:system-ui,sans-serif;font-weight:600;padding:.5em 0}
@media (max-width:600px){#compliance-summary .facts th{width:auto}#compliance-summary .facts th,
#compliance-summary .facts td{display:block;border-top:0}}
"""

PRINT_CSS = """
@page{size:A4;margin:14mm 12mm;@bottom-right{content:"page " counter(page) " of " counter(pages);font-size:9px}}
@media print{#compliance-summary{max-width:none}#compliance-summary .wide{overflow:visible}
#compliance-summary .appendix{min-width:0}#compliance-summary a{color:#0645ad}
#compliance-summary h2,#compliance-summary .lead{break-after:avoid}}
"""

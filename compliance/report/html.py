"""The HTML summary: overall verdict, run facts, requirement matrix and evidence appendix, server-rendered."""

from __future__ import annotations

import datetime as dt
from html import escape as _escape

from compliance.evidence import Reply
from compliance.model import Word
from compliance.report.assessment import Assessment, run_facts
from compliance.report.text import one_line

__all__ = ["CSS", "SYMBOL", "html_summary"]

SYMBOL = {
    Word.PASS: "✔",
    Word.FAIL: "✘",
    Word.WARN: "▲",
    Word.UNVERIFIED: "?",
    Word.ERROR: "‼",
    Word.NOT_APPLICABLE: "○",
}
_SHOWN_HEADERS = (
    "github-authentication-token-expiration",
    "x-accepted-github-permissions",
    "x-oauth-scopes",
    "x-ratelimit-remaining",
    "retry-after",
)


def escape(text: str) -> str:
    """One line of outside text, HTML-escaped."""
    return _escape(one_line(text))


def _links(references: tuple[str, ...], link: str | None) -> str:
    refs = [f'<a href="{escape(u)}">{escape(u.split("//", 1)[-1].split("/", 1)[0])} docs</a>' for u in references]
    if link:
        refs.append(f'<a href="{escape(link)}">pre-filled token settings</a>')
    return " · ".join(refs)


def _headline(a: Assessment) -> str:
    h = a.headline
    if h is None:
        return ""
    return (
        f'<div class="headline"><p><strong>Cause ({escape(h.cause)}):</strong> {escape(h.text)}</p>'
        f"<p><strong>Fix:</strong> {escape(h.fix)}</p></div>"
    )


def _notes(a: Assessment) -> str:
    if not a.notes:
        return ""
    return '<h2>Notes</h2><ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in a.notes) + "</ul>"


def html_summary(a: Assessment, generated_at: dt.datetime) -> str:
    """Server-rendered HTML (no JavaScript needed): banner, run facts, matrix, evidence appendix; all escaped."""
    o = a.overall
    facts = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in run_facts(a, generated_at))
    rows = []
    for f in a.findings:
        req, v = f.requirement, f.verdict
        rows.append(
            f'<tr class="v-{v.word.value}"><td class="rid">{escape(req.id)}</td><td>{escape(req.title)}</td>'
            f"<td>{escape(req.level.value)}</td>"
            f'<td class="verdict"><span class="badge">{SYMBOL[v.word]} {escape(v.word.value.upper())}</span>'
            f'<div class="source">from {escape(v.source.value)}</div></td>'
            f"<td>{escape(v.evidence)}</td>"
            f'<td>{escape(f.fix)}<div class="refs">Guide step {escape(req.guide_step)} · '
            f"{_links(req.references, f.token_link if f.fix else None)}</div></td></tr>"
        )
    appendix = []
    for result in a.evidence.results.values():
        if isinstance(result, Reply):
            shown = "; ".join(f"{h}: {result.headers[h]}" for h in _SHOWN_HEADERS if h in result.headers)
            appendix.append(
                f"<tr><td>GET</td><td>{escape(result.path)}</td><td>{result.status}</td>"
                f"<td>{escape(result.message[:200])}</td><td>{escape(shown)}</td></tr>"
            )
        else:
            appendix.append(
                f"<tr><td>GET</td><td>{escape(result.path)}</td><td>-</td>"
                f"<td>{escape(result.describe())}</td><td></td></tr>"
            )
    sent = len(a.evidence.requests)
    demo = '<p class="demo">Demo data — not your organization.</p>' if a.demo else ""
    return (
        f"<style>{_CSS}</style>"
        f'<section id="compliance-summary">{demo}'
        f'<div class="banner {o.css}"><strong>{escape(o.word)}</strong> — {escape(o.tally())}'
        + (f" · unproven musts: {escape(', '.join(o.unproven_musts))}" if o.unproven_musts else "")
        + "</div>"
        + _headline(a)
        + _notes(a)
        + f'<h2>Run</h2><div class="wide"><table class="facts">{facts}</table></div>'
        '<h2>Requirements</h2><div class="wide"><table class="matrix"><thead><tr><th>ID</th><th>Requirement</th>'
        "<th>Level</th><th>Verdict</th><th>Evidence</th><th>How to fix</th></tr></thead><tbody>"
        + "".join(rows)
        + f"</tbody></table></div><h2>Evidence appendix</h2><p>{sent} HTTP requests, all GET; no header value that "
        "could hold a secret is shown.</p>"
        '<div class="wide"><table class="appendix"><thead><tr><th>Method</th><th>Path</th><th>Status</th>'
        "<th>GitHub said</th><th>Headers that mattered</th></tr></thead><tbody>"
        + "".join(appendix)
        + "</tbody></table></div></section>"
    )


_CSS = """
#compliance-summary{font-family:system-ui,sans-serif;margin:1em 0;max-width:calc(100vw - 2em)}
#compliance-summary .banner,#compliance-summary .headline,#compliance-summary .facts{overflow-wrap:anywhere}
#compliance-summary .wide{overflow-x:auto}
#compliance-summary .matrix,#compliance-summary .appendix{min-width:760px}
#compliance-summary table{border-collapse:collapse;margin:.5em 0;width:100%}
#compliance-summary th,#compliance-summary td{border:1px solid #999;padding:4px 6px;vertical-align:top;
text-align:left;color:#111;font-size:13px}
#compliance-summary .facts th{width:12em;background:#f2f2f2}
.banner{padding:10px 14px;font-size:18px;border:3px solid #333;color:#111}
.banner.compliant{background:#d8f5d0}.banner.not-compliant{background:#f9d0d0}.banner.incomplete{background:#fff1c2}
.demo{font-weight:bold;border:2px dashed #333;padding:6px}
.headline{border:2px solid #333;border-top:0;padding:4px 14px;background:#fafafa;color:#111}
.badge{font-weight:bold;white-space:nowrap}
.v-pass .badge{color:#176b1b}.v-fail .badge,.v-error .badge{color:#a40000}
.v-warn .badge,.v-unverified .badge{color:#7a5a00}.v-not_applicable .badge{color:#555}
.rid{font-family:monospace;white-space:nowrap}.refs,.source{font-size:11px;margin-top:4px}
"""
CSS = _CSS  # the report's look, shared by the period report (compliance/history/render.py)

"""The HTML summary, answer first: verdict, cause and fix, failures, unproven musts, then passes, run, evidence."""

from __future__ import annotations

import datetime as dt
from html import escape as _escape

from compliance.checks.evaluate import Finding
from compliance.evidence import Reply
from compliance.model import Level, Word
from compliance.report.assessment import Assessment, reaching_compliant, run_facts
from compliance.report.text import one_line

__all__ = ["SYMBOL", "answer", "escape", "html_summary"]

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


def answer(a: Assessment) -> str:
    """The answer in one sentence: is the token fit, and if not, which requirements say so."""
    o = a.overall
    failed = [f.requirement.id for f in a.findings if f.verdict.word is Word.FAIL]
    errors = [f.requirement.id for f in a.findings if f.verdict.word is Word.ERROR]
    if failed:
        return f"The token is not set up as the guide asks: {', '.join(failed)} failed."
    if errors:
        return f"Could not finish the check: {', '.join(errors)} could not run; nothing failed so far."
    if o.unproven_musts:
        n = len(o.unproven_musts)
        musts = "1 must is" if n == 1 else f"{n} musts are"
        return f"Nothing failed, but {musts} not proven yet: {', '.join(o.unproven_musts)}."
    return "The token is set up as the guide asks: every must is proven."


def _link(url: str, text: str) -> str:
    return f'<a href="{_escape(url)}">{escape(text)}</a>'


def _controls(f: Finding) -> str:
    labels = [escape(c.label) for c in f.requirement.controls]
    return f'<div class="ctl">Controls: {" · ".join(labels)}</div>' if labels else ""


def _details(f: Finding) -> str:
    """A card's full body: what was observed beside what is required, the fix, and where the rule comes from."""
    req, v = f.requirement, f.verdict
    refs = [_link(u, u.split("//", 1)[-1].split("/", 1)[0] + " docs") for u in req.references]
    if f.offered_link:  # the fix just above says what the link is not
        refs.append(_link(f.offered_link, "pre-filled token settings"))
    fix = f'<p class="fix"><b>Fix:</b> {escape(f.fix)}</p>' if f.fix and v.word is not Word.PASS else ""
    where = " · ".join(
        [req.level.value, f"guide step {escape(req.guide_step)}", f"from {escape(v.source.value)}", *refs]
    )
    return (
        f"<p><b>Observed:</b> {escape(v.evidence)}</p><p><b>Required:</b> {escape(req.title)}</p>{fix}"
        f'<div class="refs">{where}</div>'
    )


def _card(f: Finding, *, full: bool) -> str:
    """One requirement as a card: its verdict and title, the full body or the evidence alone, its controls."""
    req, v = f.requirement, f.verdict
    body = _details(f) if full else f'<p class="short">{escape(v.evidence)}</p>'
    return (
        f'<article class="card v-{v.word.value}" id="req-{escape(req.id)}"><h3><span class="badge">'
        f"{SYMBOL[v.word]} {escape(v.word.value.upper())}</span> <code>{escape(req.id)}</code> "
        f"{escape(req.title)}</h3>{body}{_controls(f)}</article>"
    )


def _group(title: str, findings: list[Finding], *, full: bool, note: str = "") -> str:
    if not findings:
        return ""
    cards = "".join(_card(f, full=full) for f in findings)
    lead = f'<p class="lead">{escape(note)}</p>' if note else ""
    return f"<h2>{escape(title)} ({len(findings)})</h2>{lead}{cards}"


def _findings(a: Assessment) -> str:
    """Failures and errors first, then unproven musts, warnings and other unproven shoulds, passes, N/A last."""
    by: dict[Word, list[Finding]] = {w: [f for f in a.findings if f.verdict.word is w] for w in Word}
    musts = [f for f in by[Word.UNVERIFIED] if f.requirement.level is Level.MUST]
    shoulds = [f for f in by[Word.UNVERIFIED] if f.requirement.level is not Level.MUST]
    reach = reaching_compliant(a)
    return (
        _group("Failed", by[Word.FAIL], full=True)
        + _group("Could not run", by[Word.ERROR], full=True)
        + _group("Not proven (must)", musts, full=True, note=reach or "")
        + _group("Warnings (should)", by[Word.WARN], full=True)
        + _group("Not proven (should)", shoulds, full=True)
        + _group("Passed", by[Word.PASS], full=False)
        + _group("Not applicable", by[Word.NOT_APPLICABLE], full=False)
    )


def _facts(a: Assessment, generated_at: dt.datetime) -> str:
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in run_facts(a, generated_at))
    if a.audit_log:
        rows += (
            f"<tr><th>Audit log</th><td>{_link(a.audit_log, 'search the org audit log for this token')} "
            "(org owners; GitHub shows token data in the audit log on Enterprise Cloud and Server)</td></tr>"
        )
    return f'<h2>Token and run</h2><table class="facts">{rows}</table>'


def _control_matrix(a: Assessment) -> str:
    """Each framework control, the requirements that are evidence for it, and their verdicts."""
    seen: dict[str, tuple[str, str, list[Finding]]] = {}
    for f in a.findings:
        for c in f.requirement.controls:
            seen.setdefault(c.key, (c.label, c.title, []))[2].append(f)
    rows = "".join(
        f"<tr><td><b>{escape(label)}</b><div class='refs'>{escape(title)}</div></td><td>"
        + " ".join(
            f'<span class="v-{f.verdict.word.value}"><span class="badge">{SYMBOL[f.verdict.word]}</span> '
            f"{escape(f.requirement.id)}</span>"
            for f in fs
        )
        + "</td></tr>"
        for label, title, fs in seen.values()
    )
    return (
        "<h2>Framework controls</h2><p>Each control with the requirements whose verdicts are evidence for it "
        "(evidence toward the control, not proof the whole control is met).</p>"
        f'<div class="wide"><table class="matrix"><thead><tr><th>Control</th><th>Requirements</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def _appendix(a: Assessment) -> str:
    rows = []
    for result in a.evidence.results.values():
        if isinstance(result, Reply):
            shown = "; ".join(f"{h}: {result.headers[h]}" for h in _SHOWN_HEADERS if h in result.headers)
            said, status = result.message[:200], str(result.status)
        else:
            shown, said, status = "", result.describe(), "-"
        rows.append(
            f"<tr><td>GET</td><td>{escape(result.path)}</td><td>{status}</td>"
            f"<td>{escape(said)}</td><td>{escape(shown)}</td></tr>"
        )
    return (
        f"<h2>Evidence appendix</h2><p>{len(a.evidence.requests)} HTTP requests, all GET; no header value that "
        'could hold a secret is shown.</p><div class="wide"><table class="appendix"><thead><tr><th>Method</th>'
        "<th>Path</th><th>Status</th><th>GitHub said</th><th>Headers that mattered</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )


def html_summary(a: Assessment, generated_at: dt.datetime) -> str:
    """Server-rendered HTML, no JavaScript: the answer, cause and fix, findings by urgency, run, controls, evidence."""
    o = a.overall
    h = a.headline
    demo = (
        '<p class="demo">DEMO DATA: a recording of the bundled simulator, not your organization.</p>' if a.demo else ""
    )
    headline = (
        ""
        if h is None
        else f'<div class="headline"><p><b>Cause ({escape(h.cause)}):</b> {escape(h.text)}</p>'
        f"<p><b>Fix:</b> {escape(h.fix)}</p></div>"
    )
    notes = "".join(f"<li>{escape(n)}</li>" for n in a.notes)
    return (
        f'<section id="compliance-summary">{demo}<div class="banner {o.css}">'
        f"<h1>Copilot token compliance: {escape(a.evidence.target.org)} — {escape(o.word)}</h1>"
        f'<p class="answer">{escape(answer(a))}</p><p class="tally">{escape(o.tally())} · profile '
        f"{escape(a.profile.id)} · {generated_at:%Y-%m-%d %H:%M} UTC</p></div>"
        + headline
        + (f'<h2>Notes</h2><ul class="notes">{notes}</ul>' if notes else "")
        + _findings(a)
        + _facts(a, generated_at)
        + _control_matrix(a)
        + _appendix(a)
        + "</section>"
    )

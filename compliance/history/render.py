"""The period report rendered for people: Markdown for tickets, HTML in the run report's look, and PDF from the HTML."""

from __future__ import annotations

from html import escape as _escape
from typing import Any

from compliance.report.html_page import CSS
from compliance.report.text import md_text, one_line

__all__ = ["period_html", "period_markdown", "verdict_line"]

_STATUS_CSS = {
    "compliant": "v-pass",
    "not compliant": "v-fail",
    "incomplete": "v-warn",
    "missed": "v-fail",
    "open": "v-not_applicable",
}


# On paper (the PDF): landscape A4, so the wide tables fit the page without their on-screen scroll box
_PRINT = "@page{size:A4 landscape;margin:12mm}@media print{#compliance-summary .wide{overflow:visible}}"


def _e(text: object) -> str:
    return _escape(one_line(str(text)))


def verdict_line(f: dict[str, Any]) -> str:
    """The period in one sentence: weeks compliant of weeks expected, missed runs, the chain."""
    chain = "the history verifies" if f["chain"]["verified"] else "THE HISTORY DOES NOT VERIFY"
    return (
        f"{f['org']}: {f['weeks_compliant']} of {f['runs_expected']} weeks compliant, {f['weeks_missed']} missed, "
        f"{f['runs_made']} runs from {f['weeks_from']} to {f['weeks_to']}; {chain}."
    )


def _facts(f: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """Label, value and an optional link for each headline fact."""
    first, recovery, rotation = f["first_failure"], f["recovery"], f["rotation"]
    chain = f["chain"]
    rows: list[tuple[str, str, str | None]] = [
        ("Organization", f["org"], None),
        ("Period asked", f"{f['since']} to {f['until']}", None),
        ("Weeks counted", f"{f['weeks_from']} (Monday) to {f['weeks_to']} (Sunday), UTC", None),
        ("Runs made / expected", f"{f['runs_made']} / {f['runs_expected']} (weekly cadence)", None),
        ("Weeks compliant", f"{f['weeks_compliant']} of {f['runs_expected']}", None),
        ("Missed runs", ", ".join(f"week of {w}" for w in f["missed_weeks"]) or "none", None),
        ("First failure", f"{first['at']} ({first['overall']})" if first else "none", first and first["run_url"]),
        (
            "Recovery",
            recovery["at"] if recovery else ("not yet" if first else "none needed"),
            recovery and recovery["run_url"],
        ),
    ]
    if rotation is None:
        rows.append(("Rotation due", "no run in the period", None))
    elif rotation["expires_at"] is None:
        rows.append(("Rotation due", "the last token seen never expires", None))
    else:
        rows.append(
            (
                "Rotation due",
                f"{rotation['rotate_by'][:10]} ({rotation['warning_days']} days before expiry "
                f"{rotation['expires_at'][:10]}; {rotation['days_left']} days left)",
                None,
            )
        )
    verdict = "verified" if chain["verified"] else f"BROKEN: {chain['break']}"
    rows.append(("History chain", f"{verdict} ({chain['records']} records, head {chain['head'] or 'none'})", None))
    rows.append(("Generated at", f["generated_at"], None))
    return rows


def period_markdown(f: dict[str, Any]) -> str:
    """The period report as Markdown: the facts, failures and recoveries, the token timeline, every week."""
    lines = [f"## Copilot token compliance over the period: {md_text(f['org'])}", "", md_text(verdict_line(f)), ""]
    lines += ["| Fact | Value |", "|---|---|"]
    for label, value, link in _facts(f):
        lines.append(f"| {label} | {md_text(value)}{f' ([run]({md_text(link)}))' if link else ''} |")
    if f["incidents"]:
        lines += ["", "### Failures and recoveries", "", "| Failed | Failing | Recovered | Days |", "|---|---|---|---|"]
        for i in f["incidents"]:
            failed, back = i["failed"], i["recovered"]
            lines.append(
                f"| {_md_run(failed)}{' (before the period)' if i['before_period'] else ''} | "
                f"{md_text(', '.join(failed['failing']) or failed['overall'])} | "
                f"{_md_run(back) if back else 'not yet'} | {i['days'] if i['days'] is not None else '-'} |"
            )
    lines += ["", "### Tokens and expiry", "", "| Fingerprint | Owner | Seen | Expires | Created | Lifetime |"]
    lines += ["|---|---|---|---|---|---|"]
    for t in f["tokens"]:
        lines.append(
            f"| `{md_text(t['fingerprint'] or '-')}` | {md_text(t['owner'] or '-')} | {t['first_seen'][:10]} to "
            f"{t['last_seen'][:10]} | {(t['expires_at'] or 'never')[:10]} | {(t['created_at'] or 'not seen')[:10]} | "
            f"{t['lifetime_days'] if t['lifetime_days'] is not None else '-'} |"
        )
    lines += ["", "### Weeks", "", "| Week of | Status | Runs |", "|---|---|---|"]
    for w in f["weeks"]:
        runs = ", ".join(_md_run(r) for r in w["runs"]) or "-"
        lines.append(f"| {w['week']} | {w['status']} | {runs} |")
    return "\n".join(lines) + "\n"


def _run_text(run: dict[str, Any]) -> str:
    """A run as a phrase: when, the overall verdict, and a replay said as such."""
    replay = " (replay of a recording made then)" if run["mode"] == "replay" else ""
    return f"{run['at'][:16].replace('T', ' ')} {run['overall']}{replay}"


def _md_run(run: dict[str, Any]) -> str:
    text = _run_text(run)
    return f"[{md_text(text)}]({md_text(run['run_url'])})" if run["run_url"] else md_text(text)


def _html_run(run: dict[str, Any]) -> str:
    text = _e(_run_text(run))
    return f'<a href="{_e(run["run_url"])}">{text}</a>' if run["run_url"] else text


def _link(url: str | None) -> str:
    return f' (<a href="{_e(url)}">run</a>)' if url else ""


def period_html(f: dict[str, Any]) -> str:
    """The period report as a self-contained HTML page in the run report's look (no script; every value escaped)."""
    ok = f["chain"]["verified"] and f["weeks_compliant"] == f["runs_expected"]
    banner = "compliant" if ok else "not-compliant"
    facts = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}{_link(u)}</td></tr>" for k, v, u in _facts(f))
    incidents = "".join(
        f"<tr><td>{_html_run(i['failed'])}{' (before the period)' if i['before_period'] else ''}</td>"
        f"<td>{_e(', '.join(i['failed']['failing']) or i['failed']['overall'])}</td>"
        f"<td>{_html_run(i['recovered']) if i['recovered'] else 'not yet'}</td>"
        f"<td>{_e(i['days'] if i['days'] is not None else '-')}</td></tr>"
        for i in f["incidents"]
    )
    tokens = "".join(
        f'<tr><td class="rid">{_e(t["fingerprint"] or "-")}</td><td>{_e(t["owner"] or "-")}</td>'
        f"<td>{_e(t['first_seen'][:10])} to {_e(t['last_seen'][:10])}</td>"
        f"<td>{_e((t['expires_at'] or 'never')[:10])}</td>"
        f"<td>{_e((t['created_at'] or 'not seen')[:10])}</td>"
        f"<td>{_e(t['lifetime_days'] if t['lifetime_days'] is not None else '-')}</td></tr>"
        for t in f["tokens"]
    )
    weeks = "".join(
        f'<tr class="{_STATUS_CSS[w["status"]]}"><td>{_e(w["week"])}</td><td><span class="badge">'
        f"{_e(w['status'])}</span></td><td>{', '.join(_html_run(r) for r in w['runs']) or '-'}</td></tr>"
        for w in f["weeks"]
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1">'
        f"<title>Copilot token compliance over the period: {_e(f['org'])}</title>"
        f"<style>{CSS}{_PRINT}</style></head><body>"
        f'<section id="compliance-summary"><h1>Copilot token compliance over the period: {_e(f["org"])}</h1>'
        f'<div class="banner {banner}"><strong>{_e(verdict_line(f))}</strong></div>'
        f'<h2>Period</h2><div class="wide"><table class="facts">{facts}</table></div>'
        "<h2>Failures and recoveries</h2>"
        + (
            '<div class="wide"><table class="matrix"><thead><tr><th>Failed</th><th>Failing</th><th>Recovered</th>'
            f"<th>Days</th></tr></thead><tbody>{incidents}</tbody></table></div>"
            if incidents
            else "<p>None: every run in the period was compliant.</p>"
        )
        + '<h2>Tokens and expiry</h2><div class="wide"><table class="matrix"><thead><tr><th>Fingerprint</th>'
        "<th>Owner</th><th>Seen</th><th>Expires</th><th>Created</th><th>Lifetime (days)</th></tr></thead>"
        f"<tbody>{tokens}</tbody></table></div>"
        '<h2>Weeks</h2><div class="wide"><table class="matrix"><thead><tr><th>Week of</th><th>Status</th>'
        f"<th>Runs</th></tr></thead><tbody>{weeks}</tbody></table></div></section></body></html>\n"
    )

"""The Markdown summary: a compact verdict table and the fixes, under 64 KiB, for job summaries and tickets."""

from __future__ import annotations

import datetime as dt

from compliance.report.assessment import Assessment, run_facts
from compliance.report.html import SYMBOL
from compliance.report.text import md_text

__all__ = ["MARKDOWN_LIMIT", "markdown"]

MARKDOWN_LIMIT = 64 * 1024


def _md(text: str) -> str:
    return md_text(text)


def _headline(a: Assessment) -> list[str]:
    """The one cause and its fix, before the table, never cut."""
    if a.headline is None:
        return []
    return [f"**Cause ({a.headline.cause}):** {_md(a.headline.text)}", "", f"**Fix:** {_md(a.headline.fix)}", ""]


def markdown(a: Assessment, generated_at: dt.datetime) -> str:
    """A compact verdict table plus the fixes, under 64 KiB: for job summaries and ticket comments."""
    o = a.overall
    facts = {k: md_text(v).replace("`", "'") for k, v in run_facts(a, generated_at)}
    lines = [
        f"## Copilot token compliance: {o.word}",
        "",
        f"{o.tally()}. Org `{facts['Organization']}`, profile `{a.profile.id}`, mode {facts['Mode']}, "
        f"token {facts['Token kind']} owned by `{facts['Token owner']}`, expiry {facts['Token expiry']}, "
        f"fingerprint `{facts['Token fingerprint']}`.",
        "",
        *_headline(a),
        "| ID | Level | Verdict | Source | Evidence |",
        "|---|---|---|---|---|",
    ]
    for f in a.findings:
        req, v = f.requirement, f.verdict
        evidence = v.evidence if len(v.evidence) <= 300 else v.evidence[:297] + "..."
        lines.append(
            f"| `{req.id}` | {req.level.value} | {SYMBOL[v.word]} {v.word.value} | {v.source.value} | {_md(evidence)} |"
        )
    if a.notes:
        lines += ["", "### Notes", ""] + [f"- {_md(n)}" for n in a.notes]
    fixes = [f for f in a.findings if f.remediation]
    if fixes:
        lines += ["", "### How to fix", ""]
        lines += [f"- **{f.requirement.id}**: {_md(f.remediation)}" for f in fixes]
    # every line starts with our own text (a heading, `|`, `-` or `**`): none can be a workflow command
    text = "\n".join(lines) + "\n"
    if len(text.encode()) > MARKDOWN_LIMIT:
        text = text.encode()[: MARKDOWN_LIMIT - 64].decode("utf-8", "ignore") + "\n\n(truncated)\n"
    return text

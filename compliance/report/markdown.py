"""The Markdown summary: a compact verdict table and the fixes, under 64 KiB, for job summaries and tickets."""

from __future__ import annotations

import datetime as dt

from compliance.report.assessment import Assessment, reaching_compliant, run_facts
from compliance.report.html import SYMBOL, answer
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


def _reach(a: Assessment) -> list[str]:
    text = reaching_compliant(a)
    return [] if text is None else [_md(text), ""]


def _run(a: Assessment, facts: dict[str, str]) -> list[str]:
    """Who ran it, with what, and the token's audit-log identifier."""
    lines = [f"- {label}: {facts[label]}" for label in _RUN_FACTS if label in facts]
    if a.audit_log:
        lines.append(f"- Audit log: [search the org audit log for this token]({a.audit_log})")
    return lines


_RUN_FACTS = (
    "Guide",
    "Guide readings",
    "Run by",
    "Generated at",
    "Suite version",
    "Suite commit",
    "Profile hash",
    "Options",
    "API URL",
    "Token hashed_token",
)


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
        f"**{_md(answer(a))}**",
        "",
        *_headline(a),
        *_reach(a),
        "| ID | Level | Verdict | Source | Evidence | Controls |",
        "|---|---|---|---|---|---|",
    ]
    for f in a.findings:
        req, v = f.requirement, f.verdict
        evidence = v.evidence if len(v.evidence) <= 300 else v.evidence[:297] + "..."
        controls = ", ".join(c.label for c in req.controls)
        lines.append(
            f"| `{req.id}` | {req.level.value} | {SYMBOL[v.word]} {v.word.value} | {v.source.value} | {_md(evidence)} "
            f"| {controls} |"
        )
    if a.notes:
        lines += ["", "### Notes", ""] + [f"- {_md(n)}" for n in a.notes]
    fixes = [f for f in a.findings if f.remediation]
    if fixes:
        lines += ["", "### How to fix", ""]
        lines += [f"- **{f.requirement.id}**: {_md(f.remediation)}" for f in fixes]
    lines += ["", "### Run", "", *_run(a, facts)]
    # every line starts with our own text (a heading, `|`, `-` or `**`): none can be a workflow command
    text = "\n".join(lines) + "\n"
    if len(text.encode()) > MARKDOWN_LIMIT:
        text = text.encode()[: MARKDOWN_LIMIT - 64].decode("utf-8", "ignore") + "\n\n(truncated)\n"
    return text

"""Outside text made safe to show: GitHub's messages and attestation text, defused for terminal, Markdown and HTML.

Evidence quotes what an API answered and what an attestation file says. Rendered as is, an escape sequence
would drive the reader's terminal (OSC 52 writes the clipboard), a line starting with `::` would be a GitHub
Actions workflow command in a log, an `@login` would notify someone from the tracking issue, and raw HTML would
render in a job summary. Every string a report writer shows from outside passes through here; the JSON keeps
the text as is (json.dumps escapes control characters).
"""

from __future__ import annotations

import re

__all__ = ["md_text", "one_line"]

# ESC sequences as a whole (CSI, OSC up to BEL or ST, any other two-character escape), and the C1 CSI
_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a reader sees
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")


def one_line(text: str) -> str:
    """The text on one line, without control characters or escape sequences, never starting with `::`."""
    clean = _CONTROL.sub(" ", _SEQUENCE.sub("", text))
    clean = re.sub(r" {2,}", " ", clean).strip()
    return ": :" + clean[2:] if clean.startswith("::") else clean


def md_text(text: str) -> str:
    """One line for a Markdown table cell or list item: no @mention, no raw HTML, no table break."""
    clean = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return clean.replace("|", "\\|").replace("@", "@\u200b")

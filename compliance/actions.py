"""GitHub Actions' default variables, taken only in the shape Actions gives them: the run's web address."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["actions_run_url", "server_url"]

_REPO = re.compile(r"(?!\.{1,2}/)[A-Za-z0-9_.-]{1,100}/(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}")  # no . or .. part
_RUN = re.compile(r"[0-9]{1,20}")
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}")
_GITHUB = "https://github.com"


def actions_run_url(environ: Mapping[str, str]) -> str | None:
    """The GitHub Actions run's address from its default variables, when the run is one and they are well formed."""
    repo, run = environ.get("GITHUB_REPOSITORY", ""), environ.get("GITHUB_RUN_ID", "")
    if not (_REPO.fullmatch(repo) and _RUN.fullmatch(run)):
        return None
    return f"{server_url(environ.get('GITHUB_SERVER_URL', ''))}/{repo}/actions/runs/{run}"


def server_url(raw: str) -> str:
    """GitHub's web address from GITHUB_SERVER_URL rebuilt as https://host[:port]; https://github.com otherwise.

    Only https, a host name and a port are taken: credentials, a path, a query or a fragment make it not GitHub's
    address, and what a report or record keeps must not carry them.
    """
    if any(not c.isprintable() or c.isspace() for c in raw):  # urlsplit drops tabs and newlines silently
        return _GITHUB
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:  # an unclosed [, a port that is not a number or out of range
        return _GITHUB
    if parts.scheme != "https" or not parts.hostname or not _HOST.fullmatch(parts.hostname):
        return _GITHUB
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return _GITHUB
    if parts.path not in ("", "/") or parts.query or parts.fragment or "?" in raw or "#" in raw:
        return _GITHUB
    return f"https://{parts.hostname}" + (f":{port}" if port else "")

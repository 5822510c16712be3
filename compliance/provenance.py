"""Who ran the check, when, with which suite, profile and options: the run's provenance, for every report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import json
import re
import socket
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from compliance import __version__
from compliance.actions import actions_run_url
from compliance.inputs import RunOptions
from compliance.profiles import Profile

__all__ = ["Provenance", "audit_log_url", "profile_sha256", "provenance_of"]

_CHECKOUT = Path(__file__).resolve().parent.parent
_DIGITS = re.compile(r"[0-9]{1,20}")
_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,100}")
_SHA = re.compile(r"[0-9a-f]{40}")
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}")


@dataclass(frozen=True)
class Provenance:
    """The run's who, when and how: runner, suite version and commit, profile and its hash, options, API URL."""

    runner: str
    runner_url: str | None
    suite_version: str
    commit: str | None
    profile: str
    profile_sha256: str
    options: tuple[tuple[str, str], ...]
    api_url: str
    started_at: dt.datetime


def profile_sha256(profile: Profile) -> str:
    """A hash of the profile as the run applied it (catalogue text filled in), so two runs show the same rules."""
    canonical = json.dumps(dataclasses.asdict(profile), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _runner(environ: Mapping[str, str]) -> tuple[str, str | None]:
    """The GitHub Actions run (checked: the environment is outside input), else the user and host."""
    url = actions_run_url(environ) if environ.get("GITHUB_ACTIONS") == "true" else None
    if url is not None:
        attempt, actor = environ.get("GITHUB_RUN_ATTEMPT", ""), environ.get("GITHUB_ACTOR", "")
        who = f" by {actor}" if _NAME.fullmatch(actor) else ""
        if _DIGITS.fullmatch(attempt):
            url += f"/attempts/{attempt}"
        repo, run = environ["GITHUB_REPOSITORY"], environ["GITHUB_RUN_ID"]
        return f"GitHub Actions run {run} of {repo}{who}", url
    try:
        user = getpass.getuser()  # LOGNAME or USER first: outside input like the rest of the environment
    except (KeyError, OSError):  # no user name for this uid (a container)
        user = ""
    host = socket.gethostname()
    user = user if _NAME.fullmatch(user) else "unknown user"
    return f"{user} on {host if _HOST.fullmatch(host) else 'an unnamed host'}", None


@cache  # asked once per process: a fleet's orgs share it
def _commit() -> str | None:
    """The suite's git commit when it runs from a checkout (an installed package has none)."""
    if not (_CHECKOUT / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(_CHECKOUT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    sha = out.stdout.strip()
    return sha if _SHA.fullmatch(sha) else None


def _options(opts: RunOptions) -> tuple[tuple[str, str], ...]:
    """The options that shaped the verdicts, as text; secrets are named by where they came from, never shown."""
    source = opts.token_source
    shown = {
        "mode": opts.mode.value,
        "profile": opts.profile,
        "token from": source.label if source else "the cassette",
        "cassette": str(opts.cassette) if opts.cassette else "",
        "attestations": str(opts.attestations) if opts.attestations else "",
        "app token": "given" if opts.app_token else "",
        "allow-no-expiration": "yes" if opts.settings.allow_no_expiration else "no",
        "expiry-warning-days": str(opts.settings.expiry_warning_days),
        "expected-owner": opts.settings.expected_owner or "",
        "require-proof": "yes" if opts.require_proof else "no",
        "max-wait": f"{opts.max_wait:g} s",
        "request-timeout": f"{opts.request_timeout:g} s",
    }
    return tuple((k, v) for k, v in shown.items() if v)


def provenance_of(opts: RunOptions, profile: Profile, environ: Mapping[str, str], now: dt.datetime) -> Provenance:
    """The provenance of a run that starts now."""
    runner, url = _runner(environ)
    return Provenance(
        runner=runner,
        runner_url=url,
        suite_version=__version__,
        commit=_commit(),
        profile=profile.id,
        profile_sha256=profile_sha256(profile),
        options=_options(opts),
        api_url=opts.target.api_url,
        started_at=now,
    )


def audit_log_url(api_url: str, org: str, hashed_token: str) -> str | None:
    """The org audit-log search for this hashed_token on the web host that serves the API, where known."""
    parts = urlsplit(api_url)
    host = parts.hostname or ""
    if host == "api.github.com":
        web = "https://github.com"
    elif host.startswith("api.") and host.endswith(".ghe.com"):
        web = f"https://{host.removeprefix('api.')}"
    elif parts.path.rstrip("/") == "/api/v3":
        web = f"{parts.scheme}://{parts.netloc}"
    else:
        return None
    query = quote(f'hashed_token:"{hashed_token}"', safe="")
    return f"{web}/organizations/{quote(org, safe='')}/settings/audit-log?q={query}"

"""Every command-line option, declared once: its flag, default and help, for pytest's parser and the docs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compliance.model import Mode

__all__ = ["DEFAULT_REQUEST_TIMEOUT", "OPTIONS", "Option", "default"]


@dataclass(frozen=True)
class Option:
    """One command-line option: its flag, default and help, as pytest's parser and the docs both need them."""

    flag: str
    help: str
    default: Any = None
    kind: type | None = None  # int or float; None for text
    choices: tuple[str, ...] = ()
    switch: bool = False  # a flag without a value
    shown_default: str = ""  # how the docs show a default that is not a plain value
    metavar: str = ""  # how the help and docs name the value

    @property
    def dest(self) -> str:
        """The attribute name pytest gives the value."""
        return self.flag.removeprefix("--").replace("-", "_")

    def parser_kwargs(self) -> dict[str, Any]:
        """The keyword arguments for pytest's `addoption`."""
        kwargs: dict[str, Any] = {"help": self.help, "dest": self.dest}
        if self.switch:
            return {**kwargs, "action": "store_true"}
        if self.default is not None:
            kwargs["default"] = self.default
        if self.kind is not None:
            kwargs["type"] = self.kind
        if self.choices:
            kwargs["choices"] = list(self.choices)
        if self.metavar:
            kwargs["metavar"] = self.metavar
        return kwargs


OPTIONS: tuple[Option, ...] = (
    Option("--org", "the organization to check", metavar="ORG"),
    Option(
        "--mode",
        "auto: live with --org and a token, the demo replay with neither; live; record (live, and save a scrubbed "
        "cassette); replay (a cassette, no network)",
        default="auto",
        choices=tuple(m.value for m in Mode),
    ),
    Option(
        "--cassette",
        "the cassette to record to (default cassettes/<org>/<UTC date>.yaml) or replay from (default: the newest "
        "for --org, else the bundled demo)",
        metavar="PATH",
    ),
    Option("--token-env", "environment variable holding the token", default="GITHUB_TOKEN", metavar="NAME"),
    Option(
        "--token-file",
        "read the token from this file instead (then TOKEN-STORAGE applies)",
        metavar="PATH",
    ),
    Option(
        "--api-url",
        "REST API base; https://api.SUBDOMAIN.ghe.com and https://HOST/api/v3 work; http:// only for loopback",
        shown_default="$GITHUB_API_URL, else https://api.github.com",
        metavar="URL",
    ),
    Option(
        "--trust-api-host",
        "when the API URL comes from GITHUB_API_URL, send the token to this host too (comma-separated; e.g. your "
        "GitHub Enterprise Server); otherwise only api.github.com, api.SUBDOMAIN.ghe.com and loopback receive it",
        metavar="HOST",
    ),
    Option("--profile", "requirement profile name or .toml path", default="milestone-copilot", metavar="NAME|PATH"),
    Option(
        "--list-profiles", "list the bundled profiles (id, vendor, guide, what each asks for) and exit", switch=True
    ),
    Option("--allow-no-expiration", "the org policy allows tokens without expiry", switch=True),
    Option(
        "--require-proof",
        "exit 1 when the overall verdict is INCOMPLETE (a must left unverified), so a CI gate passes only on COMPLIANT",
        switch=True,
    ),
    Option("--expiry-warning-days", "warning window in days for EXPIRY-HEADROOM", default=30, kind=int, metavar="N"),
    Option("--expected-owner", "the service account (login) that should own the token", metavar="LOGIN"),
    Option(
        "--compliance-json",
        "machine-readable results",
        default="reports/compliance.json",
        metavar="PATH",
    ),
    Option(
        "--compliance-md",
        "Markdown summary for tickets and CI",
        default="reports/compliance.md",
        metavar="PATH",
    ),
    Option(
        "--compliance-pdf",
        "also write the report as PDF, for evidence packages that do not take HTML (needs the system's Pango)",
        metavar="PATH",
    ),
    Option(
        "--compliance-oscal",
        "also write NIST OSCAL Assessment Results (JSON) for GRC platforms",
        metavar="PATH",
    ),
    Option(
        "--app-token-env",
        "environment variable holding a GitHub App token (installation ghs_, or an org owner's user token ghu_) "
        "that reads the org's grant record "
        "(organization permissions: Personal access tokens, Personal access token requests, Members: read; and "
        "Custom organization roles: read for a profile whose token owner needs a custom role)",
        metavar="NAME",
    ),
    Option(
        "--attestations",
        "YAML or TOML file of signed-off statements for requirements the evidence leaves unverified",
        metavar="FILE",
    ),
    Option(
        "--max-wait",
        "total seconds the run may wait for GitHub rate limits before giving up with error",
        default=60.0,
        kind=float,
        metavar="SECONDS",
    ),
    Option(
        "--request-timeout",
        "seconds one answer (headers and body) may take to arrive in full before the attempt counts as failed",
        default=15.0,
        kind=float,
        metavar="SECONDS",
    ),
    Option(
        "--history",
        "the run history (JSON Lines, hash-chained): verified and read for remembered facts (a token's creation "
        "time) before the run, and this run's record appended after it",
        metavar="FILE",
    ),
)
_BY_DEST = {o.dest: o for o in OPTIONS}
DEFAULT_REQUEST_TIMEOUT: float = _BY_DEST["request_timeout"].default


def default(dest: str) -> Any:
    """The declared default of an option, by its attribute name."""
    return _BY_DEST[dest].default

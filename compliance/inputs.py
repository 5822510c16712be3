"""Input validation: raw option values and the environment turned into one run's validated RunOptions."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from compliance.limits import unwritable_folder
from compliance.model import Mode, Settings, Target, TokenSource, UsageError
from compliance.options import DEFAULT_REQUEST_TIMEOUT, default
from compliance.token import Token, read_app_token, read_token

__all__ = [
    "DEFAULT_API_URL",
    "MAX_WAIT_LIMIT",
    "RunOptions",
    "is_loopback",
    "parse_api_url",
    "refuse_token_arguments",
    "resolve",
    "separate_paths",
    "writable_path",
]

DEFAULT_API_URL = "https://api.github.com"
MAX_WAIT_LIMIT = 86400.0  # a day: longer than any GitHub rate-limit window
_ORG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_LOGIN = _ORG
_TOKEN_SHAPED = re.compile(r"(?:github_pat_|gh[pousr]_)[A-Za-z0-9_]{20,}")
_GHE_COM = re.compile(r"api\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.ghe\.com")


@dataclass(frozen=True)
class RunOptions:
    """Everything a run needs, validated."""

    mode: Mode
    target: Target
    token: Token | None
    token_source: TokenSource | None
    profile: str
    settings: Settings
    compliance_json: Path
    compliance_md: Path
    cassette: Path | None
    max_wait: float
    app_token: Token | None = None
    attestations: Path | None = None
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    require_proof: bool = False
    history: Path | None = None
    compliance_pdf: Path | None = None
    compliance_oscal: Path | None = None

    def report_paths(self) -> dict[str, Path]:
        """The suite's own report paths by option: JSON and Markdown, and OSCAL and PDF when asked."""
        paths = {"--compliance-json": self.compliance_json, "--compliance-md": self.compliance_md}
        extra = {"--compliance-pdf": self.compliance_pdf, "--compliance-oscal": self.compliance_oscal}
        return {**paths, **{flag: path for flag, path in extra.items() if path}}


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_api_url(raw: str, where: str = "--api-url") -> str:
    """Validate a REST API base URL (`where`: --api-url or GITHUB_API_URL); return it without a trailing slash."""
    text = raw.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise UsageError(f"{where} {raw!r} is not a valid URL; use e.g. https://api.github.com.") from None
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise UsageError(
            f"{where} {raw!r} is not an http(s) URL with a host; use https://api.github.com, "
            "https://api.SUBDOMAIN.ghe.com or https://HOST/api/v3."
        )
    if parts.username or parts.password:
        raise UsageError(f"{where} must not contain credentials; pass the token through --token-env or --token-file.")
    if parts.query or parts.fragment:
        raise UsageError(f"{where} {raw!r} has a query or fragment; give only the API base URL.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UsageError(
            f"{where} {raw!r} uses plain http:// to a non-loopback host, which would send the token "
            "unencrypted; use https://."
        )
    del port
    return text.rstrip("/")


def refuse_token_arguments(args: list[str]) -> None:
    """A token typed on the command line is refused before anything can echo it (shell history already holds it)."""
    if any(_TOKEN_SHAPED.search(arg) for arg in args):
        raise UsageError(
            "A GitHub token was typed on the command line, where shell history and process lists keep it: revoke "
            "it on GitHub now, create a new one and pass it through --token-env or --token-file."
        )


def trusted_api_host(api_url: str, trusted: object) -> None:
    """GITHUB_API_URL's host must be GitHub's own, loopback, or named with --trust-api-host before the token goes."""
    host = (urlsplit(api_url).hostname or "").lower()
    named = {h.strip().lower().rstrip(".") for h in str(trusted or "").split(",") if h.strip()}
    if host == "api.github.com" or _GHE_COM.fullmatch(host) or is_loopback(host) or host in named:
        return
    raise UsageError(
        f"GITHUB_API_URL names the host {host}, which is neither api.github.com nor an api.SUBDOMAIN.ghe.com host, "
        f"so the token will not be sent to it unless you name it: if it is your GitHub Enterprise Server, add "
        f"--trust-api-host {host} (or pass --api-url)."
    )


def writable_path(raw: object, option: str) -> Path:
    """An output path whose folder exists or can be created, checked before anything runs.

    Reports are replaced atomically (os.replace), which would swap a device, a FIFO or a symlink itself for a
    regular file: such paths are refused.
    """
    path = Path(str(raw)).expanduser()
    if path.is_dir() and not path.is_symlink():
        raise UsageError(f"{option} {raw} is a folder; give a file path such as reports/compliance.json.")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise UsageError(
            f"{option} {raw} is not a regular file (a link, device or pipe) and writing the report would replace "
            "it; give the path of a regular file."
        )
    problem = unwritable_folder(path)
    if problem:
        raise UsageError(f"{option} {raw} cannot be written: {problem}; choose another path.")
    return path


def separate_paths(outputs: Mapping[str, Path | None], inputs: Mapping[str, Path | None]) -> None:
    """No output on another output's path, nor on an input file's path (the replayed cassette, attestations...)."""
    seen: dict[Path, str] = {}
    for option, path in [*inputs.items(), *outputs.items()]:
        if path is None:
            continue
        key = Path(os.path.realpath(path.expanduser()))
        if key in seen and option in outputs:
            raise UsageError(
                f"{seen[key]} and {option} name the same file {path}; give each report its own path, apart from "
                "the input files."
            )
        seen.setdefault(key, option)


def resolve(raw: Mapping[str, object], environ: Mapping[str, str]) -> RunOptions:
    """Validate raw option values (as argparse gives them) against the contract."""
    org = raw.get("org")
    if org is not None and not (isinstance(org, str) and _ORG.fullmatch(org)):
        raise UsageError(
            f"--org {org!r} is not a valid GitHub organization name (letters, digits and single hyphens, "
            "not at the start or end, at most 39 characters)."
        )
    owner = raw.get("expected_owner")
    if owner is not None and not (isinstance(owner, str) and _LOGIN.fullmatch(owner)):
        raise UsageError(f"--expected-owner {owner!r} is not a valid GitHub login.")
    days = raw.get("expiry_warning_days", default("expiry_warning_days"))
    if not isinstance(days, int) or days < 0:
        raise UsageError(f"--expiry-warning-days must be 0 or more, not {days}.")
    max_wait = raw.get("max_wait", default("max_wait"))
    if not isinstance(max_wait, (int, float)) or not 0 <= max_wait <= MAX_WAIT_LIMIT:
        raise UsageError(f"--max-wait must be between 0 and {MAX_WAIT_LIMIT:g} seconds, not {max_wait}.")
    timeout = raw.get("request_timeout", default("request_timeout"))
    if not isinstance(timeout, (int, float)) or not 0 < timeout <= 600:
        raise UsageError(f"--request-timeout must be between 0 and 600 seconds, not {timeout}.")
    mode = Mode(str(raw.get("mode") or default("mode")))
    if raw.get("api_url"):
        api_url = parse_api_url(str(raw["api_url"]))
    elif environ.get("GITHUB_API_URL", "").strip():
        api_url = parse_api_url(environ["GITHUB_API_URL"], "GITHUB_API_URL")
    else:
        api_url = DEFAULT_API_URL
    token_file = raw.get("token_file")
    token, source = read_token(
        str(raw.get("token_env") or default("token_env")), str(token_file) if token_file else None, environ
    )
    cassette = raw.get("cassette")
    if mode is Mode.AUTO:
        if org is None:
            mode = Mode.REPLAY
        elif token is None:
            raise UsageError(
                f"--org {org} needs a token: export {raw.get('token_env') or default('token_env')}=github_pat_... "
                "(or use --token-file), or omit --org to replay the bundled demo."
            )
        else:
            mode = Mode.LIVE
    if mode in {Mode.LIVE, Mode.RECORD}:
        if org is None:
            raise UsageError(f"--mode {mode.value} needs --org ORG, the organization to check.")
        if token is None:
            raise UsageError(
                f"No token found: export {raw.get('token_env') or default('token_env')}=github_pat_... or use "
                "--token-file."
            )
    if mode in {Mode.LIVE, Mode.RECORD} and not raw.get("api_url"):
        # --api-url is the user's own choice, typed for this run; GITHUB_API_URL may come from anywhere
        trusted_api_host(api_url, raw.get("trust_api_host"))
    app_token = read_app_token(raw.get("app_token_env"), environ)
    attestations = raw.get("attestations")
    return RunOptions(
        app_token=app_token,
        attestations=Path(str(attestations)) if attestations else None,
        mode=mode,
        target=Target(org=str(org or ""), api_url=api_url),
        token=token,
        token_source=source,
        profile=str(raw.get("profile") or default("profile")),
        settings=Settings(
            allow_no_expiration=bool(raw.get("allow_no_expiration")),
            expiry_warning_days=days,
            expected_owner=owner if isinstance(owner, str) else None,
        ),
        compliance_json=writable_path(raw.get("compliance_json") or default("compliance_json"), "--compliance-json"),
        compliance_md=writable_path(raw.get("compliance_md") or default("compliance_md"), "--compliance-md"),
        cassette=Path(str(cassette)) if cassette else None,
        max_wait=float(max_wait),
        request_timeout=float(timeout),
        require_proof=bool(raw.get("require_proof")),
        compliance_pdf=_optional_output(raw.get("compliance_pdf"), "--compliance-pdf"),
        compliance_oscal=_optional_output(raw.get("compliance_oscal"), "--compliance-oscal"),
        history=writable_path(raw["history"], "--history") if raw.get("history") else None,
    )


def _optional_output(value: object, flag: str) -> Path | None:
    """A report path that is written only when given."""
    return writable_path(str(value), flag) if value else None

"""Command-line options turned into a validated run: target, token, profile and thresholds."""

from __future__ import annotations

import ipaddress
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from urllib.parse import urlsplit

from compliance.token import Token, TokenKind, TokenShapeError, TokenSource, parse_token

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_REQUEST_TIMEOUT",
    "MAX_WAIT_LIMIT",
    "InputError",
    "Mode",
    "RunOptions",
    "Target",
    "parse_api_url",
    "resolve",
    "writable_path",
]

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_REQUEST_TIMEOUT = 15.0
MAX_WAIT_LIMIT = 86400.0  # a day: longer than any GitHub rate-limit window
_ORG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_LOGIN = _ORG
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class InputError(ValueError):
    """Bad input: one plain sentence saying what is wrong and how to fix it."""


class Mode(Enum):
    """How evidence is obtained."""

    AUTO = "auto"
    LIVE = "live"
    RECORD = "record"
    REPLAY = "replay"


@dataclass(frozen=True)
class Target:
    """The organization and the API that serves it."""

    org: str
    api_url: str

    @property
    def is_server(self) -> bool:
        """True for GitHub Enterprise Server (https://HOST/api/v3), which has no Copilot REST endpoints."""
        return urlsplit(self.api_url).path.rstrip("/").endswith("/api/v3")

    @property
    def web_url(self) -> str | None:
        """The web UI that hosts token settings, where GitHub's token template links work."""
        parts = urlsplit(self.api_url)
        host = parts.hostname or ""
        if self.is_server:
            return None  # template links are a GitHub.com / GHE.com feature
        if host.startswith("api.") and host.endswith(".ghe.com"):
            return f"https://{host.removeprefix('api.')}"
        return "https://github.com"


@dataclass(frozen=True)
class RunOptions:
    """Everything a run needs, validated."""

    mode: Mode
    target: Target
    token: Token | None
    token_source: TokenSource | None
    profile: str
    allow_no_expiration: bool
    expiry_warning_days: int
    expected_owner: str | None
    compliance_json: Path
    compliance_md: Path
    cassette: Path | None
    max_wait: float
    app_token: Token | None = None
    attestations: Path | None = None
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT


def _is_loopback(host: str) -> bool:
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
        raise InputError(f"{where} {raw!r} is not a valid URL; use e.g. https://api.github.com.") from None
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise InputError(
            f"{where} {raw!r} is not an http(s) URL with a host; use https://api.github.com, "
            "https://api.SUBDOMAIN.ghe.com or https://HOST/api/v3."
        )
    if parts.username or parts.password:
        raise InputError(f"{where} must not contain credentials; pass the token through --token-env or --token-file.")
    if parts.query or parts.fragment:
        raise InputError(f"{where} {raw!r} has a query or fragment; give only the API base URL.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise InputError(
            f"{where} {raw!r} uses plain http:// to a non-loopback host, which would send the token "
            "unencrypted; use https://."
        )
    del port
    return text.rstrip("/")


def writable_path(raw: object, option: str) -> Path:
    """An output path whose folder exists or can be created, checked before anything runs."""
    path = Path(str(raw)).expanduser()
    if path.is_dir():
        raise InputError(f"{option} {raw} is a folder; give a file path such as reports/compliance.json.")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(f"{option} {raw} cannot be written: {folder} is a file, not a folder; choose another path.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{option} {raw} cannot be written: no write permission in {folder}; choose another path.")
    return path


def _read_token(
    token_env: str, token_file: str | None, environ: Mapping[str, str]
) -> tuple[Token | None, TokenSource | None]:
    if token_file:
        path = Path(token_file).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
            info = path.stat()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
            raise InputError(
                f"Cannot read --token-file {token_file}: {reason}; check the path and its permissions."
            ) from None
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                f"--token-file {token_file} is not a regular file; point it at the file holding the token."
            )
        token, stripped = _parse(text, f"--token-file {token_file}")
        source = TokenSource(
            file=str(path),
            file_mode=stat.S_IMODE(info.st_mode),
            file_owned_by_user=info.st_uid == os.getuid(),
            stripped_whitespace=stripped,
        )
        return token, source
    if not _ENV_NAME.fullmatch(token_env):
        raise InputError(f"--token-env {token_env!r} is not an environment variable name; use e.g. GITHUB_TOKEN.")
    value = environ.get(token_env)
    if value is None:
        return None, None
    token, stripped = _parse(value, f"The environment variable {token_env}")
    return token, TokenSource(env_var=token_env, stripped_whitespace=stripped)


def _parse(text: str, where: str) -> tuple[Token, bool]:
    try:
        return parse_token(text, where)
    except TokenShapeError as exc:
        raise InputError(str(exc)) from None


def _read_app_token(name: object, environ: Mapping[str, str]) -> Token | None:
    """The GitHub App installation token that reads the org's grant record, if one is named."""
    if not name:
        return None
    if not (isinstance(name, str) and _ENV_NAME.fullmatch(name)):
        raise InputError(f"--app-token-env {name!r} is not an environment variable name; use e.g. APP_TOKEN.")
    value = environ.get(name)
    if value is None:
        raise InputError(
            f"--app-token-env names {name}, which is not set; export the GitHub App installation token "
            "there (e.g. from actions/create-github-app-token)."
        )
    token, _ = _parse(value, f"The environment variable {name}")
    if token.kind is not TokenKind.APP_INSTALLATION:
        raise InputError(
            f"{name} holds a {token.kind.value} token, but the org's grant record needs a GitHub App "
            "installation token (ghs_...) with the organization permissions Personal access tokens "
            "and Personal access token requests (read)."
        )
    return token


def resolve(raw: Mapping[str, object], environ: Mapping[str, str]) -> RunOptions:
    """Validate raw option values (as argparse gives them) against the contract."""
    org = raw.get("org")
    if org is not None and not (isinstance(org, str) and _ORG.fullmatch(org)):
        raise InputError(
            f"--org {org!r} is not a valid GitHub organization name (letters, digits and single hyphens, "
            "not at the start or end, at most 39 characters)."
        )
    owner = raw.get("expected_owner")
    if owner is not None and not (isinstance(owner, str) and _LOGIN.fullmatch(owner)):
        raise InputError(f"--expected-owner {owner!r} is not a valid GitHub login.")
    days = raw.get("expiry_warning_days", 30)
    if not isinstance(days, int) or days < 0:
        raise InputError(f"--expiry-warning-days must be 0 or more, not {days}.")
    max_wait = raw.get("max_wait", 60.0)
    if not isinstance(max_wait, (int, float)) or not 0 <= max_wait <= MAX_WAIT_LIMIT:
        raise InputError(f"--max-wait must be between 0 and {MAX_WAIT_LIMIT:g} seconds, not {max_wait}.")
    timeout = raw.get("request_timeout", DEFAULT_REQUEST_TIMEOUT)
    if not isinstance(timeout, (int, float)) or not 0 < timeout <= 600:
        raise InputError(f"--request-timeout must be between 0 and 600 seconds, not {timeout}.")
    mode = Mode(str(raw.get("mode") or "auto"))
    if raw.get("api_url"):
        api_url = parse_api_url(str(raw["api_url"]))
    elif environ.get("GITHUB_API_URL", "").strip():
        api_url = parse_api_url(environ["GITHUB_API_URL"], "GITHUB_API_URL")
    else:
        api_url = DEFAULT_API_URL
    token_file = raw.get("token_file")
    token, source = _read_token(
        str(raw.get("token_env") or "GITHUB_TOKEN"), str(token_file) if token_file else None, environ
    )
    cassette = raw.get("cassette")
    if mode is Mode.AUTO:
        if org is None:
            mode = Mode.REPLAY
        elif token is None:
            raise InputError(
                f"--org {org} needs a token: export {raw.get('token_env') or 'GITHUB_TOKEN'}=github_pat_... "
                "(or use --token-file), or omit --org to replay the bundled demo."
            )
        else:
            mode = Mode.LIVE
    if mode in {Mode.LIVE, Mode.RECORD}:
        if org is None:
            raise InputError(f"--mode {mode.value} needs --org ORG, the organization to check.")
        if token is None:
            raise InputError(
                f"No token found: export {raw.get('token_env') or 'GITHUB_TOKEN'}=github_pat_... or use --token-file."
            )
    app_token = _read_app_token(raw.get("app_token_env"), environ)
    attestations = raw.get("attestations")
    return RunOptions(
        app_token=app_token,
        attestations=Path(str(attestations)) if attestations else None,
        mode=mode,
        target=Target(org=str(org or ""), api_url=api_url),
        token=token,
        token_source=source,
        profile=str(raw.get("profile") or "milestone-copilot"),
        allow_no_expiration=bool(raw.get("allow_no_expiration")),
        expiry_warning_days=days,
        expected_owner=owner if isinstance(owner, str) else None,
        compliance_json=writable_path(raw.get("compliance_json") or "reports/compliance.json", "--compliance-json"),
        compliance_md=writable_path(raw.get("compliance_md") or "reports/compliance.md", "--compliance-md"),
        cassette=Path(str(cassette)) if cassette else None,
        max_wait=float(max_wait),
        request_timeout=float(timeout),
    )

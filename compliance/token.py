"""The token under test: a masked value that never prints, plus what its prefix says."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from compliance.model import TokenKind, TokenSource, UsageError

__all__ = ["MASK", "Masker", "Token", "TokenShapeError", "parse_token", "read_app_token", "read_token"]

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TOKEN_FILE_LIMIT = 4096  # bytes: room for a 255-character token and any whitespace around it


_PREFIXES = {
    "github_pat_": TokenKind.FINE_GRAINED,
    "ghp_": TokenKind.CLASSIC,
    "gho_": TokenKind.OAUTH,
    "ghu_": TokenKind.APP_USER,
    "ghs_": TokenKind.APP_INSTALLATION,
    "ghr_": TokenKind.APP_REFRESH,
}
# GitHub asks integrators to accept tokens of up to 255 characters; only the prefix is a contract.
_SHAPE = re.compile(r"(?:github_pat_|gh[pousr]_)[A-Za-z0-9_]{10,245}")


class Token:
    """A secret whose repr, str and format never show the value; `reveal()` is the only way in."""

    __slots__ = ("__value",)

    def __init__(self, value: str) -> None:
        self.__value = value

    def reveal(self) -> str:
        """Return the raw value, for the Authorization header and redaction only."""
        return self.__value

    @property
    def kind(self) -> TokenKind:
        """The credential type that the prefix names."""
        return next(k for p, k in _PREFIXES.items() if self.__value.startswith(p))

    @property
    def fingerprint(self) -> str:
        """A short SHA-256 prefix that identifies the token without disclosing it."""
        return "sha256:" + hashlib.sha256(self.__value.encode()).hexdigest()[:8]

    @property
    def hashed_token(self) -> str:
        """GitHub's audit-log identifier: base64 of the SHA-256 digest (search `hashed_token:"..."`); one-way."""
        return base64.b64encode(hashlib.sha256(self.__value.encode()).digest()).decode()

    def needles(self) -> tuple[str, ...]:
        """The forms in which the value could leak: raw, base64, URL-encoded, basic-auth."""
        raw = self.__value
        return (
            raw,
            base64.b64encode(raw.encode()).decode(),
            urllib.parse.quote(raw, safe=""),
            base64.b64encode(f"x-access-token:{raw}".encode()).decode(),
        )

    def __repr__(self) -> str:
        return f"Token({self.fingerprint})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> str:
        raise TypeError("a Token cannot be pickled")


MASK = "[token redacted]"
_RUN = re.compile(r"[A-Za-z0-9_+/=%.~-]{8,}")
_WINDOW = 8  # a fragment this long of a token's secret part is masked wherever it stands


class Masker:
    """Masks tokens in text: every whole form, and any run holding 8 or more characters of one's secret part."""

    def __init__(self, *tokens: Token) -> None:
        forms = {form for token in tokens for form in token.needles()}
        self._forms = tuple(sorted(forms, key=len, reverse=True))
        self._windows = frozenset(
            form[i : i + _WINDOW]
            for token in tokens
            for form, public in zip(token.needles(), _public_forms(token), strict=True)
            for i in range(len(form) - _WINDOW + 1)
            if i + _WINDOW > _common_prefix(form, public)
        )

    def __bool__(self) -> bool:
        return bool(self._forms)

    def mask(self, text: str) -> str:
        """The text with every form of the tokens, whole or in part, replaced by MASK."""
        if not self._forms:
            return text
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return _RUN.sub(self._fragment, text)

    def _fragment(self, run: re.Match[str]) -> str:
        word = run.group(0)
        hit = any(word[i : i + _WINDOW] in self._windows for i in range(len(word) - _WINDOW + 1))
        return MASK if hit else word


def _public_forms(token: Token) -> tuple[str, ...]:
    """The same encodings of the token's public prefix alone: they may show anywhere."""
    prefix = next(p for p in _PREFIXES if token.reveal().startswith(p))
    return Token(prefix).needles()


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


class TokenShapeError(ValueError):
    """The text is not a GitHub token; the message never contains the text."""


def parse_token(text: str, where: str) -> tuple[Token, bool]:
    """Validate raw text as a GitHub token; return it and whether surrounding whitespace was stripped."""
    stripped = text.strip()
    if not stripped:
        raise TokenShapeError(f"{where} is empty; put the fine-grained token (github_pat_...) there.")
    if not _SHAPE.fullmatch(stripped):
        raise TokenShapeError(
            f"{where} does not hold a GitHub token (GitHub tokens start with github_pat_, ghp_, gho_, "
            "ghu_, ghs_ or ghr_ and contain only letters, digits and underscores); "
            "check that you copied the whole fine-grained token."
        )
    return Token(stripped), stripped != text


def read_token(
    token_env: str, token_file: str | None, environ: Mapping[str, str]
) -> tuple[Token | None, TokenSource | None]:
    """The token under test from --token-file or the environment variable, with where it came from."""
    if token_file:
        path = Path(token_file).expanduser()
        text, info = _read_small(path, token_file)
        token, stripped = _parse(text, f"--token-file {token_file}")
        source = TokenSource(
            file=str(path),
            file_mode=stat.S_IMODE(info.st_mode),
            file_owned_by_user=info.st_uid == os.getuid(),
            stripped_whitespace=stripped,
        )
        return token, source
    if not _ENV_NAME.fullmatch(token_env):
        raise UsageError(f"--token-env {token_env!r} is not an environment variable name; use e.g. GITHUB_TOKEN.")
    value = environ.get(token_env)
    if value is None:
        return None, None
    token, stripped = _parse(value, f"The environment variable {token_env}")
    return token, TokenSource(env_var=token_env, stripped_whitespace=stripped)


def _read_small(path: Path, name: str) -> tuple[str, os.stat_result]:
    """The token file's text, read only when it is a regular file (a FIFO or device would block or never end)."""
    try:
        # O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; fstat then refuses it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UsageError(
            f"Cannot read --token-file {name}: {exc.strerror}; check the path and its permissions."
        ) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise UsageError(f"--token-file {name} is not a regular file; point it at the file holding the token.")
    with os.fdopen(fd, "rb") as handle:
        try:
            raw = handle.read(TOKEN_FILE_LIMIT + 1)
        except OSError as exc:
            raise UsageError(f"Cannot read --token-file {name}: {exc.strerror}; check the path.") from None
    if len(raw) > TOKEN_FILE_LIMIT:
        raise UsageError(
            f"--token-file {name} is larger than {TOKEN_FILE_LIMIT // 1024} KiB, but a GitHub token is at most "
            "255 characters; point it at the file holding only the token."
        )
    try:
        return raw.decode("utf-8"), info
    except UnicodeDecodeError:
        raise UsageError(
            f"Cannot read --token-file {name}: not UTF-8 text; check the path and its permissions."
        ) from None


def _parse(text: str, where: str) -> tuple[Token, bool]:
    try:
        return parse_token(text, where)
    except TokenShapeError as exc:
        raise UsageError(str(exc)) from None


def read_app_token(name: object, environ: Mapping[str, str]) -> Token | None:
    """The GitHub App token (installation ghs_ or user ghu_) that reads the org's grant record, if one is named.

    GitHub's docs list both for the grant-record endpoints; a user access token acts for its signed-in user,
    who must be an org owner. Classic, OAuth and fine-grained personal tokens cannot call them.
    """
    if not name:
        return None
    if not (isinstance(name, str) and _ENV_NAME.fullmatch(name)):
        raise UsageError(f"--app-token-env {name!r} is not an environment variable name; use e.g. APP_TOKEN.")
    value = environ.get(name)
    if value is None:
        raise UsageError(
            f"--app-token-env names {name}, which is not set; export a GitHub App installation token (ghs_) or "
            "an org owner's GitHub App user access token (ghu_) there (docs/org-record.md says how to get one)."
        )
    token, _ = _parse(value, f"The environment variable {name}")
    if token.kind not in (TokenKind.APP_INSTALLATION, TokenKind.APP_USER):
        raise UsageError(
            f"{name} holds a {token.kind.value} token, but the org's grant record needs a GitHub App "
            "installation token (ghs_...) or an org owner's GitHub App user access token (ghu_...), from an "
            "App with the organization permissions Personal access tokens and Personal access token requests "
            "(read)."
        )
    return token

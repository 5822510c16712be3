"""The token under test: a masked value that never prints, plus what its prefix says."""

from __future__ import annotations

import base64
import hashlib
import re
import urllib.parse
from dataclasses import dataclass
from enum import Enum

__all__ = ["Token", "TokenKind", "TokenSource", "parse_token"]


class TokenKind(Enum):
    """The credential types GitHub documents, told apart by their prefix."""

    FINE_GRAINED = "fine-grained"
    CLASSIC = "classic"
    OAUTH = "oauth"
    APP_USER = "app-user"
    APP_INSTALLATION = "app-installation"
    APP_REFRESH = "app-refresh"


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


@dataclass(frozen=True)
class TokenSource:
    """Where the token came from: an environment variable, or a file and its permission bits."""

    env_var: str | None = None
    file: str | None = None
    file_mode: int | None = None
    file_owned_by_user: bool | None = None
    stripped_whitespace: bool = False

    @property
    def label(self) -> str:
        """A human name for the source, safe to print."""
        return f"file {self.file}" if self.file else f"environment variable {self.env_var}"


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

"""The shared vocabulary of every wing: verdict words, levels, sources, modes, the target and bad-input error.

This module imports nothing else of the project, so any module may use these words without pulling in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

__all__ = [
    "Level",
    "Mode",
    "ProfileError",
    "Settings",
    "Source",
    "Target",
    "TokenKind",
    "TokenSource",
    "UsageError",
    "Verdict",
    "Word",
]


class UsageError(ValueError):
    """Bad input: one plain sentence saying what is wrong and how to fix it (exit code 4)."""


class ProfileError(ValueError):
    """A catalogue or profile entry that cannot be used; the message says what to fix."""


class Word(Enum):
    """The six verdict words of the contract."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    UNVERIFIED = "unverified"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"


class Level(Enum):
    """RFC 2119 strength: a failed `must` fails the run, a failed `should` warns."""

    MUST = "must"
    SHOULD = "should"


class Source(Enum):
    """Which evidence decided a verdict: the token's own answers, the org's grant record, or a person's statement."""

    TOKEN = "token"
    ORG_RECORD = "org-record"
    ATTESTATION = "attestation"


class Mode(Enum):
    """How evidence is obtained."""

    AUTO = "auto"
    LIVE = "live"
    RECORD = "record"
    REPLAY = "replay"


class TokenKind(Enum):
    """The credential types GitHub documents, told apart by their prefix."""

    FINE_GRAINED = "fine-grained"
    CLASSIC = "classic"
    OAUTH = "oauth"
    APP_USER = "app-user"
    APP_INSTALLATION = "app-installation"
    APP_REFRESH = "app-refresh"


@dataclass(frozen=True)
class Verdict:
    """A verdict word, what was observed, and (when not a pass) the specific advice."""

    word: Word
    evidence: str
    advice: str = ""
    source: Source = Source.TOKEN
    cause: str = ""  # the named cause that explains it (a refusal GitHub named, or the run's headline cause)
    attested_by: str = ""  # who signed the statement, for a verdict from an attestation


@dataclass(frozen=True)
class Settings:
    """The options that change verdicts (recorded in a cassette, so a replay judges as the recording did)."""

    allow_no_expiration: bool = False
    expiry_warning_days: int = 30
    expected_owner: str | None = None


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
        host = urlsplit(self.api_url).hostname or ""
        if self.is_server:
            return None  # template links are a GitHub.com / GHE.com feature
        if host.startswith("api.") and host.endswith(".ghe.com"):
            return f"https://{host.removeprefix('api.')}"
        return "https://github.com"

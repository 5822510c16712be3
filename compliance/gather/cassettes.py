"""Cassette files: their metadata (what, when, where, which options and token fingerprint), path and validation."""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from compliance.gather.cassette_schema import STRUCTURE
from compliance.inputs import MAX_WAIT_LIMIT, parse_api_url
from compliance.limits import SAFE_LOADER, read_bounded, unwritable_folder, yaml_problem
from compliance.model import Settings, TokenKind, TokenSource, UsageError
from compliance.probes import is_login

__all__ = [
    "CASSETTE_SCHEMA",
    "DEMO_CASSETTE",
    "META_KEY",
    "SAFE_LOADER",
    "Recording",
    "check_writable",
    "default_cassette",
    "load_recording",
]

CASSETTE_SCHEMA = 1
DEMO_CASSETTE = Path(__file__).resolve().parent.parent / "demo" / "compliant.yaml"
META_KEY = "copilot_token_compliance"
CASSETTE_LIMIT = 8 * 1024 * 1024  # bytes: a recording of every probe is well under 1 MiB
_HASHED_TOKEN = re.compile(r"[A-Za-z0-9+/]{43}=")
_DEPTH_LIMIT = 32  # vcrpy's interactions nest six deep; the metadata a little less


@dataclass(frozen=True)
class Recording:
    """A cassette's metadata: what was recorded, when, where, with which options and which token (by fingerprint)."""

    path: Path
    recorded_at: dt.datetime
    org: str
    api_url: str
    profile: str
    suite_version: str
    settings: Settings
    max_wait: float
    token_kind: TokenKind | None
    token_fingerprint: str | None
    token_source: TokenSource | None
    demo: bool = False
    app_record: bool = False
    token_hashed: str | None = None  # GitHub's audit-log hashed_token; absent from older recordings

    def to_metadata(self) -> dict[str, Any]:
        """The metadata block stored in the cassette."""
        source = self.token_source
        return {
            "schema": CASSETTE_SCHEMA,
            "recorded_at": self.recorded_at.isoformat(),
            "org": self.org,
            "api_url": self.api_url,
            "profile": self.profile,
            "suite_version": self.suite_version,
            "options": {
                "allow_no_expiration": self.settings.allow_no_expiration,
                "expiry_warning_days": self.settings.expiry_warning_days,
                "expected_owner": self.settings.expected_owner,
                "max_wait": self.max_wait,
            },
            "token": {
                "kind": self.token_kind.value if self.token_kind else None,
                "fingerprint": self.token_fingerprint,
                "hashed_token": self.token_hashed,
                "source": None
                if source is None
                else {
                    "env_var": source.env_var,
                    "file": source.file,
                    "file_mode": source.file_mode,
                    "file_owned_by_user": source.file_owned_by_user,
                },
            },
            "demo": self.demo,
            "app_record": self.app_record,
        }


def default_cassette(org: str, now: dt.datetime) -> Path:
    """cassettes/<org>/<UTC date>.yaml."""
    return Path("cassettes") / org / f"{now.astimezone(dt.UTC):%Y-%m-%d}.yaml"


def check_writable(path: Path) -> None:
    """Refuse, before anything is sent, a cassette that exists already or whose folder cannot take it."""
    if path.exists() or path.is_symlink():
        raise UsageError(
            f"The cassette {path} exists already and --mode record never overwrites one; pass another --cassette "
            "or move that file away."
        )
    problem = unwritable_folder(path)
    if problem:
        raise UsageError(f"Cannot write the cassette {path}: {problem}; pass another --cassette.")


def _org(value: object) -> str:
    if not is_login(value):
        raise ValueError("the org is not a GitHub organization name")
    return str(value)


def _parse_metadata(path: Path, meta: Any) -> Recording:
    if not isinstance(meta, dict) or not isinstance(meta.get("schema"), int):
        raise UsageError(
            f"The cassette {path} was not recorded by this suite (it has no {META_KEY} metadata); "
            "record one with --mode record."
        )
    if meta["schema"] > CASSETTE_SCHEMA:
        raise UsageError(
            f"The cassette {path} uses cassette schema {meta['schema']}, newer than this suite "
            f"understands ({CASSETTE_SCHEMA}); upgrade copilot-token-compliance to replay it."
        )
    try:
        options, token = meta["options"], meta["token"]
        source = token.get("source")
        recorded_at = dt.datetime.fromisoformat(meta["recorded_at"])
        max_wait = float(options["max_wait"])
        if recorded_at.utcoffset() is None or not 0 <= max_wait <= MAX_WAIT_LIMIT:
            raise ValueError("recorded_at without a UTC offset, or max_wait out of range")
        return Recording(
            path=path,
            recorded_at=recorded_at,
            org=_org(meta["org"]),
            api_url=parse_api_url(str(meta["api_url"])),
            profile=str(meta["profile"]),
            suite_version=str(meta["suite_version"]),
            settings=Settings(
                allow_no_expiration=bool(options["allow_no_expiration"]),
                expiry_warning_days=int(options["expiry_warning_days"]),
                expected_owner=options.get("expected_owner"),
            ),
            max_wait=max_wait,
            token_kind=TokenKind(token["kind"]) if token.get("kind") else None,
            token_fingerprint=token.get("fingerprint"),
            token_source=None
            if source is None
            else TokenSource(
                env_var=source.get("env_var"),
                file=source.get("file"),
                file_mode=source.get("file_mode"),
                file_owned_by_user=source.get("file_owned_by_user"),
            ),
            demo=bool(meta.get("demo", False)),
            app_record=bool(meta.get("app_record", False)),
            token_hashed=_hashed_token(token.get("hashed_token"), token.get("fingerprint")),
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):  # UsageError is a ValueError too
        raise UsageError(f"The cassette {path} has incomplete metadata; re-record it with --mode record.") from None


def _hashed_token(value: object, fingerprint: object) -> str | None:
    """A recorded hashed_token: base64 of a 32-byte digest of the same token as the fingerprint, or nothing."""
    if value is None:
        return None  # older recordings have none
    if not (isinstance(value, str) and _HASHED_TOKEN.fullmatch(value)):
        raise ValueError("token.hashed_token is not base64 of a SHA-256 digest")
    if not isinstance(fingerprint, str) or base64.b64decode(value).hex()[:8] != fingerprint.removeprefix("sha256:"):
        raise ValueError("token.hashed_token and token.fingerprint name different tokens")
    return value


def load_recording(path: Path) -> Recording:
    """Validate a cassette file (size, YAML, every interaction's shape, our metadata) and return its metadata."""
    raw = read_bounded(path, CASSETTE_LIMIT)
    if isinstance(raw, str) and not path.exists():
        raise UsageError(f"There is no cassette at {path}; check --cassette, or record one with --mode record.")
    if isinstance(raw, str):
        raise UsageError(f"Cannot read the cassette {path}: {raw}.")
    try:
        text = raw.decode("utf-8")
        problem = yaml_problem(text, _DEPTH_LIMIT)
        data = None if problem else yaml.load(text, Loader=SAFE_LOADER)
    except UnicodeDecodeError:
        raise UsageError(f"Cannot read the cassette {path}: not UTF-8 text.") from None
    except yaml.YAMLError:
        raise UsageError(
            f"The cassette {path} is not valid YAML (corrupt or truncated); re-record it with --mode record."
        ) from None
    if problem:
        raise UsageError(f"Cannot read the cassette {path}: {problem}; re-record it with --mode record.")
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list) or not data["interactions"]:
        raise UsageError(
            f"The cassette {path} holds no recorded interactions (corrupt or truncated); re-record it "
            "with --mode record."
        )
    import jsonschema  # only a replay needs it

    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(STRUCTURE).iter_errors(data))
    if error is not None:
        field = ".".join(str(p) for p in error.absolute_path) or "the top level"
        raise UsageError(
            f"The cassette {path} is not one this suite can replay ({field} breaks its {error.validator!r} rule); "
            "re-record it with --mode record."
        )
    metadata = data.get("metadata")
    return _parse_metadata(path, metadata.get(META_KEY) if isinstance(metadata, dict) else None)

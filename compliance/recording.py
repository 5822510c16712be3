"""Recorded evidence: record a live run into a scrubbed vcrpy cassette, and replay one with the network off."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import stamina
import vcr
import vcr.errors
import yaml

from compliance.evidence import KEPT_HEADERS
from compliance.options import MAX_WAIT_LIMIT, InputError, parse_api_url
from compliance.token import Token, TokenKind, TokenSource

__all__ = [
    "CASSETTE_SCHEMA",
    "DEMO_CASSETTE",
    "Recording",
    "default_cassette",
    "load_recording",
    "recording",
    "replaying",
]

CASSETTE_SCHEMA = 1
DEMO_CASSETTE = Path(__file__).resolve().parent.parent / "cassettes" / "demo" / "compliant.yaml"
_META_KEY = "copilot_token_compliance"
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_REQUEST_HEADERS = {"accept", "x-github-api-version", "user-agent"}
_PERSONAL = {
    "email",
    "name",
    "avatar_url",
    "gravatar_id",
    "twitter_username",
    "blog",
    "company",
    "location",
    "bio",
    "html_url",
    "url",
    "node_id",
}
_SIGNED = {"download_links"}
logging.getLogger("vcr").setLevel(logging.WARNING)  # vcrpy logs unscrubbed responses at INFO


@dataclass(frozen=True)
class Recording:
    """A cassette's metadata: what was recorded, when, where, with which options and which token (by fingerprint)."""

    path: Path
    recorded_at: dt.datetime
    org: str
    api_url: str
    profile: str
    suite_version: str
    allow_no_expiration: bool
    expiry_warning_days: int
    expected_owner: str | None
    max_wait: float
    token_kind: TokenKind | None
    token_fingerprint: str | None
    token_source: TokenSource | None
    demo: bool = False
    app_record: bool = False

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
                "allow_no_expiration": self.allow_no_expiration,
                "expiry_warning_days": self.expiry_warning_days,
                "expected_owner": self.expected_owner,
                "max_wait": self.max_wait,
            },
            "token": {
                "kind": self.token_kind.value if self.token_kind else None,
                "fingerprint": self.token_fingerprint,
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


def _parse_metadata(path: Path, meta: Any) -> Recording:
    if not isinstance(meta, dict) or not isinstance(meta.get("schema"), int):
        raise InputError(
            f"The cassette {path} was not recorded by this suite (it has no {_META_KEY} metadata); "
            "record one with --mode record."
        )
    if meta["schema"] > CASSETTE_SCHEMA:
        raise InputError(
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
            org=str(meta["org"]),
            api_url=parse_api_url(str(meta["api_url"])),
            profile=str(meta["profile"]),
            suite_version=str(meta["suite_version"]),
            allow_no_expiration=bool(options["allow_no_expiration"]),
            expiry_warning_days=int(options["expiry_warning_days"]),
            expected_owner=options.get("expected_owner"),
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
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):  # InputError is a ValueError too
        raise InputError(f"The cassette {path} has incomplete metadata; re-record it with --mode record.") from None


def load_recording(path: Path) -> Recording:
    """Validate a cassette file (YAML, interactions, our metadata) and return its metadata."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"There is no cassette at {path}; check --cassette, or record one with --mode record."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError(f"Cannot read the cassette {path}: {reason}.") from None
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError:
        raise InputError(
            f"The cassette {path} is not valid YAML (corrupt or truncated); re-record it with --mode record."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list) or not data["interactions"]:
        raise InputError(
            f"The cassette {path} holds no recorded interactions (corrupt or truncated); re-record it "
            "with --mode record."
        )
    metadata = data.get("metadata")
    return _parse_metadata(path, metadata.get(_META_KEY) if isinstance(metadata, dict) else None)


# -- scrubbing ------------------------------------------------------------------------------------------------------


class _Scrubber:
    """Removes secrets and personal data from interactions before vcrpy writes them."""

    def __init__(self, *tokens: Token) -> None:
        self._needles = tuple(sorted((n for t in tokens for n in t.needles()), key=len, reverse=True))
        self.owner: str | None = None

    def text(self, value: str) -> str:
        for needle in self._needles:
            value = value.replace(needle, "<TOKEN>")
        return value

    def request(self, request: Any) -> Any:
        request.headers = {k: v for k, v in request.headers.items() if k.lower() in _REQUEST_HEADERS}
        request.uri = self.text(request.uri)
        request.body = None
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        headers = {k: v for k, v in response["headers"].items() if k.lower() in KEPT_HEADERS}
        response["headers"] = {k: [self.text(x) for x in v] for k, v in headers.items()}
        return response

    def body(self, response: dict[str, Any]) -> dict[str, Any]:
        raw = response["body"].get("string", "")
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        try:
            data = json.loads(text)
        except ValueError:
            response["body"]["string"] = self.text(text)
            return response
        response["body"]["string"] = self.text(json.dumps(self._json(data), separators=(",", ":")))
        return response

    def _json(self, data: Any) -> Any:
        if isinstance(data, list):
            return [self._json(x) for x in data]
        if not isinstance(data, dict):
            return data
        person = isinstance(data.get("login"), str) and data.get("type") != "Organization"
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key in _SIGNED:
                out[key] = ["<signed URL removed>" for _ in value] if isinstance(value, list) else "<removed>"
            elif person and key in _PERSONAL:
                continue
            elif person and key == "login" and value != self.owner:
                out[key] = "user-" + hashlib.sha256(str(value).encode()).hexdigest()[:10]
            else:
                out[key] = self._json(value)
        return out

    def save(self, request: Any, response: dict[str, Any], cassette: Any) -> tuple[Any, dict[str, Any]]:
        """before_save_interaction: the last pass, with the owner's login known."""
        return self.request(request), self.body(self.response(response))


def _owner_login(cassette: Any) -> str | None:
    for request, response in cassette.data:
        if urlsplit(request.uri).path.endswith("/user") and response["status"]["code"] == 200:
            raw = response["body"].get("string", "")
            try:
                body = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
            except ValueError:
                return None
            login = body.get("login") if isinstance(body, dict) else None
            return login if isinstance(login, str) else None
    return None


def _vcr(scrubber: _Scrubber, record_mode: str) -> vcr.VCR:
    return vcr.VCR(
        record_mode=record_mode,
        decode_compressed_response=True,
        filter_headers=["authorization", "cookie", "proxy-authorization"],
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
        before_save_interaction=scrubber.save,
        match_on=("method", "scheme", "host", "port", "path", "query"),
    )


@contextlib.contextmanager
def recording(path: Path, tokens: tuple[Token, ...], meta: Recording) -> Iterator[None]:
    """Record the traffic of the block into `path`, scrubbed, written only when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".recording-", suffix=".yaml")
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    scrubber = _Scrubber(*tokens)
    try:
        with _vcr(scrubber, "once").use_cassette(str(tmp.resolve())) as cassette:
            yield
            scrubber.owner = _owner_login(cassette)
            cassette.get_metadata(_META_KEY, meta.to_metadata())
        text = tmp.read_text(encoding="utf-8")
        if any(needle in text for token in tokens for needle in token.needles()):
            raise InputError("Refusing to save the cassette: the token survived scrubbing (please report this).")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class _NetworkBlocked(OSError):
    pass


@contextlib.contextmanager
def _no_network() -> Iterator[None]:
    def refuse(*args: object, **kwargs: object) -> Any:
        raise _NetworkBlocked("the network is disabled during replay")

    saved = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo, socket.create_connection)
    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.getaddrinfo = refuse
    socket.create_connection = refuse
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo, socket.create_connection = saved  # type: ignore[method-assign]


@contextlib.contextmanager
def replaying(meta: Recording, attempts: int) -> Iterator[None]:
    """Serve the block's requests from the cassette only: sockets blocked, no waits, unknown requests fail loudly."""
    try:
        with (
            _no_network(),
            stamina.set_testing(True, attempts=attempts),
            _vcr(_Scrubber(), "none").use_cassette(str(meta.path.resolve()), allow_playback_repeats=False),
        ):
            yield
    except vcr.errors.CannotOverwriteExistingCassetteException as exc:
        request = getattr(exc, "failed_request", None)
        what = f"{request.method} {urlsplit(request.uri).path}" if request is not None else "a request"
        raise InputError(
            f"The cassette {meta.path} has no recorded answer for {what}; it was recorded with other "
            "options or another suite version, so re-record it with --mode record."
        ) from None

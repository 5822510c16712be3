"""Recording and replaying traffic with vcrpy: scrubbed before it is written, the network off while replaying."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import stamina
import vcr
import vcr.errors

from compliance.evidence import KEPT_HEADERS
from compliance.gather.cassettes import META_KEY, Recording
from compliance.model import UsageError
from compliance.token import Masker, Token

__all__ = ["recording", "replaying"]

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


class _Scrubber:
    """Removes secrets and personal data from interactions before vcrpy writes them."""

    def __init__(self, *tokens: Token) -> None:
        self._masker = Masker(*tokens)
        self.owner: str | None = None
        # Other people's logins are hashed with a key that lives only as long as this cassette's recording: the same
        # login hashes the same within one cassette, and no dictionary of logins reverses it.
        self._key = secrets.token_bytes(32)

    def text(self, value: str) -> str:
        """Every form of the tokens, whole or in part, masked."""
        return self._masker.mask(value)

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
            cleaned = json.dumps(self._json(data), separators=(",", ":"))
        except (ValueError, RecursionError):  # not JSON, or nested too deep to walk: kept as masked text
            response["body"]["string"] = self.text(text)
            return response
        response["body"]["string"] = self.text(cleaned)
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
                out[key] = "user-" + hmac.new(self._key, str(value).encode(), hashlib.sha256).hexdigest()[:10]
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
            cassette.get_metadata(META_KEY, meta.to_metadata())
        text = tmp.read_text(encoding="utf-8")
        if any(needle in text for token in tokens for needle in token.needles()):
            raise UsageError("Refusing to save the cassette: the token survived scrubbing (please report this).")
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
        raise UsageError(
            f"The cassette {meta.path} has no recorded answer for {what}; it was recorded with other "
            "options or another suite version, so re-record it with --mode record."
        ) from None

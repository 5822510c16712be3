"""Reading one HTTP answer: rate-limit hints, size and time limits, JSON, and a plain reason when it is unusable."""

from __future__ import annotations

import email.utils
import json
import os
import re
import time
from typing import Any

import httpx

from compliance.evidence import Reply
from compliance.limits import nesting_depth
from compliance.token import Masker

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "UnusableAnswer",
    "connect_reason",
    "masked",
    "not_json_reason",
    "parse_json",
    "proxy_variables",
    "rate_limit_wait",
    "read_capped",
    "redirect_reason",
    "short_reason",
]

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64  # GitHub's answers nest a few levels; hundreds is hostile
_PROXY_VARIABLES = ("https_proxy", "http_proxy", "all_proxy")
_SECONDS = re.compile(r"[0-9]{1,12}")


class UnusableAnswer(Exception):
    """An answer that arrived but cannot be used: too large, too slow, a redirect, or not JSON."""


def response_time(reply: Reply) -> float:
    """When GitHub answered, by its Date header (so replayed waits equal recorded ones), else now."""
    try:
        return email.utils.parsedate_to_datetime(reply.headers["date"]).timestamp()
    except (KeyError, TypeError, ValueError, OverflowError):
        return time.time()


def rate_limit_wait(reply: Reply) -> float | None:
    """Seconds GitHub asks us to wait, or None when the answer is not a rate limit."""
    if reply.status not in (403, 429):
        return None
    now = response_time(reply)
    headers = reply.headers
    retry_after = headers.get("retry-after", "").strip()
    if retry_after:
        if _SECONDS.fullmatch(retry_after):  # not str.isdigit(): that accepts "²", which float() refuses
            return float(retry_after)
        try:
            return max(0.0, email.utils.parsedate_to_datetime(retry_after).timestamp() - now)
        except (TypeError, ValueError, OverflowError):
            return 60.0
    if headers.get("x-ratelimit-remaining", "").strip() == "0":
        reset = headers.get("x-ratelimit-reset", "").strip()
        return max(1.0, float(reset) - now + 1) if _SECONDS.fullmatch(reset) else 60.0
    if reply.status == 429 or "rate limit" in reply.message.lower():
        return 60.0  # GitHub: without a hint, wait at least one minute
    return None


def proxy_variables() -> list[str]:
    """The proxy environment variables that are set (httpx honours them, as curl does)."""
    return sorted(k for k in os.environ if k.lower() in _PROXY_VARIABLES and os.environ[k])


def connect_reason(exc: httpx.ConnectError) -> str:
    """Why a connection failed, naming a TLS refusal and the proxy settings in effect."""
    text = short_reason(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return (
            f"TLS certificate verification failed ({text}); if the server uses a private CA, point "
            "SSL_CERT_FILE at its PEM bundle"
        )
    proxies = proxy_variables()
    via = f" (proxy settings in effect: {', '.join(proxies)})" if proxies else ""
    return f"could not connect ({text}){via}"


def redirect_reason(response: httpx.Response) -> str:
    """Why a redirect is not followed, and where it pointed."""
    location = httpx.URL(response.headers.get("location", ""))
    where = f"{location.host}{location.path}"[:120] or "nowhere"
    return (
        f"GitHub answered {response.status_code} redirecting to {where}; redirects are not followed "
        "(the token must not travel to another address), so check --api-url and --org"
    )


def not_json_reason(status: int, content_type: str, raw: bytes) -> str:
    """Why a 2xx answer without JSON is unusable: empty, cut short, or another content type."""
    shown = content_type.split(";")[0].strip() or "no content type"
    if not raw:
        return f"GitHub answered {status} with an empty body instead of JSON"
    if "json" in shown.lower():
        return f"GitHub answered {status} with a body that is not valid JSON ({len(raw)} bytes, cut short?)"
    return (
        f"GitHub answered {status} with {shown} instead of JSON; a proxy or login portal between you and "
        "GitHub may have answered"
    )


def read_capped(response: httpx.Response, deadline: float, timeout: float) -> bytes:
    """The whole body, refused past MAX_BODY_BYTES or past the deadline."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise UnusableAnswer(f"answer body larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB; refused to read it")
        if time.monotonic() > deadline:
            raise UnusableAnswer(f"the answer was still arriving after {timeout:g} s (--request-timeout); gave up")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(raw: bytes, content_type: str) -> Any:
    """The JSON body, or None when it is not labelled or not valid JSON; refused when nested too deep to be GitHub's."""
    if not raw or "json" not in content_type.lower():
        return None
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    except RecursionError:
        raise UnusableAnswer(f"the answer's JSON is nested deeper than {MAX_DEPTH} levels; GitHub's never is") from None
    if nesting_depth(body) > MAX_DEPTH:
        raise UnusableAnswer(f"the answer's JSON is nested deeper than {MAX_DEPTH} levels; GitHub's never is")
    return body


def masked(value: Any, masker: Masker) -> Any:
    """A JSON value with every string (keys too) masked for the token; depth is already bounded."""
    if isinstance(value, str):
        return masker.mask(value)
    if isinstance(value, list):
        return [masked(x, masker) for x in value]
    if isinstance(value, dict):
        return {masker.mask(str(k)): masked(v, masker) for k, v in value.items()}
    return value


def short_reason(exc: Exception) -> str:
    """The first line of an exception, at most 200 characters."""
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]

"""The HTTP client: GET only, with timeouts, retries and a bounded rate-limit wait; it never raises for GitHub."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import ssl
import threading
import time
from collections.abc import Generator
from typing import Any

import httpx
import stamina

from compliance import __version__
from compliance.evidence import KEPT_HEADERS, Failure, Reply, RequestRecord, Result
from compliance.gather.answers import (
    UnusableAnswer,
    connect_reason,
    masked,
    not_json_reason,
    parse_json,
    proxy_variables,
    rate_limit_wait,
    read_capped,
    redirect_reason,
    short_reason,
)
from compliance.gather.pages import MAX_PAGES, read_pages
from compliance.inputs import is_loopback
from compliance.model import UsageError
from compliance.options import DEFAULT_REQUEST_TIMEOUT
from compliance.token import Masker, Token

__all__ = ["API_VERSION", "ATTEMPTS", "Gate", "GitHub"]

API_VERSION = "2022-11-28"
ATTEMPTS = 3
# Held around each request on the wire: fleet mode's bound on requests in flight and points per minute, all orgs.
Gate = contextlib.AbstractContextManager[Any]


class _BearerAuth(httpx.Auth):
    """Adds the token to each request at the last moment, so no header dict holds it beforehand."""

    def __init__(self, token: Token) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer " + self._token.reveal()
        yield request


class _RateLimited(Exception):
    def __init__(self, reply: Reply, wait: float) -> None:
        super().__init__(f"rate limited for {wait:.0f} s")
        self.reply, self.wait = reply, wait


class _ServerError(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(f"server error {reply.status}")
        self.reply = reply


class _WaitBudget:
    """The total time the whole run may spend waiting for rate limits."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds
        self._lock = threading.Lock()

    def take(self, seconds: float) -> bool:
        with self._lock:
            if seconds > self.left:
                return False
            self.left -= seconds
            return True


class GitHub:
    """A read-only client for one API base URL; it can only send GET."""

    def __init__(
        self,
        api_url: str,
        token: Token | None,
        max_wait: float,
        attempts: int = ATTEMPTS,
        timeout: float = DEFAULT_REQUEST_TIMEOUT,
        gate: Gate | None = None,
    ) -> None:
        stamina.instrumentation.set_on_retry_hooks([])  # retries are reported as evidence, not log noise
        self._api_url = api_url.rstrip("/")
        self._timeout = timeout
        self._client = _client(api_url, token, timeout)
        self._masker = Masker(token) if token else Masker()
        self._budget = _WaitBudget(max_wait)
        self._attempts = attempts
        self._lock = threading.Lock()
        self._gate: Gate = gate or contextlib.nullcontext()
        self.requests: list[RequestRecord] = []

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, path: str, params: dict[str, str] | None = None) -> Result:
        """GET path with retries; never raises for network or server trouble, returns a Failure instead.

        Whatever came from outside is masked before it becomes evidence: an answer that echoes the token (a
        reflecting proxy, a wrong API URL) must not carry it into any report.
        """
        result = self._get(path, params)
        if isinstance(result, Reply):
            headers = {k: self._masker.mask(v) for k, v in result.headers.items()}
            return dataclasses.replace(result, headers=headers, body=masked(result.body, self._masker))
        return dataclasses.replace(result, reason=self._masker.mask(result.reason))

    def _get(self, path: str, params: dict[str, str] | None) -> Reply | Failure:
        shown = path + ("?" + str(httpx.QueryParams(params)) if params else "")
        try:
            for attempt in stamina.retry_context(
                on=self._should_retry,
                attempts=self._attempts,
                timeout=None,
                wait_initial=0.3,
                wait_max=2.0,
                wait_jitter=0.3,
            ):
                with attempt, self._gate:  # the attempt's deadline starts once the gate lets it on the wire
                    return self._once(path, shown, params)
        except _RateLimited as exc:
            return Failure(
                shown,
                f"rate limited ({exc.reply.describe()}); waiting {exc.wait:.0f} s more would "
                f"exceed the --max-wait budget ({self._budget.left:.0f} s left)",
            )
        except _ServerError as exc:
            return Failure(shown, f"GitHub answered {exc.reply.status} {self._attempts} times")
        except UnusableAnswer as exc:
            return Failure(shown, str(exc))
        except httpx.TimeoutException as exc:
            return Failure(shown, f"timed out ({type(exc).__name__}) {self._attempts} times")
        except httpx.ConnectError as exc:
            return Failure(shown, connect_reason(exc))
        except httpx.TransportError as exc:
            return Failure(shown, f"transport error ({type(exc).__name__}: {short_reason(exc)})")
        raise AssertionError("unreachable")  # pragma: no cover

    def get_all(self, path: str, params: dict[str, str], max_pages: int = MAX_PAGES) -> Result:
        """GET every page of a list (on the same API only) as one Reply; pages past the first are sent together."""
        first = self.get(path, params)
        if not isinstance(first, Reply) or not first.ok or not isinstance(first.body, list):
            return first
        return read_pages(self.get, first, self._api_url, max_pages)

    def _should_retry(self, exc: Exception) -> bool | float:
        if isinstance(exc, _RateLimited):
            return exc.wait if self._budget.take(exc.wait) else False
        if isinstance(exc, httpx.ConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return False  # a certificate does not get better by asking again
        return isinstance(exc, (_ServerError, httpx.TransportError))

    def _once(self, path: str, shown: str, params: dict[str, str] | None) -> Reply:
        status: int | None = None
        deadline = time.monotonic() + self._timeout
        try:
            with self._client.stream("GET", path, params=params) as response:
                status = response.status_code
                if response.is_redirect:
                    raise UnusableAnswer(redirect_reason(response))
                raw = read_capped(response, deadline, self._timeout)
                content_type = response.headers.get("content-type", "")
                body = parse_json(raw, content_type)
                if response.is_success and status != 204 and body is None:
                    raise UnusableAnswer(not_json_reason(status, content_type, raw))
                reply = Reply(
                    path=shown,
                    status=status,
                    headers={k: response.headers[k] for k in KEPT_HEADERS if k in response.headers},
                    body=body,
                )
        finally:
            with self._lock:
                self.requests.append(RequestRecord("GET", shown, status))
        if reply.status >= 500:
            raise _ServerError(reply)
        wait = rate_limit_wait(reply)
        if wait is not None:
            raise _RateLimited(reply, wait)
        return reply


def _client(api_url: str, token: Token | None, timeout: float) -> httpx.Client:
    """The httpx client; an unusable proxy or CA setting in the environment is a usage error, not a crash."""
    # A loopback API (the simulator, a local tunnel) is never reached through a proxy: over http:// the proxy
    # would read the token in clear. trust_env=False turns proxies off, so the CA settings (SSL_CERT_FILE,
    # SSL_CERT_DIR) are loaded here instead, as httpx itself would with trust_env on.
    local = is_loopback(httpx.URL(api_url).host)
    try:
        return httpx.Client(
            base_url=api_url,
            trust_env=not local,
            verify=httpx.create_ssl_context(trust_env=True) if local else True,
            auth=_BearerAuth(token) if token else None,
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": f"copilot-token-compliance/{__version__}",
            },
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
            follow_redirects=False,
        )
    except (OSError, ssl.SSLError) as exc:
        cert_vars = [k for k in ("SSL_CERT_FILE", "SSL_CERT_DIR") if os.environ.get(k)]
        where = " or ".join(f"{k}={os.environ[k]}" for k in cert_vars) or "the system's CA store"
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise UsageError(
            f"Cannot load CA certificates from {where} ({reason}); point it at a PEM bundle or unset it."
        ) from None
    except (httpx.InvalidURL, ValueError, ImportError) as exc:
        proxies = ", ".join(proxy_variables()) or "the proxy settings"
        raise UsageError(
            f"{proxies} does not hold a usable proxy URL ({type(exc).__name__}); set it to e.g. "
            "http://proxy.example.com:3128 or unset it."
        ) from None

"""A socket-level HTTP server for the faults a well-behaved server cannot produce.

Stalls, drips, cut-off bodies, garbage instead of HTTP, TLS with a certificate nobody trusts, a port that never
accepts.

Paths without a fault are relayed byte for byte to an upstream server (the GitHub simulator), so a run sees a
normal GitHub except where the fault is. The relay also works as a forward proxy (absolute-form request targets),
which is how the proxy tests use it.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["FAULTS", "RawServer", "Seen", "unaccepting_port"]

FAULTS = ("silent", "stall-body", "drip", "truncate", "garbage", "close")


@dataclass(frozen=True)
class Seen:
    """One request as the raw server received it: never a header value, only whether Authorization came."""

    method: str
    target: str
    authorization: bool


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: RawServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def get_request(self) -> tuple[Any, Any]:
        sock, addr = self.socket.accept()
        if self.owner.tls is not None:
            sock.settimeout(5)
            try:
                sock = self.owner.tls.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                self.owner.tls_refusals += 1  # the client refused our certificate: the point of the TLS case
                sock.close()
                raise
        return sock, addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Faults break connections on purpose; nothing to report."""


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        owner = self.server.owner
        line = self.rfile.readline(65537).decode("latin-1").strip()
        if not line:
            return
        method, target, _ = [*line.split(" ", 2), "", ""][:3]
        headers: list[tuple[str, str]] = []
        while (raw := self.rfile.readline(65537).decode("latin-1")) not in ("\r\n", "\n", ""):
            name, _, value = raw.partition(":")
            headers.append((name.strip(), value.strip()))
        owner.record(Seen(method, target, any(n.lower() == "authorization" for n, _ in headers)))
        path = urlsplit(target).path if "://" in target else target.split("?")[0]
        fault = owner.faults.get(path.removeprefix(owner.base_path)) or owner.faults.get("*")
        if fault is None:
            self._relay(method, target, headers)
        else:
            self._misbehave(fault)

    def _relay(self, method: str, target: str, headers: list[tuple[str, str]]) -> None:
        owner = self.server.owner
        if "://" in target:  # a proxy request: absolute-form target
            parts = urlsplit(target)
            query = f"?{parts.query}" if parts.query else ""
            host, port, path = parts.hostname or "", parts.port or 80, parts.path + query
        elif owner.upstream:
            parts = urlsplit(owner.upstream)
            host, port, path = parts.hostname or "", parts.port or 80, target
        else:
            self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        skip = {"host", "connection", "proxy-connection", "keep-alive"}
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            conn.request(method, path, headers={n: v for n, v in headers if n.lower() not in skip})
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        out = [f"HTTP/1.1 {response.status} {response.reason}"]
        out += [f"{n}: {v}" for n, v in response.getheaders() if n.lower() not in {"content-length", "connection"}]
        out += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
        self.wfile.write("\r\n".join(out).encode("latin-1") + body)

    def _misbehave(self, fault: str) -> None:
        owner = self.server.owner
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n"
        if fault == "silent":  # read the request, never answer: a read timeout
            owner.stopping.wait()
        elif fault == "stall-body":  # promise 1000 bytes, send 10, then nothing
            self.wfile.write(head + b"Content-Length: 1000\r\n\r\n" + b'{"login": ')
            self.wfile.flush()
            owner.stopping.wait()
        elif fault == "drip":  # one byte at a time, each well inside the read timeout, forever
            self.wfile.write(head + b"Content-Length: 100000000\r\n\r\n[")
            with contextlib.suppress(OSError):
                while not owner.stopping.wait(0.05):
                    self.wfile.write(b" ")
                    self.wfile.flush()
        elif fault == "truncate":  # promise 1000 bytes, send 40, close
            self.wfile.write(head + b"Content-Length: 1000\r\n\r\n" + b'{"login": "acme-copilot-bot", "id": 90')
        elif fault == "garbage":  # not HTTP at all
            self.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n")
        elif fault == "close":  # hang up without a word
            pass
        else:  # pragma: no cover - a typo in a test
            raise ValueError(f"unknown fault {fault!r}")


class RawServer:
    """Serves on 127.0.0.1: `faults` maps a request path (or "*") to one of FAULTS; other paths are relayed."""

    def __init__(
        self,
        upstream: str | None = None,
        faults: dict[str, str] | None = None,
        *,
        tls: ssl.SSLContext | None = None,
        base_path: str = "",
    ) -> None:
        unknown = set((faults or {}).values()) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}")
        self.upstream = upstream
        self.faults = dict(faults or {})
        self.tls = tls
        self.base_path = base_path
        self.seen: list[Seen] = []
        self.tls_refusals = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(self)
        # poll for shutdown every 20 ms (the default 500 ms would add half a second to every test's teardown)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        """The base URL to pass as --api-url (or as a proxy URL)."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}{self.base_path}"

    def record(self, seen: Seen) -> None:
        """Note one request."""
        with self._lock:
            self.seen.append(seen)

    def start(self) -> RawServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release every stalled connection and stop serving."""
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> RawServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def unaccepting_port() -> Iterator[int]:
    """A loopback port whose accept queue is full, so a new connection attempt hangs until it times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(64):  # the kernel queues backlog + 1 connections; fill the queue until a connect stalls
            sock = socket.socket()
            sock.settimeout(0.3)
            fillers.append(sock)
            try:
                sock.connect(("127.0.0.1", port))
            except TimeoutError:
                break
        yield port
    finally:
        for sock in fillers:
            sock.close()
        listener.close()

"""The fleet's one bound on GitHub traffic: requests in flight across every org, and points per sliding minute.

GitHub's secondary limits (docs: rate limits for the REST API) allow no more than 100 concurrent requests and
900 points a minute for REST (a GET costs one point). They count per user or App, and the tokens of a fleet may
all belong to one service account, so the bound holds for the whole process by default.
"""

from __future__ import annotations

import collections
import threading
import time

__all__ = ["MAX_IN_FLIGHT", "POINTS_PER_MINUTE", "Throttle"]

MAX_IN_FLIGHT = 100  # GitHub's limit on concurrent requests; the fleet never goes above it
POINTS_PER_MINUTE = 900  # GitHub's REST budget per minute for one user or App
WINDOW = 60.0


class Throttle:
    """A context manager held around each request: at most `in_flight` at once and `per_minute` a sliding minute."""

    def __init__(self, in_flight: int, per_minute: int) -> None:
        if not 1 <= in_flight <= MAX_IN_FLIGHT:
            raise ValueError(f"in_flight must be 1 to {MAX_IN_FLIGHT}")
        self._slots = threading.BoundedSemaphore(in_flight)
        self._per_minute = per_minute  # 0: no budget per minute (a fleet whose tokens belong to many accounts)
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds requests spent waiting for the minute's budget, summed
        self.peak = 0  # the most requests that were in flight at once
        self._active = 0

    def _take_point(self) -> None:
        while self._per_minute:
            with self._lock:
                now = time.monotonic()
                while self._sent and now - self._sent[0] >= WINDOW:
                    self._sent.popleft()
                if len(self._sent) < self._per_minute:
                    self._sent.append(now)
                    return
                pause = WINDOW - (now - self._sent[0]) + 0.01
                self.waited += pause
            time.sleep(pause)

    def __enter__(self) -> Throttle:
        self._take_point()
        self._slots.acquire()
        with self._lock:
            self._active += 1
            self.peak = max(self.peak, self._active)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._active -= 1
        self._slots.release()

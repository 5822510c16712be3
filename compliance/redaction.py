"""Last line of defence: scrub the token from log records and test reports, whatever slips through."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from compliance.token import Token

__all__ = ["Redactor"]

MASK = "[token redacted]"


class Redactor:
    """Replaces every known form of the token in text; installed for the run and removed afterwards."""

    def __init__(self, *tokens: Token) -> None:
        self._needles = tuple(sorted((n for t in tokens for n in t.needles()), key=len, reverse=True))
        self._previous: Callable[..., logging.LogRecord] | None = None

    def scrub(self, text: str) -> str:
        """Return text with every form of the token masked."""
        for needle in self._needles:
            if needle in text:
                text = text.replace(needle, MASK)
        return text

    def install(self) -> None:
        """Mask the token in every log record at creation, so every handler sees the masked text."""
        if not self._needles:
            return
        previous = logging.getLogRecordFactory()
        self._previous = previous

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                return record
            clean = self.scrub(message)
            if clean != message:
                record.msg, record.args = clean, None
            return record

        logging.setLogRecordFactory(factory)

    def uninstall(self) -> None:
        """Restore the log record factory."""
        if self._previous is not None:
            logging.setLogRecordFactory(self._previous)
            self._previous = None

    def report(self, rep: pytest.TestReport) -> None:
        """Mask the token in a test report's traceback and captured output."""
        if not self._needles:
            return
        if rep.longrepr is not None:
            text = str(rep.longrepr)
            clean = self.scrub(text)
            if clean != text:
                rep.longrepr = clean
        rep.sections = [(title, self.scrub(body)) for title, body in rep.sections]

"""Last line of defence: scrub the token from log records and test reports, whatever slips through."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from compliance.token import Masker, Token

__all__ = ["Redactor"]


class Redactor:
    """Replaces every known form of the token in text; installed for the run and removed afterwards."""

    def __init__(self, *tokens: Token) -> None:
        self._masker = Masker(*tokens)
        self._previous: Callable[..., logging.LogRecord] | None = None

    def scrub(self, text: str) -> str:
        """Return text with every form of the token, whole or in part, masked."""
        return self._masker.mask(text)

    def install(self) -> None:
        """Mask the token in every log record at creation, so every handler sees the masked text."""
        if not self._masker:
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
        if not self._masker:
            return
        longrepr = rep.longrepr
        if isinstance(longrepr, tuple):  # a skip: (path, line, reason); JUnit and -v need the tuple kept
            rep.longrepr = tuple(self.scrub(x) if isinstance(x, str) else x for x in longrepr)  # type: ignore[assignment]
        elif longrepr is not None:
            text = str(longrepr)
            clean = self.scrub(text)
            if clean != text:
                rep.longrepr = clean
        rep.sections = [(title, self.scrub(body)) for title, body in rep.sections]

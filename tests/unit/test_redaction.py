"""The last line of defence: log records and test reports lose every form of the token, and keep their shape."""

from __future__ import annotations

import logging

import pytest

from compliance.redaction import Redactor
from compliance.token import MASK, Token
from tests.support import CANARY, leak_forms


def _report(longrepr: object) -> pytest.TestReport:
    return pytest.TestReport("x::y", ("x", 1, "y"), {}, "skipped", longrepr, "call", [("Captured", CANARY)])


def test_a_skip_keeps_its_tuple() -> None:
    """A skipped test's (path, line, reason) stays a tuple: JUnit XML and -v crash on a plain string."""
    rep = _report(("x.py", 3, f"Skipped: UNVERIFIED: echoed {CANARY}"))
    Redactor(Token(CANARY)).report(rep)
    assert isinstance(rep.longrepr, tuple)
    assert MASK in rep.longrepr[2] and CANARY not in rep.longrepr[2]
    assert CANARY not in rep.sections[0][1]


def test_pytest_shortened_forms_are_masked() -> None:
    """Pytest shortens long strings in the middle ('abc...xyz'): each visible half of the token is masked too."""
    shortened = f"'{CANARY[:30]}...{CANARY[-28:]}'"
    clean = Redactor(Token(CANARY)).scrub(shortened)
    assert not [form for form in leak_forms(CANARY) if form in clean]


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    """A log line that carries the token (an HTTP library's debug line) is masked when the record is made."""
    redactor = Redactor(Token(CANARY))
    redactor.install()
    try:
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("httpx").debug("Authorization: Bearer %s", CANARY)
    finally:
        redactor.uninstall()
    assert CANARY not in caplog.text and MASK in caplog.text


def test_the_public_prefix_alone_is_not_masked() -> None:
    """Saying 'github_pat_' (the public prefix) in a sentence is not a leak and stays readable."""
    text = "The token has the fine-grained prefix github_pat_; nothing else."
    assert Redactor(Token(CANARY)).scrub(text) == text

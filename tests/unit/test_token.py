"""The masked token type: it never prints, strips and reports whitespace, and refuses malformed text quietly."""

from __future__ import annotations

import pickle

import pytest

from compliance.model import TokenKind
from compliance.token import Token, parse_token
from tests.support import CANARY, leak_forms


def test_token_never_prints() -> None:
    """repr, str, format and f-strings show a fingerprint, never the value; pickling is refused."""
    token = Token(CANARY)
    shown = " ".join([repr(token), str(token), f"{token}", f"{token!r}", format(token, ""), str([token])])
    for form in leak_forms(CANARY):
        assert form not in shown
    assert token.fingerprint in shown
    with pytest.raises(TypeError):
        pickle.dumps(token)
    assert token.reveal() == CANARY
    assert token.kind is TokenKind.FINE_GRAINED


@pytest.mark.parametrize(("value", "stripped"), [(CANARY, False), (f"{CANARY}\n", True), (f"  {CANARY}\t", True)])
def test_token_whitespace(value: str, stripped: bool) -> None:
    """Surrounding whitespace is stripped and reported."""
    token, was_stripped = parse_token(value, "X")
    assert token.reveal() == CANARY
    assert was_stripped is stripped


def test_bad_token_message_never_echoes_value() -> None:
    """The error for a malformed token does not contain it."""
    with pytest.raises(ValueError, match="does not hold a GitHub token") as err:
        parse_token("github_pat_short value!", "X")
    assert "short value" not in str(err.value)

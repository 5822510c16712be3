"""Property tests: whatever GitHub answers, every requirement gets exactly one of the six verdict words."""

from __future__ import annotations

import contextlib
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.catalogue import load_profile
from compliance.evaluation import evaluate
from compliance.evidence import Failure, Reply
from compliance.expiry import parse_expiration
from compliance.verdicts import CHECKS, Settings, Word
from tests.evidence_factory import compliant_results, evidence

PROFILES = [load_profile(p, CHECKS.keys()) for p in ("milestone-copilot", "milestone-repos-copilot")]
WORDS = {w.value for w in Word}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
header_names = st.sampled_from(
    [
        "github-authentication-token-expiration",
        "x-oauth-scopes",
        "retry-after",
        "x-accepted-github-permissions",
        "date",
        "link",
    ]
)
answers = st.one_of(
    st.builds(
        Reply,
        path=st.just("/x"),
        status=st.sampled_from([200, 204, 301, 401, 403, 404, 422, 429]),
        headers=st.dictionaries(header_names, st.text(max_size=30), max_size=3),
        body=json_values,
    ),
    st.builds(Failure, path=st.just("/x"), reason=st.text(max_size=20)),
)


@settings(max_examples=300, deadline=None)
@given(
    changes=st.dictionaries(st.sampled_from(list(compliant_results())), answers, max_size=6),
    profile=st.sampled_from(PROFILES),
    allow=st.booleans(),
    window=st.integers(0, 400),
)
def test_verdicts_never_raise(changes: dict[str, object], profile: object, allow: bool, window: int) -> None:
    """Arbitrary shapes, statuses and headers yield a verdict word for every requirement, never an exception."""
    results = {**compliant_results(), **changes}
    got = evaluate(evidence(results), profile, Settings(allow, window, None))  # type: ignore[arg-type]
    assert {v.word.value for v in got.values()} <= WORDS
    assert list(got) == [r.id for r in profile.requirements]  # type: ignore[attr-defined]


@given(st.text(max_size=40))
def test_expiry_parser_only_raises_value_error(text: str) -> None:
    """Odd expiry header values are either parsed or rejected with ValueError."""
    with contextlib.suppress(ValueError):
        parse_expiration(text)


def test_checks_never_import_the_publishing_code() -> None:
    """The compliance checks cannot reach a writer: the publishing package is never imported by them."""
    code = (
        "import sys, compliance.plugin, compliance.run; "
        "sys.exit(any(m.startswith('compliance.publish') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

"""Property tests: whatever GitHub answers, every requirement gets exactly one of the six verdict words."""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import math
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from compliance.checks.evaluate import evaluate
from compliance.checks.facts import parse_expiration
from compliance.checks.registry import REGISTRY
from compliance.evidence import Failure, Reply
from compliance.gather.answers import rate_limit_wait
from compliance.gather.cassettes import DEMO_CASSETTE
from compliance.gather.client import GitHub
from compliance.inputs import parse_api_url, resolve
from compliance.model import Settings, Word
from compliance.model import UsageError as InputError
from compliance.profiles import load_profile
from compliance.redaction import Redactor
from compliance.report.document import to_json
from compliance.run import assess
from compliance.token import TokenShapeError, parse_token
from tests.evidence_factory import compliant_results, evidence
from tests.support import CANARY, requirement_count

pytestmark = pytest.mark.battery

PROFILES = [load_profile(p, REGISTRY.keys()) for p in ("milestone-copilot", "milestone-repos-copilot")]
WORDS = {w.value for w in Word}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
HEADER_NAMES = [
    "github-authentication-token-expiration",
    "x-oauth-scopes",
    "retry-after",
    "x-accepted-github-permissions",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "date",
    "link",
]
header_names = st.sampled_from(HEADER_NAMES)
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
    evaluation = evaluate(evidence(results), profile, Settings(allow, window, None))  # type: ignore[arg-type]
    got = {f.requirement.id: f.verdict for f in evaluation.findings}
    assert {v.word.value for v in got.values()} <= WORDS
    assert not [v.evidence for v in got.values() if "bug in the suite" in v.evidence]
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


# -- response parsing over real HTTP: whatever a server sends, GitHub.get returns a Reply or a Failure -------------

printable = st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"), max_size=40)
# digits of every script too (str.isdigit() accepts "²" and "٣", float() refuses the first)
digit_like = st.one_of(
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=4),
    st.sampled_from(["²", "①", "٣", "\uff11\uff12"]),
)
header_values = st.one_of(
    printable, digit_like, st.from_regex(r"\A[0-9]{1,20}\Z"), st.sampled_from(["0", "-1", "1e9", "", " 5 "])
)
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/html", "text/plain", "", "application/x-ndjson"]
)
bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"", b"{", b"null", b"[]", b'{"message": 5}', b"\xff\xfe", b'{"login": ["x"]}']),
)


class _Answer:
    """The answer the test server gives next (set by each hypothesis example)."""

    status = 200
    headers: dict[str, str] = {}  # noqa: RUF012 - replaced whole by each example
    body = b""

    def __call__(self, request: Request) -> Response:
        return Response(self.body, status=self.status, headers=self.headers)


@pytest.fixture(scope="module")
def answering_server() -> Iterator[tuple[HTTPServer, _Answer]]:
    """One real HTTP server on 127.0.0.1 whose answer each example sets."""
    answer = _Answer()
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request(re.compile(".*")).respond_with_handler(answer)
    server.start()
    yield server, answer
    server.stop()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    status=st.integers(200, 599),
    headers=st.dictionaries(st.sampled_from([*HEADER_NAMES, "location"]), header_values, max_size=4),
    content_type=content_types,
    body=bodies,
    probe=st.sampled_from(list(compliant_results())),
)
def test_any_answer_parses_to_a_result_and_a_verdict(
    answering_server: tuple[HTTPServer, _Answer],
    status: int,
    headers: dict[str, str],
    content_type: str,
    body: bytes,
    probe: str,
) -> None:
    """Arbitrary statuses, headers, content types and bodies over real HTTP: a Reply or Failure, then six words."""
    server, answer = answering_server
    # on the wire a header is bytes: send each value's UTF-8 bytes (werkzeug writes header text as Latin-1)
    wire = {name: value.encode().decode("latin-1") for name, value in headers.items()}
    answer.status, answer.headers, answer.body = status, {**wire, "Content-Type": content_type}, body
    with GitHub(server.url_for("/"), None, max_wait=0, attempts=1, timeout=2) as client:
        result = client.get("/x")
    assert isinstance(result, (Reply, Failure))
    assert not (isinstance(result, Failure) and "timed out" in result.reason), "the test server did not answer"
    assert result.describe()
    evaluation = evaluate(
        evidence({**compliant_results(), probe: result}), PROFILES[0], Settings(False, 30, "acme-bot")
    )
    got = {f.requirement.id: f.verdict for f in evaluation.findings}
    assert not [v.evidence for v in got.values() if "bug in the suite" in v.evidence]
    assert {v.word.value for v in got.values()} <= WORDS
    assert all(v.evidence for v in got.values())


# -- the smaller parsers -------------------------------------------------------------------------------------------


@given(st.text(max_size=80))
def test_api_url_parser_accepts_or_explains(text: str) -> None:
    """Any --api-url text is either a clean base URL or an InputError sentence naming the option."""
    try:
        url = parse_api_url(text)
    except InputError as exc:
        message = str(exc)
    else:
        assert url.startswith(("https://", "http://")) and not url.endswith("/")
        return
    assert message.startswith("--api-url")


def _refusal(text: str) -> str:
    with pytest.raises(TokenShapeError) as refused:
        parse_token(text, "GITHUB_TOKEN")
    return str(refused.value)


# The fixed sentences, produced for inputs that hold nothing to echo: a blank one and a malformed one.
NEUTRAL_REFUSALS = {True: _refusal(" "), False: _refusal("\x00")}


# The refusal's own words are not an echo: inputs made of them once failed a check that any 8 characters of the
# input in the message were a leak.
@example("GITHUB_TOKEN")
@example("  GITHUB_TOKEN\n")
@example("does not hold a GitHub token")
@example("github_pat_, ghp_, gho_")
@example("check that you copied the whole fine-grained token.")
@given(st.text(max_size=120))
def test_token_parser_never_echoes_text(text: str) -> None:
    """Token parsing accepts a token or refuses with a sentence that holds none of the text beyond its own words."""
    try:
        token, _ = parse_token(text, "GITHUB_TOKEN")
    except TokenShapeError as exc:
        message = str(exc)
    else:
        assert text.strip() not in repr(token) + str(token) + f"{token}"
        return
    stripped = text.strip()
    fixed = NEUTRAL_REFUSALS[not stripped]
    size = min(8, len(stripped))
    windows = {stripped[i : i + size] for i in range(len(stripped) - size + 1)} if stripped else set()
    echoed = sorted(w for w in windows if w in message and w not in fixed)
    assert not echoed, f"the refusal echoes the input: {echoed}"


@given(st.text(max_size=30), st.sampled_from(range(4)), st.text(max_size=30))
def test_redactor_removes_every_form(before: str, form: int, after: str) -> None:
    """Whatever surrounds it, every leakable form of the token is masked."""
    token, _ = parse_token(CANARY, "test")
    needle = token.needles()[form % len(token.needles())]
    scrubbed = Redactor(token).scrub(before + needle + after)
    assert CANARY not in scrubbed and needle not in scrubbed


@given(st.dictionaries(st.sampled_from(HEADER_NAMES), header_values, max_size=4), st.sampled_from([403, 429, 200]))
def test_rate_limit_hints_never_raise(headers: dict[str, str], status: int) -> None:
    """Any Retry-After / X-RateLimit-* values give a finite wait of 0 or more, or no wait."""
    wait = rate_limit_wait(Reply("/x", status, headers, {"message": "API rate limit exceeded"}))
    assert wait is None or (wait >= 0 and math.isfinite(wait))


# -- cassettes edited by hand: replay works or says the cassette is broken, never crashes ---------------------------

META_FIELDS = [
    ("api_url",), ("demo",), ("org",), ("profile",), ("recorded_at",), ("schema",), ("suite_version",),
    ("options", "allow_no_expiration"), ("options", "expected_owner"), ("options", "expiry_warning_days"),
    ("options", "max_wait"), ("token", "fingerprint"), ("token", "kind"), ("token", "source"),
    ("token", "source", "env_var"), ("token", "source", "file"), ("token", "source", "file_mode"),
    ("token", "source", "file_owned_by_user"),
]  # fmt: skip
odd_values = st.one_of(
    json_values,
    st.sampled_from(["2026-11-20T10:00:00", "9999-12-31T23:59:59+00:00", "nan", "ftp://x", "", "fine-grained", -1]),
)


@functools.cache
def _demo_cassette() -> dict[str, Any]:
    """The bundled demo cassette, parsed once (each example edits a copy)."""
    return yaml.safe_load(DEMO_CASSETTE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(META_FIELDS), value=odd_values)
def test_edited_cassette_replays_or_is_refused(
    tmp_path_factory: pytest.TempPathFactory, field: tuple[str, ...], value: object
) -> None:
    """Any one metadata field replaced by any value: replay yields every verdict, or an InputError sentence."""
    doc = copy.deepcopy(_demo_cassette())
    meta = doc["metadata"]["copilot_token_compliance"]
    *parents, last = field
    node = meta
    for key in parents:
        node = node[key] if isinstance(node.get(key), dict) else node.setdefault(key, {})
        if not isinstance(node, dict):
            return
    node[last] = value
    cassette = tmp_path_factory.mktemp("edited") / "c.yaml"
    cassette.write_text(yaml.safe_dump(doc), encoding="utf-8")
    out = cassette.parent
    raw = {"mode": "replay", "cassette": str(cassette), "compliance_json": str(out / "c.json"),
           "compliance_md": str(out / "c.md"), "profile": "milestone-copilot"}  # fmt: skip
    try:
        opts = resolve(raw, {})
        assessment = assess(opts, load_profile(opts.profile, REGISTRY.keys()))
    except InputError as exc:
        refusal = str(exc)
    else:
        refusal = ""
    if refusal:
        assert refusal.startswith("The cassette") and refusal.endswith(".")
        return
    assert {v.word.value for v in assessment.verdicts.values()} <= WORDS
    assert len(assessment.verdicts) == requirement_count()
    to_json(assessment, assessment.evidence.now)  # the report can be built from it

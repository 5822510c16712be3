"""Every input is hostile until checked: bounded size and depth, a schema, one plain sentence, never a traceback."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance.attestations import load_attestations
from compliance.catalogue import ProfileError
from compliance.checks.evaluate import Evaluation, evaluate
from compliance.checks.facts import parse_expiration, read_expiry
from compliance.checks.registry import REGISTRY
from compliance.evidence import NotSent, Reply, Result
from compliance.gather.cassettes import DEMO_CASSETTE, load_recording
from compliance.gather.collect import collect
from compliance.gather.guard import guard_process
from compliance.gather.recorder import _Scrubber
from compliance.model import Settings, Target, TokenKind, UsageError, Word
from compliance.probes import GRANTS, MEMBERSHIP, RECORD_PROBES, REQUESTS
from compliance.profiles import load_profile
from compliance.token import read_token
from tests.evidence_factory import NOW, ORG, compliant_results, evidence, reply
from tests.support import Runner

pytestmark = pytest.mark.battery

PROFILE = load_profile("milestone-copilot", REGISTRY.keys())
KNOWN = [r.id for r in PROFILE.requirements]
EXPIRY = "github-authentication-token-expiration"
GRANTS_PATH = f"/orgs/{ORG}/personal-access-tokens"


def _judged(ev: Any, **settings: Any) -> Evaluation:
    """evaluate() yields a verdict word for every requirement, none of them the suite's own bug."""
    result = evaluate(ev, PROFILE, Settings(**settings))
    assert len(result.findings) == len(PROFILE.requirements)
    bugs = [f.requirement.id for f in result.findings if "bug in the suite" in f.verdict.evidence]
    assert not bugs, bugs
    return result


def _assert_usage_error(ret: int, stdout: str, stderr: str, *needles: str) -> None:
    assert ret == 4, stdout + stderr
    errors = [line for line in stderr.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1, stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    assert "Traceback" not in stdout + stderr
    assert "INTERNALERROR" not in stdout + stderr


# 1. Expiry headers at the edge of the calendar


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31 23:59:59 -2359",
        "0001-01-01 00:00:00 +2359",
        "9999-12-31 23:59:59 -0001",
        "0001-01-01 00:00:00 +0001",
    ],
)
def test_extreme_expiry_header_is_unreadable(value: str) -> None:
    """An offset that pushes the expiry past the calendar is an unreadable header, never an OverflowError."""
    with pytest.raises(ValueError, match="unrecognised"):
        parse_expiration(value)
    user = Reply("/user", 200, {EXPIRY: value}, {"login": "acme-bot", "type": "User"})
    assert read_expiry(user, NOW).unreadable
    result = _judged(evidence(user=user))
    assert result.facts.expiry.unreadable
    assert any(f.verdict.word is Word.ERROR for f in result.findings)


# 2. Odd logins and odd grant records


def _with_record(user_login: object, **entry_fields: object) -> dict[str, Result]:
    results = compliant_results()
    results["user"] = Reply("/user", 200, {}, {"login": user_login, "type": "User"})
    entry: dict[str, Any] = {
        "id": 1001,
        "owner": {"login": user_login},
        "token_name": PROFILE.token_name,
        "repository_selection": "none",
        "permissions": {"organization": {"members": "read"}, "repository": {}, "other": {}},
        "access_granted_at": (NOW - dt.timedelta(days=10)).isoformat(),
        "token_expires_at": None,
    } | entry_fields
    results[GRANTS] = reply(GRANTS_PATH, 200, [entry])
    results[REQUESTS] = reply(GRANTS_PATH + "-requests", 200, [])
    results[MEMBERSHIP] = reply(f"/orgs/{ORG}/memberships/x", 200, {"role": 5, "state": ["active"]})
    return results


@pytest.mark.parametrize(
    "login", ["acme\x07bot", "acme\x00", 123, None, ["acme-bot"], {"a": 1}, 1.5, True, "x" * 100_000, "a/../b"]
)
@pytest.mark.parametrize("owner", [None, "acme-bot"])
def test_odd_login_yields_verdicts(login: object, owner: str | None) -> None:
    """Any login GET /user may carry gives verdict words, with or without --expected-owner."""
    _judged(evidence(_with_record(login)), expected_owner=owner)


@pytest.mark.parametrize(
    "fields",
    [
        {"token_expires_at": 5},
        {"token_expires_at": ["2027-01-01"]},
        {"token_expires_at": "9999-12-31T23:59:59-23:59"},
        {"token_expires_at": "0001-01-01T00:00:00+23:59"},
        {"access_granted_at": "9999-12-31T23:59:59-23:59"},
        {"token_last_used_at": "9999-12-31T23:59:59-23:59"},
        {"created_at": "0001-01-01T00:00:00+23:59"},
        {"permissions": "read"},
        {"permissions": [1]},
        {"permissions": {"organization": "read"}},
        {"permissions": {"organization": {"members": 5}}},
        {"owner": "acme-bot"},
        {"owner": ["acme-bot"]},
        {"owner": None},
        {"owner": {"login": ["acme-bot"]}},
        {"id": [1]},
        {"id": {"a": 1}},
        {"id": None},
        {"id": "x" * 10_000},
        {"token_name": 5},
        {"token_name": ["x"]},
        {"repository_selection": ["all"]},
        {"access_granted_at": 5},
        {"token_last_used_at": {"a": 1}},
    ],
    ids=repr,
)
def test_odd_grant_record_yields_verdicts(fields: dict[str, object]) -> None:
    """Any field of the grant record of any type gives verdict words."""
    _judged(evidence(_with_record("acme-bot", **fields)), expected_owner="acme-bot")


# 3. The login goes into the GitHub App's request paths


class _FakeClient:
    """Answers every GET with 200; records what was asked."""

    def __init__(self, login: object) -> None:
        self.login = login
        self.asked: list[tuple[str, dict[str, str] | None]] = []
        self.requests: list[Any] = []

    def get(self, path: str, params: dict[str, str] | None = None) -> Reply:
        self.asked.append((path, params))
        if path == "/user":
            return Reply(path, 200, {}, {"login": self.login, "type": "User"})
        return Reply(path, 200, {}, [] if "personal-access" in path else {"login": ORG})

    def get_all(self, path: str, params: dict[str, str] | None = None) -> Reply:
        return self.get(path, params)


@pytest.mark.parametrize(
    "login", ["x/../../repos/evil", "x?a=b", "x%2Fy", "x y", "x#frag", "acme\x1fbot", "-x", "a--b", "a" * 40]
)
def test_crafted_login_is_not_sent_to_the_app(login: str) -> None:
    """A login that is not a GitHub login never reaches the App's paths; the record is NotSent, saying why."""
    client, app = _FakeClient(login), _FakeClient("app")
    ev = collect(Target(ORG, "https://api.github.com"), client, NOW, TokenKind.FINE_GRAINED, None, app)  # type: ignore[arg-type]
    assert app.asked == []
    for probe in RECORD_PROBES:
        result = ev.results[probe.name]
        assert isinstance(result, NotSent), result
        assert "login" in result.reason
        assert login not in result.path
    verdicts = _judged(ev)
    assert verdicts.facts.record is not None and not verdicts.facts.record.found


def test_valid_login_reaches_the_app() -> None:
    """A real login still reads the record."""
    client, app = _FakeClient("acme-bot"), _FakeClient("app")
    collect(Target(ORG, "https://api.github.com"), client, NOW, TokenKind.FINE_GRAINED, None, app)  # type: ignore[arg-type]
    assert (f"/orgs/{ORG}/memberships/acme-bot", None) in app.asked


# 4. Cassettes


def _demo() -> dict[str, Any]:
    return yaml.safe_load(DEMO_CASSETTE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _set(doc: dict[str, Any], dotted: str, value: object) -> None:
    *parents, last = dotted.split(".")
    node: Any = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("interactions", [1]),
        ("interactions", {"a": 1}),
        ("interactions.0", "request"),
        ("interactions.0.request", "GET /user"),
        ("interactions.0.request.uri", 5),
        ("interactions.0.request.method", None),
        ("interactions.0.request.headers", ["accept"]),
        ("interactions.0.request.headers", {"accept": "text/plain"}),
        ("interactions.0.response", None),
        ("interactions.0.response.status", 200),
        ("interactions.0.response.status.code", "200"),
        ("interactions.0.response.status.code", True),
        ("interactions.0.response.headers", []),
        ("interactions.0.response.headers", {"content-type": "application/json"}),
        ("interactions.0.response.headers", {"content-type": [1]}),
        ("interactions.0.response.body", "text"),
        ("interactions.0.response.body.string", 5),
        ("interactions.0.response.body.string", {"a": 1}),
        ("metadata.copilot_token_compliance.org", "acme\x1f"),
        ("metadata.copilot_token_compliance.org", "acme/../x"),
        ("metadata.copilot_token_compliance.org", 5),
        ("metadata.copilot_token_compliance.token.hashed_token", "not base64 of a digest"),
        ("metadata.copilot_token_compliance.token.hashed_token", 5),
        # a well-formed hash of another token than the fingerprint names
        ("metadata.copilot_token_compliance.token.hashed_token", "A" * 43 + "="),
    ],
)
def test_malformed_cassette_is_refused(tmp_path: Path, field: str, value: object) -> None:
    """Wrong types anywhere in a cassette are one sentence naming the file, before vcrpy or httpx see it."""
    doc = copy.deepcopy(_demo())
    _set(doc, field, value)
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(UsageError, match="cassette") as caught:
        load_recording(path)
    assert str(path) in str(caught.value)


def test_demo_cassette_still_loads() -> None:
    """The bundled demo passes the schema."""
    assert load_recording(DEMO_CASSETTE).org


@pytest.mark.parametrize("what", ["huge", "aliases", "dev-zero"])
def test_cassette_read_is_bounded(tmp_path: Path, what: str) -> None:
    """A cassette larger than the bound, with YAML aliases, or a device, is refused without reading it whole."""
    path = tmp_path / "c.yaml"
    text = DEMO_CASSETTE.read_text(encoding="utf-8")
    if what == "huge":
        path.write_text(text + "#" + "x" * (9 * 1024 * 1024) + "\n", encoding="utf-8")
    elif what == "aliases":
        path.write_text(text.replace("interactions:\n", "x: &a [1]\ny: *a\ninteractions:\n", 1), encoding="utf-8")
    else:
        path = Path("/dev/zero")
    with pytest.raises(UsageError, match="cassette"):
        load_recording(path)


# 5. Record mode: never overwrite, and find an unwritable target before sending anything


def test_record_refuses_to_overwrite(run_suite: Runner, tmp_path: Path) -> None:
    """An existing cassette is refused before any request is sent, and left as it was."""
    target = Path.cwd() / "c.yaml"
    target.write_text("precious\n", encoding="utf-8")
    run = run_suite("compliant", "--mode", "record", "--cassette", str(target))
    _assert_usage_error(run.ret, run.stdout, run.stderr, str(target))
    assert target.read_text(encoding="utf-8") == "precious\n"
    assert run.requests == []


@pytest.mark.parametrize("where", ["folder", "under-a-file", "read-only-folder"])
def test_record_unwritable_cassette_before_sending(run_suite: Runner, where: str) -> None:
    """A cassette path that cannot be written is one sentence before the first request."""
    base = Path.cwd()
    if where == "folder":
        (base / "c.yaml").mkdir()
        target = base / "c.yaml"
    elif where == "under-a-file":
        (base / "file").write_text("x", encoding="utf-8")
        target = base / "file" / "c.yaml"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes anywhere")
        locked = base / "locked"
        locked.mkdir()
        locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
        target = locked / "c.yaml"
    run = run_suite("compliant", "--mode", "record", "--cassette", str(target))
    _assert_usage_error(run.ret, run.stdout, run.stderr, str(target))
    assert run.requests == []


# 6. Attestation files


def _attestation(attested_at: str = "2026-11-01") -> str:
    return (
        "attestations:\n"
        f"  - requirement: {KNOWN[0]}\n"
        "    verdict: pass\n"
        "    attested_by: Jane Admin\n"
        f"    attested_at: '{attested_at}'\n"
        "    valid_until: '2027-11-01'\n"
        "    justification: Checked in the org settings page.\n"
        "    evidence: https://example.com/ticket/1\n"
    )


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    ("suffix", "content", "needle"),
    [
        (".yaml", "attestations:\n" + "  " + "[" * 500 + "]" * 500 + "\n", "deep"),
        (".yaml", BOMB + "attestations: [*i]\n", "alias"),
        (".yaml", "attestations: []\n#" + "x" * (2 * 1024 * 1024) + "\n", "larger"),
        (".toml", "attestations = []\n#" + "x" * (2 * 1024 * 1024) + "\n", "larger"),
        (".toml", "x = " + "[" * 5000 + "]" * 5000 + "\nattestations = []\n", "deep"),
    ],
    ids=["yaml-deep", "yaml-alias-bomb", "yaml-huge", "toml-huge", "toml-deep"],
)
def test_hostile_attestation_file_is_refused(tmp_path: Path, suffix: str, content: str, needle: str) -> None:
    """Deep nesting, alias bombs and huge files are one sentence each, quickly."""
    path = tmp_path / f"a{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=needle) as caught:
        load_attestations(path, KNOWN)
    assert str(caught.value).count(". ") == 0 and str(caught.value).endswith(".")


def test_attestation_device_is_refused() -> None:
    """A device (here /dev/zero) is not read without end."""
    with pytest.raises(UsageError, match="regular file"):
        load_attestations(Path("/dev/zero"), KNOWN)


def test_future_attestation_is_ignored(tmp_path: Path) -> None:
    """A statement dated after the run's date is ignored with a line-precise warning."""
    path = tmp_path / "a.yaml"
    path.write_text(_attestation("2099-01-01"), encoding="utf-8")
    found, warnings = load_attestations(path, KNOWN, today=NOW.date())
    assert found == []
    assert warnings and "line 2" in warnings[0] and "in the future" in warnings[0]
    path.write_text(_attestation("2026-11-01"), encoding="utf-8")
    found, warnings = load_attestations(path, KNOWN, today=NOW.date())
    assert len(found) == 1 and warnings == []


# 7. Profiles


_PROFILE = (Path(__file__).resolve().parents[2] / "compliance" / "profiles" / "milestone-copilot.toml").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("x = " + "[" * 5000 + "]" * 5000 + "\n" + _PROFILE, "deep"),
        ("x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n" + _PROFILE, "deep"),
        (_PROFILE + "#" + "x" * (2 * 1024 * 1024) + "\n", "larger"),
        (_PROFILE.replace("max_lifetime_days = ", "max_lifetime_days = 1000000000000000000000#"), "max_lifetime_days"),
        (_PROFILE.replace("max_lifetime_days = ", "max_lifetime_days = 3651#"), "max_lifetime_days"),
        (_PROFILE.replace("expires_in_days = ", "expires_in_days = 367#"), "expires_in_days"),
        (_PROFILE.replace("expires_in_days = ", "expires_in_days = 99999999999999999999#"), "expires_in_days"),
    ],
    ids=["deep-arrays", "deep-tables", "huge", "lifetime-huge", "lifetime-3651", "expires-367", "expires-huge"],
)
def test_hostile_profile_is_refused(tmp_path: Path, content: str, needle: str) -> None:
    """Deep nesting, a huge file and absurd day counts are one ProfileError sentence each."""
    path = tmp_path / "p.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProfileError, match=needle):
        load_profile(str(path), REGISTRY.keys())


# 8. The token file


def test_huge_token_file_is_refused(tmp_path: Path) -> None:
    """A token file far larger than any token is refused by its size, not read whole."""
    path = tmp_path / "token"
    path.write_text("github_pat_" + "a" * (1024 * 1024), encoding="utf-8")
    with pytest.raises(UsageError, match="larger than"):
        read_token("GITHUB_TOKEN", str(path), {})


def test_device_token_file_is_refused() -> None:
    """/dev/zero is not a regular file, and is not read."""
    with pytest.raises(UsageError, match="not a regular file"):
        read_token("GITHUB_TOKEN", "/dev/zero", {})


def test_fifo_token_file_does_not_hang(tmp_path: Path) -> None:
    """A FIFO is refused at once instead of waiting for a writer."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            read_token("GITHUB_TOKEN", str(fifo), {})
        except BaseException as exc:  # handed to the test below
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():
        with open(fifo, "w", encoding="utf-8") as unblock:  # let the blocked reader go
            unblock.write("x")
        worker.join(5)
        pytest.fail("read_token blocked on a FIFO")
    assert isinstance(outcome[0], UsageError) and "not a regular file" in str(outcome[0])


# 9. Hashed logins in cassettes


def test_hashed_logins_are_salted_per_cassette() -> None:
    """The same login hashes the same within one cassette, differently across cassettes, and not as plain sha256."""
    body = {"login": "octocat", "type": "User"}
    one, two = _Scrubber(), _Scrubber()
    first, again, other = one._json(body)["login"], one._json(body)["login"], two._json(body)["login"]
    assert first == again
    assert first != other
    assert first != "user-" + hashlib.sha256(b"octocat").hexdigest()[:10]
    assert first.startswith("user-")


# 10. SSLKEYLOGFILE and core dumps


def test_sslkeylogfile_is_refused(run_suite: Runner, tmp_path: Path) -> None:
    """SSLKEYLOGFILE would write the TLS secrets: refused before any request."""
    keylog = tmp_path / "keys.log"
    run = run_suite("compliant", env={"SSLKEYLOGFILE": str(keylog)})
    _assert_usage_error(run.ret, run.stdout, run.stderr, "SSLKEYLOGFILE")
    assert run.requests == []
    assert not keylog.exists()


def test_core_dumps_are_off() -> None:
    """The start-up guard sets RLIMIT_CORE to 0 (in a child interpreter, so this process keeps its limit)."""
    code = (
        "import resource\n"
        "from compliance.gather.guard import guard_process\n"
        "guard_process({})\n"
        "print(resource.getrlimit(resource.RLIMIT_CORE)[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2]
    )
    assert done.stdout.strip() == "0"
    with pytest.raises(UsageError, match="SSLKEYLOGFILE"):
        guard_process({"SSLKEYLOGFILE": "/tmp/k"})


@pytest.mark.parametrize("depth", [700, 5000])
def test_record_mode_scrubs_a_deeply_nested_body(depth: int) -> None:
    """A body nested hundreds or thousands deep is kept as masked text by the recorder, never a RecursionError."""
    from compliance.gather.recorder import _Scrubber

    body = "[" * depth + "]" * depth
    assert _Scrubber().body({"body": {"string": body}})["body"]["string"] == body

"""Fault battery: whatever the network or the server does, every requirement gets a verdict and a plain message.

Faults a well-behaved HTTP server can produce (statuses, redirects, bodies, types, rate limits) come from the
simulator's scenario rules; the rest (stalls, drips, cut-off bodies, garbage, hang-ups, TLS, full accept queues)
from a raw socket server that relays everything else to the simulator. None of these runs may hang (the runner has
a hang guard), show a traceback, leak the token, or report a pass that was not observed.
"""

from __future__ import annotations

import ssl
from typing import Any

import pytest
import trustme

from tests.simulator import load_scenario
from tests.simulator.raw import RawServer, unaccepting_port
from tests.support import CANARY, Runner, SuiteRun, assert_no_leak, requirement_count

pytestmark = pytest.mark.battery

WORDS = {"pass", "fail", "warn", "unverified", "error", "not_applicable"}
# When GET /user cannot be used, only what needs no network stays decided.
OFFLINE = {"FINE-GRAINED": "pass", "NAME": "unverified", "TOKEN-STORAGE": "not_applicable"}
BILLING = "/orgs/{org}/copilot/billing"
FAST = ("--request-timeout", "0.5")


def _all_error_but_offline(run: SuiteRun) -> None:
    expected = {rid: OFFLINE.get(rid, "error") for rid in run.verdicts}
    assert run.verdicts == expected


def _evidence(run: SuiteRun, rid: str) -> str:
    return next(r["evidence"] for r in run.json["requirements"] if r["id"] == rid)  # type: ignore[no-any-return]


def _assert_sane(run: SuiteRun, exit_code: int = 1) -> None:
    """A finished run: a verdict for every requirement in the six words, the exit code, no traceback, no token."""
    assert run.ret == exit_code, run.stdout[-3000:] + run.stderr[-2000:]
    assert len(run.verdicts) == requirement_count()
    assert set(run.verdicts.values()) <= WORDS
    for text in (run.stdout, run.stderr):
        assert "Traceback" not in text
        assert "INTERNALERROR" not in text
    assert_no_leak(CANARY, run.texts())


def _unusable_api_note(run: SuiteRun, *needles: str) -> None:
    notes = [line for line in run.stdout.splitlines() if line.startswith("note: Could not use the GitHub API")]
    assert len(notes) == 1, run.stdout[-3000:]
    for needle in needles:
        assert needle in notes[0], notes[0]
    assert run.json["notes"][0].startswith("Could not use the GitHub API")


def _scenario(**overrides: Any) -> dict[str, Any]:
    return load_scenario("compliant", **overrides)


# -- faults on GET /user: nothing else is sent, every network requirement says error ----------------------------

USER_FAULTS = [
    pytest.param({"faults": [{"path": "/user", "times": "always", "status": 200,
                              "body": "<html>Sign in to the proxy</html>", "content_type": "text/html"}]},
                 "text/html instead of JSON", id="login-portal-html"),
    pytest.param({"faults": [{"path": "/user", "times": "always", "status": 200, "body": '{"login": "acme-co'}]},
                 "not valid JSON", id="truncated-json"),
    pytest.param({"faults": [{"path": "/user", "times": "always", "status": 200, "body": "",
                              "content_type": "application/json"}]},
                 "empty body", id="empty-body"),
    pytest.param({"faults": [{"path": "/user", "times": "always", "content_type": "text/plain"}]},
                 "text/plain instead of JSON", id="json-labelled-text-plain"),
    pytest.param({"faults": [{"path": "/user", "times": "always", "status": 200, "body_bytes": 10 * 1024 * 1024}]},
                 "larger than 2 MiB", id="ten-megabyte-body"),
    pytest.param({"faults": [{"path": "/user", "times": "always", "status": 302, "location": "self"}]},
                 "redirects are not followed", id="redirect-loop"),
    pytest.param({"faults": [{"path": "*", "times": "always", "status": 503}]},
                 "answered 503 3 times", id="5xx-storm"),
    pytest.param({"rate_limits": [{"path": "/user", "times": "always", "reset_in": 3600}]},
                 "would exceed the --max-wait budget", id="rate-limit-reset-in-an-hour"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "needle"), USER_FAULTS)
def test_user_fault(run_suite: Runner, overrides: dict[str, Any], needle: str) -> None:
    """A GET /user that cannot be used stops the run after it: all network requirements error, one plain note."""
    run = run_suite(_scenario(**overrides))
    _assert_sane(run)
    _all_error_but_offline(run)
    _unusable_api_note(run, needle)
    assert {p.split("?")[0] for _, p, _ in run.requests} == {"/user"}
    retried = any(rule.get("status", 0) >= 500 for rule in overrides.get("faults", []))
    assert len(run.requests) == (3 if retried else 1)  # only server errors and transport faults are retried


def test_rate_limit_an_hour_away_is_not_slept_through(run_suite: Runner) -> None:
    """A reset an hour away on one endpoint: that requirement errors at once, with the wait it refused to make."""
    run = run_suite("primary-rate-limit-long-reset")
    _assert_sane(run)
    assert run.verdicts["COPILOT-BUSINESS-READ"] == "error"
    evidence = _evidence(run, "COPILOT-BUSINESS-READ")
    assert "waiting 36" in evidence and "would exceed the --max-wait budget (60 s left)" in evidence
    assert [s for _, p, s in run.requests if p == "/orgs/acme-analytics/copilot/billing"] == [403]


# -- faults on one later endpoint: only what depends on it errors, with the reason -------------------------------

LATER_FAULTS = [
    pytest.param({"status": 302, "location": "self"}, "redirects are not followed", id="redirect-loop"),
    pytest.param({"status": 200, "body_bytes": 10 * 1024 * 1024}, "larger than 2 MiB", id="ten-megabyte-body"),
    pytest.param({"status": 200, "body": "<h1>maintenance</h1>", "content_type": "text/html"},
                 "text/html instead of JSON", id="html-body"),
    pytest.param({"content_type": "application/octet-stream"}, "application/octet-stream instead of JSON",
                 id="wrong-content-type"),
    pytest.param({"status": 500}, "answered 500 3 times", id="5xx-storm-on-one-endpoint"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "needle"), LATER_FAULTS)
def test_later_fault(run_suite: Runner, rule: dict[str, Any], needle: str) -> None:
    """A bad answer from the Copilot billing endpoint makes COPILOT-BUSINESS-READ error, and nothing else."""
    run = run_suite(_scenario(faults=[{"path": BILLING, "times": "always", **rule}]))
    _assert_sane(run)
    assert run.verdicts["COPILOT-BUSINESS-READ"] == "error"
    assert needle in _evidence(run, "COPILOT-BUSINESS-READ")
    assert [k for k, v in run.verdicts.items() if v == "error"] == ["COPILOT-BUSINESS-READ"]


def test_redirect_to_another_host_is_not_followed(run_suite: Runner) -> None:
    """A redirect to another host: not followed, so the token (or any request) never reaches that host."""
    with RawServer() as elsewhere:
        for path in ("/user", BILLING):
            rule = {"path": path, "times": "always", "status": 307, "location": elsewhere.url + "/steal"}
            run = run_suite(_scenario(faults=[rule]), out_name="out" + str(len(path)))
            _assert_sane(run)
            affected = "ACTIVE" if path == "/user" else "COPILOT-BUSINESS-READ"
            assert run.verdicts[affected] == "error"
            assert "redirecting to 127.0.0.1/steal" in _evidence(run, affected)
        assert elsewhere.seen == []


# -- socket-level faults from the raw server ---------------------------------------------------------------------

RAW_USER_FAULTS = [
    pytest.param("silent", "timed out (ReadTimeout) 3 times", id="read-timeout"),
    pytest.param("stall-body", "timed out (ReadTimeout) 3 times", id="stall-mid-body"),
    pytest.param("drip", "still arriving after 0.5 s", id="drip-feed"),
    pytest.param("truncate", "transport error (RemoteProtocolError", id="cut-off-body"),
    pytest.param("garbage", "transport error (RemoteProtocolError", id="not-http"),
    pytest.param("close", "transport error (RemoteProtocolError", id="hang-up"),
]


@pytest.mark.parametrize(("fault", "needle"), RAW_USER_FAULTS)
def test_raw_fault_on_user(run_suite: Runner, fault: str, needle: str) -> None:
    """Socket-level faults on GET /user: a plain note, all network requirements error, nothing else sent."""
    with RawServer(faults={"/user": fault}) as raw:
        run = run_suite("compliant", *FAST, via=raw)
    _assert_sane(run)
    _all_error_but_offline(run)
    _unusable_api_note(run, needle)
    assert {s.target for s in raw.seen} == {"/user"}


@pytest.mark.parametrize(("fault", "needle"), RAW_USER_FAULTS)
def test_raw_fault_on_later_endpoint(run_suite: Runner, fault: str, needle: str) -> None:
    """The same faults on the membership endpoint: MEMBERS-READ errors with the reason, the run completes."""
    with RawServer(faults={"/user/memberships/orgs/acme-analytics": fault}) as raw:
        run = run_suite("compliant", *FAST, via=raw)
    _assert_sane(run)
    assert run.verdicts["MEMBERS-READ"] == "error"
    assert needle in _evidence(run, "MEMBERS-READ")
    assert run.verdicts["COPILOT-BUSINESS-READ"] == "pass"


def test_self_signed_tls(run_suite: Runner) -> None:
    """A self-signed certificate on loopback: refused, not retried, no HTTP request made, a hint about CAs."""
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with RawServer(tls=context) as raw:
        run = run_suite("compliant", via=raw)
    _assert_sane(run)
    _all_error_but_offline(run)
    _unusable_api_note(run, "TLS certificate verification failed", "SSL_CERT_FILE")
    assert raw.seen == []
    assert raw.tls_refusals == 1


def test_connect_timeout(run_suite: Runner) -> None:
    """A host that never accepts the connection: ConnectTimeout, retried, then error."""
    with unaccepting_port() as port:
        run = run_suite("compliant", *FAST, api_url=f"http://127.0.0.1:{port}")
    _assert_sane(run)
    _all_error_but_offline(run)
    _unusable_api_note(run, "timed out (ConnectTimeout) 3 times")


def test_connection_refused(run_suite: Runner) -> None:
    """Nothing listens on the port: a plain note naming the refusal."""
    with unaccepting_port() as port:
        closed = port  # the listener is gone once the block ends
    run = run_suite("compliant", api_url=f"http://127.0.0.1:{closed}")
    _assert_sane(run)
    _all_error_but_offline(run)
    _unusable_api_note(run, "Connection refused")


def test_dns_failure(run_suite: Runner) -> None:
    """A host name that cannot resolve (.invalid never does): a plain note, error verdicts."""
    run = run_suite("compliant", api_url="https://api.github.invalid")
    _assert_sane(run)
    _all_error_but_offline(run)
    _unusable_api_note(run, "could not connect")

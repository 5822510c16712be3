"""The history: records from reports, the chain, every kind of tampering, hostile files, remembered facts."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from compliance.actions import actions_run_url
from compliance.history.__main__ import main
from compliance.history.memory import recall
from compliance.history.record import digest
from compliance.history.store import HISTORY_LIMIT, head_path, load

ORG = "acme-analytics"


def report(at: str, overall: str = "COMPLIANT", **token: Any) -> dict[str, Any]:
    """A run's JSON report in the contract's shape, as --compliance-json writes it."""
    word = "pass" if overall == "COMPLIANT" else "fail"
    return {
        "schema_version": 1,
        "org": ORG,
        "profile": "milestone-copilot",
        "mode": "live",
        "api_url": "https://api.github.com",
        "generated_at": at,
        "recorded_at": None,
        "token": {
            "kind": "fine-grained",
            "owner": "acme-copilot-bot",
            "fingerprint": "sha256:1a2b3c4d",
            "expires_at": "2026-12-01T00:00:00Z",
            **token,
        },
        "overall": overall,
        "headline": None,
        "demo": False,
        "requirements": [
            {"id": "ACTIVE", "verdict": "pass", "source": "token"},
            {"id": "MEMBERS-READ", "verdict": word, "source": "token"},
        ],
        "requests": [],
    }


def append(tmp_path: Path, doc: dict[str, Any], name: str = "history.jsonl", *extra: str) -> int:
    path = tmp_path / f"r{len(list(tmp_path.glob('r*.json')))}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return main(["append", "--history", str(tmp_path / name), "--report", str(path), *extra])


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A history of four weekly runs: compliant, failing, compliant, compliant."""
    for i, overall in enumerate(["COMPLIANT", "NOT COMPLIANT", "COMPLIANT", "COMPLIANT"]):
        assert append(tmp_path, report(f"2026-01-{5 + 7 * i:02d}T06:17:00Z", overall)) == 0
    return tmp_path / "history.jsonl"


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def verify(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["verify", "--history", str(path), *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_records_chain_and_verify(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each record names the one before it, hashes itself canonically, and the head anchors the last."""
    records = lines(history)
    assert [r["seq"] for r in records] == [0, 1, 2, 3]
    assert records[0]["prev"] is None
    assert all(r["prev"] == p["hash"] for p, r in itertools.pairwise(records))
    assert all(digest(r) == r["hash"] for r in records)
    assert records[1]["requirements"]["MEMBERS-READ"] == {"verdict": "fail", "source": "token"}
    head = json.loads(head_path(history).read_text(encoding="utf-8"))
    assert head == {"v": 1, "records": 4, "head": records[-1]["hash"]}
    code, text = verify(history, capsys)
    assert code == 0
    assert f"verified: 4 records, head {records[-1]['hash']}" in text


def _edit(records: list[dict[str, Any]]) -> None:
    records[1]["overall"] = "COMPLIANT"


def _forge(records: list[dict[str, Any]]) -> None:
    records[1]["overall"] = "COMPLIANT"
    records[1]["hash"] = digest(records[1])


def _forge_last(records: list[dict[str, Any]]) -> None:
    records[3]["overall"] = "NOT COMPLIANT"
    records[3]["hash"] = digest(records[3])


def _forge_all(records: list[dict[str, Any]]) -> None:
    """A rewrite of every hash after the edit: only an anchor kept elsewhere shows it."""
    records[1]["overall"] = "COMPLIANT"
    for i in range(1, 4):
        records[i]["prev"] = records[i - 1]["hash"]
        records[i]["hash"] = digest(records[i])


TAMPERING = {
    "edit": (_edit, "Record 2 (acme-analytics, 2026-01-12T06:17:00Z) does not match its own hash"),
    "forged hash": (_forge, "Record 3 (acme-analytics, 2026-01-19T06:17:00Z) names sha256:"),
    "forged last record": (_forge_last, "but its head file says 4 records, head sha256:"),
    "delete": (lambda r: r.pop(1), "Record 2 (acme-analytics, 2026-01-19T06:17:00Z) carries sequence number 2, not 1"),
    "delete first": (lambda r: r.pop(0), "Record 1 (acme-analytics, 2026-01-12T06:17:00Z) carries sequence number 1"),
    "reorder": (lambda r: r.insert(1, r.pop(2)), "Record 2 (acme-analytics, 2026-01-19T06:17:00Z) carries sequence"),
    "truncate": (lambda r: r.pop(), "The history ends at record 3 (3 records, head sha256:"),
}


@pytest.mark.parametrize("kind", TAMPERING)
def test_verify_fails_on_tampering(history: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    """Every kind of tampering fails verify with exit code 1 and one sentence naming the record."""
    change, sentence = TAMPERING[kind]
    records = lines(history)
    change(records)
    write(history, records)
    code, text = verify(history, capsys)
    assert code == 1
    assert text.startswith("BROKEN: ") and sentence in text
    assert text.count("\n") == 1
    # nothing is appended to a broken history
    assert append(history.parent, report("2026-02-02T06:17:00Z")) == 4
    assert "Not appending to" in capsys.readouterr().err


def test_truncation_with_a_rewritten_head_needs_an_anchor_kept_elsewhere(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cut the tail and rewrite the head too: the chain holds, so only the head kept apart (--expect-head) shows it."""
    expected = lines(history)[-1]["hash"]
    records = lines(history)[:2]
    write(history, records)
    head_path(history).write_text(json.dumps({"v": 1, "records": 2, "head": records[-1]["hash"]}), encoding="utf-8")
    assert verify(history, capsys)[0] == 0
    code, text = verify(history, capsys, "--expect-head", expected)
    assert code == 1
    assert "The history ends at record 2 (2 records, head" in text
    assert verify(history, capsys, "--expect-records", "4")[0] == 1


def test_a_whole_rewritten_chain_needs_an_anchor_kept_elsewhere(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rewriting every later hash and the head is what the chain alone cannot see; the outside anchor does."""
    expected = lines(history)[-1]["hash"]
    records = lines(history)
    _forge_all(records)
    write(history, records)
    head_path(history).write_text(json.dumps({"v": 1, "records": 4, "head": records[-1]["hash"]}), encoding="utf-8")
    assert verify(history, capsys)[0] == 0
    code, text = verify(history, capsys, "--expect-head", expected)
    assert (
        code == 1
        and "but the head kept apart (--expect-head, --expect-records) says 4 records, head " + expected in text
    )


def test_a_missing_head_is_a_break(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head_path(history).unlink()
    code, text = verify(history, capsys)
    assert code == 1 and "no head file" in text


def _deep(n: int) -> str:
    return "[" * n + "]" * n + "\n"


HOSTILE: dict[str, tuple[Any, str]] = {
    "not json": (b"hello\n", "Line 1 of the history"),
    "repeated key": (None, "repeats a key"),
    "fraction": (None, "holds a fraction"),
    "deep nesting": (_deep(100_000).encode(), "Line 1 of the history"),
    "extra field": (None, "is not a history record"),
    "wrong type": (None, "is not a history record at seq"),
    "torn line": (None, "ends in the middle of a line"),
    "long line": (b'{"a":"' + b"x" * 70_000 + b'"}\n', "longer than 64 KiB"),
    "too large": (None, "larger than"),
    "fifo": (None, "not a regular file"),
    "missing": (None, "No such file"),
    "bad head": (None, "is not a head file"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_histories_end_with_one_sentence_and_exit_4(
    history: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """A history file is input: bounded, schema-checked, one sentence and exit code 4, never a traceback."""
    content, sentence = HOSTILE[kind]
    records = lines(history)
    if content is not None:
        history.write_bytes(content)
    elif kind == "extra field":
        records[0]["note"] = "x"
        write(history, records)
    elif kind == "wrong type":
        records[2]["seq"] = "2"
        write(history, records)
    elif kind == "repeated key":
        history.write_text(
            history.read_text(encoding="utf-8").replace('"overall":', '"overall":"COMPLIANT","overall":', 1)
        )
    elif kind == "fraction":
        history.write_text(history.read_text(encoding="utf-8").replace('"seq":1,', '"seq":1.0,', 1))
    elif kind == "torn line":
        history.write_bytes(history.read_bytes()[:-10])
    elif kind == "too large":
        with history.open("r+b") as fh:
            fh.truncate(HISTORY_LIMIT + 1)
    elif kind == "fifo":
        history.unlink()
        os.mkfifo(history)
    elif kind == "missing":
        history.unlink()
    elif kind == "bad head":
        head_path(history).write_text('{"v": 1, "records": "4"}', encoding="utf-8")
    code, text = verify(history, capsys)
    assert code == 4, text
    assert text.startswith("error: ") and sentence in text and text.count("\n") == 1
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (lambda d: d.update(demo=True), "is the bundled demo"),
        (lambda d: d.update(overall="GREAT"), "is not a compliance report at overall"),
        (lambda d: d.update(generated_at="yesterday"), "unreadable generated_at"),
        (lambda d: d["requirements"].append({"id": "x" * 70, "verdict": "pass"}), "at requirements/2/id"),
        (lambda d: d.update(org="-bad"), "at org"),
        # each of these once became a traceback, or a record after which every verify failed
        (lambda d: d.update(run={"profile_sha256": {"a": 1}}), "at run/profile_sha256: {'a': 1} is not of type"),
        (lambda d: d.update(run={"profile_sha256": "a" * 5000}), "at run/profile_sha256: 'aaaa"),
        (lambda d: d.update(run={"runner_url": 5}), "at run/runner_url"),
        (lambda d: d.update(run={"runner_url": "https://[::1"}), "run.runner_url 'https://[::1' is not an https"),
        (lambda d: d.update(generated_at="9999-12-31T23:59:59-01:00"), "unreadable generated_at '9999-12-31T"),
        (lambda d: d.update(recorded_at="0001-01-01T00:00:00+01:00"), "unreadable recorded_at"),
        (lambda d: d["token"].update(expires_at="0001-01-01T00:00:00+01:00"), "unreadable token.expires_at"),
        (lambda d: d["token"].update(created_at="9999-12-31T23:59:59-01:00"), "unreadable token.created_at"),
        (lambda d: d.update(api_url="http://[::1"), "has an api_url that is not a URL: 'http://[::1'"),
        (lambda d: d.update(profile="\ud800"), "holds text that is not Unicode"),
        # past the report's own schema, the record's: a host name longer than any host's
        (lambda d: d.update(api_url="https://" + "a" * 300 + ".example"), "would not be a history record at host"),
    ],
)
def test_bad_reports_are_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Any, sentence: str
) -> None:
    """A malformed report ends with one sentence and exit code 4; the history and its head stay as they were."""
    assert append(tmp_path, report("2025-12-29T06:17:00Z")) == 0
    path = tmp_path / "history.jsonl"
    before = path.read_bytes(), head_path(path).read_bytes()
    capsys.readouterr()
    doc = report("2026-01-05T06:17:00Z")
    change(doc)
    assert append(tmp_path, doc) == 4
    err = capsys.readouterr().err
    assert sentence in err and err.startswith("error: ") and err.count("\n") == 1, err
    assert (path.read_bytes(), head_path(path).read_bytes()) == before
    assert verify(path, capsys)[0] == 0


def test_a_time_before_year_1000_is_kept_in_the_records_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Four digits of year whatever the year: a record the history's own schema refuses is never written."""
    assert append(tmp_path, report("0999-01-05T06:17:00Z", expires_at="0001-01-01T00:00:00Z")) == 0
    record = lines(tmp_path / "history.jsonl")[0]
    assert (record["at"], record["token"]["expires_at"]) == ("0999-01-05T06:17:00Z", "0001-01-01T00:00:00Z")
    assert verify(tmp_path / "history.jsonl", capsys)[0] == 0


def test_run_url_must_be_https(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert append(tmp_path, report("2026-01-05T06:17:00Z"), "history.jsonl", "--run-url", "javascript:alert(1)") == 4
    assert "is not an https:// URL" in capsys.readouterr().err
    assert append(tmp_path, report("2026-01-05T06:17:00Z"), "history.jsonl", "--run-url", "https://[::1/r") == 4
    assert (
        capsys.readouterr().err
        == "error: --run-url 'https://[::1/r' is not an https:// URL; pass the workflow run's address.\n"
    )
    assert append(tmp_path, report("2026-01-05T06:17:00Z"), "history.jsonl", "--run-url", "https://x.example/r/1") == 0
    assert lines(tmp_path / "history.jsonl")[0]["run_url"] == "https://x.example/r/1"


def test_remembered_creation_follows_the_token(tmp_path: Path) -> None:
    """A creation time is recalled for the same org and fingerprint only, newest first."""
    append(tmp_path, report("2026-01-05T06:17:00Z", created_at="2025-12-20T10:00:00Z"))
    append(tmp_path, report("2026-01-12T06:17:00Z"))
    other = report("2026-01-19T06:17:00Z", created_at="2026-01-18T10:00:00Z", fingerprint="sha256:ffffffff")
    append(tmp_path, other)
    checked = load(tmp_path / "history.jsonl")
    found = recall(checked.records, ORG.upper(), "sha256:1a2b3c4d")
    assert [(m.created_at, m.seq) for m in found] == [(dt.datetime(2025, 12, 20, 10, tzinfo=dt.UTC), 0)]
    assert recall(checked.records, "other-org", "sha256:1a2b3c4d") == ()
    assert recall(checked.records, ORG, None) == ()


def test_hashed_token_tells_apart_tokens_sharing_a_fingerprint(tmp_path: Path) -> None:
    """Another token with the same short fingerprint is not recalled where both know hashed_token; older records are."""
    append(tmp_path, report("2026-01-05T06:17:00Z", created_at="2025-12-20T10:00:00Z", hashed_token="A" * 43 + "="))
    checked = load(tmp_path / "history.jsonl")
    assert recall(checked.records, ORG, "sha256:1a2b3c4d", "B" * 43 + "=") == ()
    assert len(recall(checked.records, ORG, "sha256:1a2b3c4d", "A" * 43 + "=")) == 1
    assert len(recall(checked.records, ORG, "sha256:1a2b3c4d")) == 1


def _period(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, dict[str, Any]]:
    out = tmp_path / "period"
    code = main(["report", "--history", str(tmp_path / "history.jsonl"), "--out", str(out), "--format", "json", *args])
    text = capsys.readouterr()
    found = list(out.glob("*.json"))
    return code, text.out + text.err, json.loads(found[0].read_text(encoding="utf-8")) if found else {}


def test_a_period_that_starts_inside_a_failure_and_ends_in_an_open_week(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failure before the period is said as such; this week, not over yet and without a run, is not missed."""
    append(tmp_path, report("2026-01-05T06:17:00Z", "NOT COMPLIANT"))
    append(tmp_path, report("2026-01-12T06:17:00Z", "INCOMPLETE"))
    append(tmp_path, report("2026-01-19T06:17:00Z", created_at="2025-12-01T00:00:00Z"))
    today = dt.datetime.now(dt.UTC).date()
    code, text, f = _period(tmp_path, capsys, "--org", ORG, "--since", "2026-01-12", "--until", today.isoformat())
    assert code == 0, text
    assert f["weeks"][0] == {**f["weeks"][0], "week": "2026-01-12", "status": "incomplete"}
    assert f["weeks"][-1]["status"] == "open" and f["runs_expected"] == len(f["weeks"]) - 1
    assert f["incidents"][0]["before_period"] is True
    assert f["incidents"][0]["failed"]["at"] == "2026-01-05T06:17:00Z"
    assert f["recovery"]["at"] == "2026-01-19T06:17:00Z"
    assert f["tokens"][0]["lifetime_days"] == 365 and f["rotation"]["rotate_by"] == "2026-11-01T00:00:00Z"
    assert f["runs_made"] == 2 and f["weeks_compliant"] == 1


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["--org", "../../etc", "--since", "2026-01-01", "--until", "2026-02-01"], "not a valid GitHub organization"),
        (["--org", ORG, "--since", "2026-02-01", "--until", "2026-01-01"], "is before --since"),
        (["--org", ORG, "--since", "January", "--until", "2026-01-01"], "is not a date"),
        (["--org", ORG, "--since", "2026-01-01", "--until", "2026-02-01", "--format", "docx"], "names ['docx']"),
        (["--org", ORG, "--since", "2026-01-01", "--until", "2026-02-01", "--warning-days", "-1"], "--warning-days"),
    ],
)
def test_bad_period_options_are_one_sentence(
    history: Path, capsys: pytest.CaptureFixture[str], args: list[str], sentence: str
) -> None:
    code, text, _ = _period(history.parent, capsys, *args)
    assert code == 4 and sentence in text and text.startswith("error: ")
    assert not (history.parent / "period").exists()


def test_an_unwritable_period_folder_writes_nothing(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (history.parent / "period").write_text("a file where the folder should be", encoding="utf-8")
    code = main(["report", "--history", str(history), "--org", ORG, "--since", "2026-01-01", "--until", "2026-02-01",
                 "--out", str(history.parent / "period" / "x")])  # fmt: skip
    text = capsys.readouterr().err
    assert code == 4 and text.startswith("error: ") and "cannot be written" in text


def test_one_append_keeps_several_reports_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A weekly run's orgs in one append: one lock, one verification, the records in the order given."""
    paths = []
    for i, org in enumerate(["org-b", "org-a"]):
        path = tmp_path / f"{org}.json"
        path.write_text(json.dumps({**report(f"2026-01-05T06:1{i}:00Z"), "org": org}), encoding="utf-8")
        paths += ["--report", str(path)]
    assert main(["append", "--history", str(tmp_path / "h.jsonl"), *paths]) == 0
    assert [r["org"] for r in lines(tmp_path / "h.jsonl")] == ["org-b", "org-a"]
    assert capsys.readouterr().out.count("appended record") == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    assert main(["append", "--history", str(tmp_path / "h.jsonl"), *paths, "--report", str(bad)]) == 4
    assert len(lines(tmp_path / "h.jsonl")) == 2  # one bad report: none of this call's records is kept


def _limited(limit: int, call: str) -> subprocess.CompletedProcess[str]:
    """Python run with files limited to `limit` bytes, as on a full disk: a write takes what fits, then fails."""
    code = (
        "import resource, signal\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n"
        f"{call}\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(("room", "sentence"), [(10, "its head cannot be written"), (100, "nothing was appended")])
def test_a_full_disk_leaves_the_history_and_its_head_as_they_were(
    history: Path, capsys: pytest.CaptureFixture[str], room: int, sentence: str
) -> None:
    """No room for the head (10 bytes), or for the head but not the record (100): one sentence, exit 4, no change."""
    bad = history.parent / "next.json"
    bad.write_text(json.dumps(report("2026-02-02T06:17:00Z")), encoding="utf-8")
    before = history.read_bytes(), head_path(history).read_bytes()
    argv = ["append", "--history", str(history), "--report", str(bad)]
    done = _limited(
        room if room < 100 else len(before[0]) + room,
        f"from compliance.history.__main__ import main\nraise SystemExit(main({argv!r}))",
    )
    assert done.returncode == 4, done.stderr
    assert done.stderr.startswith("error: ") and sentence in done.stderr and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert (history.read_bytes(), head_path(history).read_bytes()) == before
    assert not list(history.parent.glob(".head.*"))
    assert verify(history, capsys)[0] == 0


def test_keep_after_run_reports_a_full_disk_as_not_kept(history: Path) -> None:
    """The suite's own --history append: a write that fails is one line saying the run was not kept."""
    doc = history.parent / "next.json"
    doc.write_text(json.dumps(report("2026-02-02T06:17:00Z")), encoding="utf-8")
    before = history.read_bytes()
    call = (
        "from pathlib import Path\nfrom compliance.history.keep import keep_after_run\n"
        f"print(keep_after_run(Path({str(history)!r}), Path({str(doc)!r}), {{}}))"
    )
    done = _limited(len(before) + 100, call)
    assert done.returncode == 0 and not done.stderr, done.stderr
    assert done.stdout.startswith(f"(False, '--history: this run was NOT kept in {history}: The history {history}")
    assert "nothing was appended" in done.stdout and done.stdout.count("\n") == 1
    assert history.read_bytes() == before


def test_an_unmakeable_history_folder_is_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file where the history's folder should be: one sentence and exit code 4, not a traceback."""
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    assert append(tmp_path, report("2026-01-05T06:17:00Z"), "taken/history.jsonl") == 4
    err = capsys.readouterr().err
    assert err.startswith("error: The history ") and "cannot be opened for appending" in err and err.count("\n") == 1


_RUN = {"GITHUB_REPOSITORY": "acme/compliance", "GITHUB_RUN_ID": "42"}


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        ("https://github.com", "https://github.com"),
        ("https://ghe.acme.example/", "https://ghe.acme.example"),
        ("https://GHE.acme.example:8443", "https://ghe.acme.example:8443"),
        ("https://user:secret@ghe.acme.example", "https://github.com"),
        ("https://user@ghe.acme.example", "https://github.com"),
        ("https://ghe.acme.example/evil", "https://github.com"),
        ("https://ghe.acme.example?next=evil", "https://github.com"),
        ("https://ghe.acme.example#evil", "https://github.com"),
        ("https://ghe.acme.example:99999", "https://github.com"),
        ("https://ghe.acme.example:port", "https://github.com"),
        ("https://[::1", "https://github.com"),
        ("https://ghe.acme\n.example", "https://github.com"),
        ("http://ghe.acme.example", "https://github.com"),
        ("https://", "https://github.com"),
        ("", "https://github.com"),
    ],
)
def test_the_actions_run_url_takes_only_https_host_and_port(server: str, expected: str) -> None:
    """GITHUB_SERVER_URL is outside input: rebuilt as https://host[:port], anything else is github.com."""
    assert actions_run_url({**_RUN, "GITHUB_SERVER_URL": server}) == f"{expected}/acme/compliance/actions/runs/42"


@pytest.mark.parametrize(("repo", "run"), [("../..", "42"), ("acme/..", "42"), ("acme", "42"), ("acme/c", "4\u0662")])
def test_no_actions_run_url_from_malformed_variables(repo: str, run: str) -> None:
    assert actions_run_url({"GITHUB_REPOSITORY": repo, "GITHUB_RUN_ID": run}) is None
    assert actions_run_url({}) is None

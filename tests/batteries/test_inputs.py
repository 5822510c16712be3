"""Bad input: one plain sentence, exit code 4, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.report.text import md_text
from tests.simulator.raw import RawServer
from tests.support import CANARY, ORG, Runner, assert_no_leak

pytestmark = pytest.mark.battery


def _assert_usage_error(run_ret: int, stderr: str, stdout: str, out: Path, *needles: str) -> None:
    assert run_ret == 4, stdout + stderr
    errors = [line for line in stderr.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1, stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    assert "Traceback" not in stdout + stderr
    assert not out.exists(), "a usage error must not leave files behind"


@pytest.mark.parametrize(
    ("args", "env", "needles"),
    [
        pytest.param([], {"GITHUB_TOKEN": None}, ["needs a token", "export GITHUB_TOKEN"], id="missing-token"),
        pytest.param([], {"GITHUB_TOKEN": ""}, ["is empty"], id="empty-token"),
        pytest.param([], {"GITHUB_TOKEN": "   \n"}, ["is empty"], id="blank-token"),
        pytest.param([], {"GITHUB_TOKEN": "hunter2-not-a-token"}, ["does not hold a GitHub token"], id="not-a-token"),
        pytest.param(
            [],
            {"GITHUB_TOKEN": "github_pat_abc def_0123456789"},
            ["does not hold a GitHub token"],
            id="token-with-inner-space",
        ),
        pytest.param(["--org=-acme"], {}, ["not a valid GitHub organization name"], id="org-leading-hyphen"),
        pytest.param(["--org=ac--me"], {}, ["not a valid GitHub organization name"], id="org-double-hyphen"),
        pytest.param(["--org=" + "a" * 40], {}, ["not a valid GitHub organization name"], id="org-too-long"),
        pytest.param(["--org=acme/evil"], {}, ["not a valid GitHub organization name"], id="org-slash"),
        pytest.param(["--api-url", "ftp://example.com"], {}, ["not an http(s) URL"], id="api-url-scheme"),
        pytest.param(["--api-url", "http://api.example.com"], {}, ["plain http://"], id="api-url-plain-http"),
        pytest.param(
            ["--api-url", "https://user:pw@api.github.com"],
            {},
            ["must not contain credentials"],
            id="api-url-credentials",
        ),
        pytest.param(["--api-url", "https://[::1"], {}, ["not a valid URL"], id="api-url-malformed"),
        pytest.param(
            ["--profile", "no-such-profile"], {}, ["no profile named 'no-such-profile'"], id="unknown-profile"
        ),
        pytest.param(["--token-file", "/nonexistent/token"], {}, ["Cannot read --token-file"], id="token-file-missing"),
        pytest.param(
            ["--expiry-warning-days=-1"], {}, ["--expiry-warning-days must be 0 or more"], id="negative-window"
        ),
        pytest.param(["--token-env", "BAD NAME"], {}, ["not an environment variable name"], id="bad-token-env"),
    ],
)
def test_bad_input(run_suite: Runner, args: list[str], env: dict[str, str | None], needles: list[str]) -> None:
    """Each bad input gets its own plain sentence and exit code 4."""
    org = None if any(a.startswith("--org") for a in args) else ORG
    run = run_suite("compliant", *args, env=env, org=org)
    _assert_usage_error(run.ret, run.stderr, run.stdout, run.out, *needles)
    assert_no_leak(CANARY, run.texts())


def test_unknown_org(run_suite: Runner) -> None:
    """An org GitHub does not know is a usage error, not a verdict."""
    run = run_suite("compliant", org="no-such-org")
    _assert_usage_error(run.ret, run.stderr, run.stdout, run.out, "no organization named 'no-such-org'")


def test_not_a_github_api(run_suite: Runner) -> None:
    """An API URL that answers 404 to GET /user is not a GitHub API (here: GHES without /api/v3)."""
    run = run_suite("compliant", base_path="/api/v3", api_url="{root}")
    _assert_usage_error(run.ret, run.stderr, run.stdout, run.out, "does not look like a GitHub REST API", "/api/v3")


def test_token_whitespace_is_stripped_and_said(run_suite: Runner) -> None:
    """A token with a trailing newline works, and the header line says it was stripped."""
    run = run_suite("compliant", env={"GITHUB_TOKEN": f"  {CANARY}\n"})
    assert run.ret == 0
    assert "surrounding whitespace stripped" in run.stdout
    assert_no_leak(CANARY, run.texts())


def test_unreadable_token_file(run_suite: Runner, tmp_path: Path) -> None:
    """A token file without read permission is a usage error naming the file."""
    secret = tmp_path / "token"
    secret.write_text(CANARY)
    secret.chmod(0)
    try:
        secret.read_text()
    except PermissionError:
        pass
    else:
        pytest.skip("running as root: file permissions do not stop reads")
    run = run_suite("compliant", "--token-file", str(secret))
    _assert_usage_error(run.ret, run.stderr, run.stdout, run.out, "Cannot read --token-file")


def test_profile_breaking_githubs_rules_is_a_usage_error(run_suite: Runner, tmp_path: Path) -> None:
    """A profile whose token name GitHub's form would cut (45 characters > 40) stops the run: exit 4, one sentence."""
    bundled = Path(__file__).resolve().parents[2] / "compliance" / "profiles" / "milestone-repos-copilot.toml"
    old = bundled.read_text(encoding="utf-8").replace(
        'token_name = "Milestone\'s Copilot Token (read-only)"',
        'token_name = "Milestone\'s Repos & Copilot Token (read-only)"',
    )
    assert "Repos & Copilot Token" in old
    profile = tmp_path / "old-repos.toml"
    profile.write_text(old, encoding="utf-8")
    run = run_suite("compliant", "--profile", str(profile))
    _assert_usage_error(run.ret, run.stderr, run.stdout, run.out, "old-repos.toml", "token_name is 45 characters")
    assert not run.requests, "nothing is sent for a profile that cannot be used"


def test_list_profiles_prints_every_bundled_profile(run_suite: Runner) -> None:
    """--list-profiles: id, vendor, guide and what each asks for; exit 0, no request sent, no report, no token."""
    from compliance.checks.registry import REGISTRY
    from compliance.profiles import available_profiles, load_profile

    run = run_suite("compliant", "--list-profiles")
    assert run.ret == 0, run.stdout + run.stderr
    for name in available_profiles():
        p = load_profile(name, REGISTRY.keys())
        assert f"{p.id}  -  {p.vendor}" in run.stdout and p.guide in run.stdout
    for aspect in ("repository access:", "permissions:", "token owner:", "lifetime:"):
        assert run.stdout.count(aspect) == len(available_profiles()), aspect
    assert not run.requests and not run.out.exists()
    assert "Traceback" not in run.stdout + run.stderr
    assert_no_leak(CANARY, run.texts())


# -- the input battery's second half: options that are numbers or paths, and oddities of the environment ---------


@pytest.mark.parametrize(
    ("args", "env", "needles"),
    [
        pytest.param(["--max-wait", "nan"], {}, ["--max-wait must be between 0 and 86400"], id="max-wait-nan"),
        pytest.param(["--max-wait", "inf"], {}, ["--max-wait must be between 0 and 86400"], id="max-wait-infinite"),
        pytest.param(["--request-timeout", "0"], {}, ["--request-timeout must be between 0"], id="timeout-zero"),
        pytest.param(["--request-timeout", "nan"], {}, ["--request-timeout must be between 0"], id="timeout-nan"),
        pytest.param(["--compliance-json", "{tmp}/blocker/c.json"], {}, ["is a file, not a folder"],
                     id="json-under-file"),
        pytest.param(["--compliance-md", "{tmp}"], {}, ["is a folder"], id="markdown-is-a-folder"),
        pytest.param(["--html", "{tmp}/blocker/r.html"], {}, ["--html", "is a file, not a folder"],
                     id="html-under-file"),
        pytest.param(["--token-file", "{tmp}"], {}, ["is not a regular file"], id="token-file-is-a-folder"),
        pytest.param(["--token-file", "{tmp}/latin1"], {}, ["not UTF-8 text"], id="token-file-not-utf8"),
        pytest.param(["--api-url", "https://api.github.com"], {"HTTPS_PROXY": "http://proxy:not-a-port"},
                     ["HTTPS_PROXY does not hold a usable proxy URL"], id="proxy-malformed"),
        pytest.param(["--api-url", "https://api.github.com"], {"HTTP_PROXY": "gopher://proxy:70"},
                     ["HTTP_PROXY does not hold a usable proxy URL"], id="proxy-unknown-scheme"),
        pytest.param([], {"SSL_CERT_FILE": "/nonexistent/ca.pem"}, ["Cannot load CA certificates", "SSL_CERT_FILE"],
                     id="ca-bundle-missing"),
        pytest.param([], {"GITHUB_API_URL": "api.github.com"}, ["GITHUB_API_URL 'api.github.com' is not an http(s)"],
                     id="github-api-url-without-scheme"),
        pytest.param(["--org=Ácme"], {"PYTHONIOENCODING": "ascii"}, ["not a valid GitHub organization name"],
                     id="non-ascii-org-on-ascii-terminal"),
    ],
)  # fmt: skip
def test_bad_input_battery(
    run_suite: Runner, pytester: pytest.Pytester, args: list[str], env: dict[str, str | None], needles: list[str]
) -> None:
    """Numbers, paths and environment settings that cannot work: one sentence, exit 4, nothing written."""
    tmp = pytester.path / "inputs"
    tmp.mkdir()
    (tmp / "blocker").write_text("a file where a folder should be")
    (tmp / "latin1").write_bytes(b"github_pat_\xe9\xe9\xe9")
    args = [a.format(tmp=tmp) for a in args]
    org = None if any(a.startswith("--org") for a in args) else ORG
    run = run_suite("compliant", *args, env=env, org=org, api_url_env="GITHUB_API_URL" in env)
    _assert_usage_error(run.ret, run.stderr, run.stdout, run.out, *needles)
    assert_no_leak(CANARY, run.texts())


@pytest.mark.parametrize(
    ("api_url", "base_path"),
    [
        pytest.param("{root}/", "", id="trailing-slash"),
        pytest.param("{root}/api/v3/", "/api/v3", id="enterprise-server-path-with-slash"),
        pytest.param("  {root}  ", "", id="surrounding-spaces"),
    ],
)
def test_github_api_url_variants(run_suite: Runner, api_url: str, base_path: str) -> None:
    """GITHUB_API_URL (as GitHub Actions sets it) with a trailing slash, a GHES path or spaces still works."""
    run = run_suite("compliant", base_path=base_path, api_url=api_url, api_url_env=True)
    assert run.ret == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert run.simulator is not None
    root = run.simulator.url.removesuffix(base_path)
    assert run.json["api_url"] == api_url.strip().rstrip("/").format(root=root)
    assert all(path.startswith("/") and "//" not in path for _, path, _ in run.requests)


def test_github_api_url_with_a_foreign_path(run_suite: Runner) -> None:
    """A path that is not an API root: GET /user answers 404 there, so the URL is named as the problem."""
    run = run_suite("compliant", api_url="{root}/not/the/api", api_url_env=True)
    _assert_usage_error(run.ret, run.stderr, run.stdout, run.out, "does not look like a GitHub REST API")


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}, id="C-locale"),
        pytest.param({"PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"}, id="ascii-terminal"),
        pytest.param({"PYTHONIOENCODING": "latin-1", "LC_ALL": "C", "PYTHONUTF8": "0"}, id="latin-1-terminal"),
        pytest.param({"COLUMNS": "20", "TERM": "dumb", "NO_COLOR": "1"}, id="narrow-dumb-terminal"),
    ],
)
def test_odd_terminals(run_suite: Runner, env: dict[str, str]) -> None:
    """Non-UTF-8 locales and narrow terminals: the run completes and the reports stay UTF-8 with GitHub's text."""
    run = run_suite("hostile-messages", env=env)
    assert run.ret == 1, run.stdout[-3000:] + run.stderr[-2000:]
    assert "Traceback" not in run.stdout + run.stderr
    assert run.verdicts["MEMBERS-READ"] == "fail"
    markdown = (run.out / "compliance.md").read_bytes().decode("utf-8")  # strict: the file is UTF-8
    evidence = next(r["evidence"] for r in run.json["requirements"] if r["id"] == "MEMBERS-READ")
    assert md_text(evidence.split(" (", 1)[1])[:12] in markdown
    assert_no_leak(CANARY, run.texts())


def test_a_proxy_never_sees_a_loopback_api(run_suite: Runner) -> None:
    """HTTP_PROXY never carries the token to a loopback http:// API (it would see it in clear): requests go direct."""
    with RawServer() as proxy:
        run = run_suite("compliant", env={"HTTP_PROXY": proxy.url, "ALL_PROXY": proxy.url, "NO_PROXY": ""})
    assert run.ret == 0, run.stdout[-3000:]
    assert proxy.seen == []
    assert len(run.requests) > 0


def test_a_proxy_is_honoured_for_a_remote_https_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTPS_PROXY is honoured (as curl and git do) for a non-loopback https:// API, never for a loopback one."""
    import httpx

    from compliance.gather.client import GitHub

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with GitHub("https://api.github.com", None, 0) as remote, GitHub("http://127.0.0.1:8080", None, 0) as local:
        proxied = remote._client._transport_for_url(httpx.URL("https://api.github.com/user"))
        direct = local._client._transport_for_url(httpx.URL("http://127.0.0.1:8080/user"))
        assert proxied is not remote._client._transport
        assert direct is local._client._transport


def test_no_proxy_bypasses_a_dead_proxy(run_suite: Runner) -> None:
    """NO_PROXY naming the API host wins over a proxy that is not there."""
    run = run_suite("compliant", env={"HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1"})
    assert run.ret == 0, run.stdout[-3000:]


@pytest.mark.parametrize("proxy", ["http://127.0.0.1:9", "socks5://127.0.0.1:9"], ids=["http", "socks5"])
def test_dead_proxy(run_suite: Runner, proxy: str) -> None:
    """A proxy that does not answer (for a remote API): error verdicts and one note naming the proxy setting."""
    run = run_suite("compliant", env={"ALL_PROXY": proxy, "NO_PROXY": ""}, api_url="https://api.github.com")
    assert run.ret == 1
    assert "Traceback" not in run.stdout + run.stderr
    assert run.verdicts["ACTIVE"] == "error"
    note = next(line for line in run.stdout.splitlines() if line.startswith("note: Could not use the GitHub API"))
    assert "proxy settings in effect: ALL_PROXY" in note

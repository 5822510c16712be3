"""The publishing guards: URLs parsed, never prefix-matched; the token under test refused; every page read."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.publish import tracking
from compliance.publish.http import PublishError, checked_url, github_api_url, guard_token_under_test
from compliance.scheduled import ConfigError, load_config
from tests.fakes import FakeGitHubIssues
from tests.support import CANARY, CLASSIC_CANARY

GH_TOKEN = "ghs_FAKEPUBLISHINGTOKEN000000000000000000"  # the workflow's GITHUB_TOKEN stand-in, a fake


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1@other-host:8080",  # passed a prefix match: Basic credentials in clear to other-host
        "http://127.0.0.1.evil.example",
        "http://other-host",
        "https://user:pass@jira.example",
        "ftp://jira.example",
        "https://",
        "https://jira.example/?x=1",
        "https://jira.example:99999",
    ],
)
def test_credentials_never_go_to_an_unchecked_url(url: str) -> None:
    """Only https, or http to a real loopback host, without user info, query or a bad port: one sentence otherwise."""
    with pytest.raises(PublishError) as caught:
        checked_url(url, "--jira-url")
    assert "--jira-url" in str(caught.value) and "pass" not in str(caught.value).replace("password", "")


@pytest.mark.parametrize(
    "url", ["https://jira.example", "https://acme.atlassian.net/", "http://127.0.0.1:8080", "http://localhost:1"]
)
def test_good_urls_pass(url: str) -> None:
    """Https anywhere and http to loopback are accepted, without a trailing slash."""
    assert checked_url(url, "--jira-url") == url.rstrip("/")


def test_github_api_url_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """GITHUB_API_URL is parsed like any URL a credential goes to."""
    monkeypatch.setenv("GITHUB_API_URL", "http://api.github.example")
    with pytest.raises(PublishError, match="GITHUB_API_URL"):
        github_api_url()
    monkeypatch.delenv("GITHUB_API_URL")
    assert github_api_url() == "https://api.github.com"


@pytest.mark.parametrize("under_test", [CANARY, CLASSIC_CANARY])
@pytest.mark.parametrize("credential", ["{t}", " {t}\n", "\t{t}"])
def test_the_token_under_test_is_refused_whatever_its_kind_and_whitespace(
    monkeypatch: pytest.MonkeyPatch, under_test: str, credential: str
) -> None:
    """A fine-grained or classic token under test, padded or not, is never a publishing credential."""
    monkeypatch.setenv("GITHUB_TOKEN", under_test)
    with pytest.raises(PublishError, match="token under test"):
        guard_token_under_test(credential.format(t=under_test))


def test_the_token_under_test_from_another_variable_or_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """COMPLIANCE_TOKEN_ENV and COMPLIANCE_TOKEN_FILE name what the suite read; both are compared."""
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("COMPLIANCE_TOKEN_ENV", "ORG_TOKEN")
    monkeypatch.setenv("ORG_TOKEN", CANARY)
    with pytest.raises(PublishError):
        guard_token_under_test(CANARY)
    monkeypatch.delenv("COMPLIANCE_TOKEN_ENV")
    token_file = tmp_path / "token"
    token_file.write_text(CLASSIC_CANARY + "\n")
    monkeypatch.setenv("COMPLIANCE_TOKEN_FILE", str(token_file))
    with pytest.raises(PublishError):
        guard_token_under_test("other", CLASSIC_CANARY)
    guard_token_under_test(GH_TOKEN)  # another credential is fine


def test_jira_credentials_are_compared_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A Jira API token or PAT equal to the token under test is refused before anything is sent."""
    from compliance.publish import attach

    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    monkeypatch.setenv("JIRA_PAT", CANARY)
    with pytest.raises(PublishError, match="token under test"):
        attach._jira_auth()


def test_tracking_reads_every_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Past 100 open tracking issues, the org's own issue is still found and updated, never duplicated."""
    with FakeGitHubIssues(GH_TOKEN) as issues:
        for n in range(1, 131):
            org = "late-org" if n == 130 else f"org-{n}"
            issues.issues[n] = {"number": n, "title": tracking.title_for(org), "body": "", "state": "open",
                                "labels": [tracking.LABEL]}  # fmt: skip
        monkeypatch.setenv("GH_TOKEN", GH_TOKEN)
        monkeypatch.setenv("GITHUB_API_URL", issues.url)
        monkeypatch.delenv("GITHUB_TOKEN", raising=False)
        summary = tmp_path / "summary.md"
        summary.write_text("## Copilot token compliance: NOT COMPLIANT\n")
        argv = ["--org", "late-org", "--state", "broken", "--summary", str(summary), "--repo", "acme/compliance"]
        assert tracking.main(argv) == 0
        assert len(issues.issues) == 130  # no duplicate opened
        assert issues.comments.get(130)


def test_the_org_config_refuses_a_repeated_org(tmp_path: Path) -> None:
    """Listing an org twice (any case) is a configuration error, not two matrix jobs racing one tracking issue."""
    config = tmp_path / "orgs.yml"
    config.write_text("orgs:\n  - {org: acme, token_secret: A}\n  - {org: ACME, token_secret: B}\n")
    with pytest.raises(ConfigError, match="again"):
        load_config(config)

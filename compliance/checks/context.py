"""What a check may read (evidence, profile, settings, derived facts) and the verdict sentences checks share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from compliance.checks.facts import Facts
from compliance.evidence import Evidence, Failure, NotSent, Reply
from compliance.model import Settings, Verdict, Word
from compliance.profiles import Profile

__all__ = [
    "APP_RECORD",
    "REJECTED",
    "Context",
    "answer",
    "blocked",
    "days",
    "error",
    "explained",
    "fail",
    "first_failure",
    "not_applicable",
    "passed",
    "stamp",
    "suffix",
    "unverified",
    "warn",
]

APP_RECORD = "the org's grant record (GET /orgs/{org}/personal-access-tokens, readable with a GitHub App token)"
REJECTED = "GitHub rejected the token (401), so this cannot be observed."


@dataclass(frozen=True)
class Context:
    """Everything a check may read: the raw evidence, the profile, the settings and the facts derived once."""

    evidence: Evidence
    profile: Profile
    settings: Settings
    facts: Facts

    @property
    def org(self) -> str:
        """The organization under check."""
        return self.evidence.target.org

    @property
    def app_record(self) -> str:
        """How to name the org's grant record in a sentence."""
        return APP_RECORD.format(org=self.org)

    def reply(self, probe: str) -> Reply | None:
        """The probe's HTTP answer, if it got one."""
        result = self.evidence.get(probe)
        return result if isinstance(result, Reply) else None


def passed(text: str) -> Verdict:
    """A pass with what proved it."""
    return Verdict(Word.PASS, text)


def fail(text: str, advice: str = "") -> Verdict:
    """A fail with what was observed."""
    return Verdict(Word.FAIL, text, advice)


def warn(text: str, advice: str = "") -> Verdict:
    """A warning with what was observed."""
    return Verdict(Word.WARN, text, advice)


def unverified(text: str, advice: str = "") -> Verdict:
    """Unverified, naming what would prove it."""
    return Verdict(Word.UNVERIFIED, text, advice)


def not_applicable(text: str) -> Verdict:
    """Does not apply here, and why."""
    return Verdict(Word.NOT_APPLICABLE, text)


def error(text: str) -> Verdict:
    """The check could not run, and why."""
    return Verdict(
        Word.ERROR, text, "Re-run the suite; if the error persists, check GitHub's status page and --api-url."
    )


def answer(c: Context, probe: str) -> Reply | Verdict:
    """The probe's reply, or the verdict that its absence forces (error, or unverified after a 401)."""
    result = c.evidence.get(probe)
    if isinstance(result, Failure):
        return error(result.describe())
    if isinstance(result, NotSent):
        return error(result.describe()) if result.error else unverified(result.describe())
    if result is None:
        return unverified(f"the {probe} probe was not part of this run")
    if result.status == 401:
        return unverified(REJECTED)
    return result


def blocked(c: Context) -> Verdict | None:
    """`unverified` naming the headline cause, when an org-wide refusal hides what a requirement needs."""
    found = c.facts.headline
    if found is None or found.cause == "token-rejected":
        return None
    return Verdict(Word.UNVERIFIED, found.text, cause=found.cause)


def explained(c: Context, probe: str, reply: Reply) -> Verdict | None:
    """A refusal the headline cause explains: fail if it stops the token for anyone, unverified if only from here."""
    found = c.facts.explained(probe) if reply.refused else None
    if found is None:
        return None
    word = Word.FAIL if found.blocks_token else Word.UNVERIFIED
    return Verdict(word, f"{reply.describe()}. {found.text}", cause=found.cause)


def first_failure(c: Context) -> Verdict | None:
    """`error` from the first probe that got no answer: org access could not be observed."""
    failed = next((r for r in c.evidence.results.values() if isinstance(r, Failure)), None)
    return error(failed.describe()) if failed else None


def suffix(c: Context, *codes: str) -> str:
    """The sentences of the named Copilot diagnoses the evidence shows, to append to an observation."""
    found = [d.text for d in c.facts.diagnoses if d.code in codes]
    return (" " + " ".join(found)) if found else ""


def days(delta: dt.timedelta) -> int:
    """Whole days in a span of time."""
    return int(delta.total_seconds() // 86400)


def stamp(moment: dt.datetime) -> str:
    """A time as the verdicts show it."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")

"""JUnit XML's side: each test case's requirement, verdict and controls, and the run's provenance on the suite."""

from __future__ import annotations

from collections.abc import Iterable

from compliance.checks.evaluate import Finding
from compliance.report.assessment import Assessment

__all__ = ["add_suite_properties", "case_properties", "suite_properties"]


def case_properties(f: Finding) -> list[tuple[str, str]]:
    """A test case's properties: requirement, level, verdict, source and the framework controls."""
    return [
        ("requirement", f.requirement.id),
        ("level", f.requirement.level.value),
        ("verdict", f.verdict.word.value),
        ("source", f.verdict.source.value),
        ("controls", "; ".join(c.label for c in f.requirement.controls)),
    ]


def suite_properties(a: Assessment) -> list[tuple[str, str]]:
    """The test suite's properties: the overall verdict and who ran what, when and how; never the token."""
    props = [("org", a.evidence.target.org), ("profile", a.profile.id), ("overall", a.overall.word)]
    props += [("token_fingerprint", a.fingerprint or ""), ("hashed_token", a.hashed_token or "")]
    p = a.provenance
    if p is not None:
        props += [
            ("runner", p.runner),
            ("runner_url", p.runner_url or ""),
            ("suite_version", p.suite_version),
            ("commit", p.commit or ""),
            ("profile_sha256", p.profile_sha256),
            ("api_url", p.api_url),
        ]
    return [(k, v) for k, v in props if v]


def add_suite_properties(plugins: Iterable[object], a: Assessment) -> None:
    """Give JUnit's report (when active) the suite properties, before it writes its file."""
    for plugin in plugins:
        add = getattr(plugin, "add_global_property", None)  # JUnit's LogXML
        if callable(add):
            for name, value in suite_properties(a):
                add(name, value)

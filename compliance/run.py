"""One run, start to finish: options in, evidence fetched once (live, recorded or replayed), verdicts out."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from pathlib import Path

from compliance import __version__
from compliance.attestations import load_attestations
from compliance.catalogue import Profile
from compliance.evaluation import attest, evaluate
from compliance.evidence import Evidence, Failure
from compliance.github import ATTEMPTS, GitHub
from compliance.options import InputError, Mode, RunOptions, Target
from compliance.probes import collect
from compliance.recording import DEMO_CASSETTE, Recording, default_cassette, load_recording, recording, replaying
from compliance.results import Assessment
from compliance.verdicts import Settings

__all__ = ["assess", "replay_source"]


def assess(opts: RunOptions, profile: Profile) -> Assessment:
    """Gather the evidence the mode calls for, evaluate every requirement, then apply attestations."""
    statements, warnings = (
        ([], [])
        if opts.attestations is None
        else load_attestations(opts.attestations, [r.id for r in profile.requirements])
    )
    assessment = _replay(opts, profile) if opts.mode is Mode.REPLAY else _live(opts, profile)
    verdicts, notes = attest(assessment.verdicts, profile, statements, assessment.evidence.now.date())
    return dataclasses.replace(
        assessment, verdicts=verdicts, notes=(*_reach_notes(assessment.evidence), *warnings, *notes)
    )


def _reach_notes(evidence: Evidence) -> tuple[str, ...]:
    """One plain sentence when GitHub could not be used at all (the verdicts then say `error`)."""
    user = evidence.get("user")
    if not isinstance(user, Failure):
        return ()
    return (
        f"Could not use the GitHub API at {evidence.target.api_url} (GET /user failed: {user.reason}); check "
        "--api-url, your network, proxy and TLS settings, then re-run.",
    )


def _live(opts: RunOptions, profile: Profile) -> Assessment:
    assert opts.token is not None  # options.resolve guarantees a token for live and record
    now = dt.datetime.now(dt.UTC)
    settings = Settings(opts.allow_no_expiration, opts.expiry_warning_days, opts.expected_owner)
    meta = None
    timeout = opts.request_timeout
    app = GitHub(opts.target.api_url, opts.app_token, opts.max_wait, timeout=timeout) if opts.app_token else None
    tokens = tuple(t for t in (opts.token, opts.app_token) if t)
    with (
        GitHub(opts.target.api_url, opts.token, opts.max_wait, timeout=timeout) as client,
        contextlib.ExitStack() as stack,
    ):
        if app is not None:
            stack.enter_context(app)
        if opts.mode is Mode.RECORD:
            meta = Recording(
                path=opts.cassette or default_cassette(opts.target.org, now),
                recorded_at=now,
                org=opts.target.org,
                api_url=opts.target.api_url,
                profile=profile.id,
                suite_version=__version__,
                allow_no_expiration=settings.allow_no_expiration,
                expiry_warning_days=settings.expiry_warning_days,
                expected_owner=settings.expected_owner,
                max_wait=opts.max_wait,
                token_kind=opts.token.kind,
                token_fingerprint=opts.token.fingerprint,
                token_source=opts.token_source,
                app_record=app is not None,
            )
            with recording(meta.path, tokens, meta):
                evidence = collect(opts.target, client, now, opts.token.kind, opts.token_source, app)
        else:
            evidence = collect(opts.target, client, now, opts.token.kind, opts.token_source, app)
    return Assessment(
        profile=profile,
        mode=opts.mode,
        evidence=evidence,
        verdicts=evaluate(evidence, profile, settings),
        fingerprint=opts.token.fingerprint,
        recorded_at=meta.recorded_at if meta else None,
    )


def replay_source(opts: RunOptions) -> Path:
    """The cassette to replay: --cassette, else the newest for --org, else the bundled demo."""
    if opts.cassette:
        return opts.cassette
    if opts.target.org:
        found = sorted(Path("cassettes", opts.target.org).glob("*.yaml"))
        if not found:
            raise InputError(
                f"No cassette for {opts.target.org} under cassettes/{opts.target.org}/; pass --cassette "
                "PATH, or record one with --mode record."
            )
        return found[-1]
    return DEMO_CASSETTE


def _replay(opts: RunOptions, profile: Profile) -> Assessment:
    meta = load_recording(replay_source(opts))
    if opts.target.org and opts.target.org.lower() != meta.org.lower():
        raise InputError(
            f"The cassette {meta.path} was recorded for {meta.org}, not {opts.target.org}; pass the "
            "matching --org or another --cassette."
        )
    if meta.profile != profile.id:
        raise InputError(
            f"The cassette {meta.path} was recorded with profile {meta.profile}, not {profile.id}; pass "
            f"--profile {meta.profile}."
        )
    target = Target(meta.org, meta.api_url)
    with (
        replaying(meta, ATTEMPTS),
        GitHub(meta.api_url, None, meta.max_wait) as client,
        GitHub(meta.api_url, None, meta.max_wait) as app,
    ):
        evidence = collect(
            target, client, meta.recorded_at, meta.token_kind, meta.token_source, app if meta.app_record else None
        )
    settings = Settings(meta.allow_no_expiration, meta.expiry_warning_days, meta.expected_owner)
    return Assessment(
        profile=profile,
        mode=Mode.REPLAY,
        evidence=evidence,
        verdicts=evaluate(evidence, profile, settings),
        fingerprint=meta.token_fingerprint,
        recorded_at=meta.recorded_at,
        demo=meta.demo,
    )

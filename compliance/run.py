"""One run, start to finish: options in, evidence fetched once (live, recorded or replayed), the assessment out.

The only module that imports both the gathering and the checking wing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import Any

from compliance import __version__
from compliance.attestations import load_attestations
from compliance.checks.evaluate import evaluate
from compliance.checks.registry import REGISTRY
from compliance.evidence import Evidence, Failure
from compliance.gather.cassettes import DEMO_CASSETTE, Recording, check_writable, default_cassette, load_recording
from compliance.gather.client import ATTEMPTS, Gate, GitHub
from compliance.gather.collect import collect
from compliance.gather.guard import guard_process
from compliance.gather.recorder import recording, replaying
from compliance.history.memory import recall
from compliance.history.store import load
from compliance.inputs import RunOptions
from compliance.model import Mode, Target, UsageError
from compliance.profiles import Profile, load_profile
from compliance.provenance import provenance_of
from compliance.report.assessment import Assessment

__all__ = ["assess", "gather", "replay_source"]


def assess(opts: RunOptions, profile: Profile, gathered: Evidence | None = None) -> Assessment:
    """Gather the evidence the mode calls for (or take `gathered`, live evidence of this target), then evaluate."""
    guard_process(os.environ)
    provenance = provenance_of(opts, profile, os.environ, dt.datetime.now(dt.UTC))
    if gathered is not None and (opts.mode is not Mode.LIVE or gathered.target != opts.target):
        raise UsageError(f"Evidence gathered for {gathered.target.org} cannot stand for a run on {opts.target.org}.")
    meta = load_recording(replay_source(opts)) if opts.mode is Mode.REPLAY else None
    if opts.mode is Mode.RECORD:
        check_writable(opts.cassette or default_cassette(opts.target.org, dt.datetime.now(dt.UTC)))
    history = _history(opts, meta is not None and meta.demo)
    today = meta.recorded_at.date() if meta else dt.datetime.now(dt.UTC).date()
    statements, warnings = (
        ([], [])
        if opts.attestations is None
        else load_attestations(opts.attestations, [r.id for r in profile.requirements], today)
    )
    recorded_at: dt.datetime | None
    if meta is not None:
        evidence = _replay(opts, profile, meta)
        settings, fingerprint, recorded_at, demo = meta.settings, meta.token_fingerprint, meta.recorded_at, meta.demo
        hashed = meta.token_hashed
    else:
        assert opts.token is not None  # options.resolve guarantees a token for live and record
        evidence, recorded_at = (gathered, None) if gathered is not None else _live(opts, profile)
        settings, fingerprint, demo = opts.settings, opts.token.fingerprint, False
        hashed = opts.token.hashed_token
    remembered = recall(history, evidence.target.org, fingerprint, hashed)
    evaluation = evaluate(evidence, profile, settings, statements, remembered)
    return Assessment(
        profile=profile,
        mode=opts.mode,
        evidence=evidence,
        evaluation=evaluation,
        fingerprint=fingerprint,
        hashed_token=hashed,
        provenance=provenance,
        recorded_at=recorded_at,
        demo=demo,
        notes=(*_reach_notes(evidence), *warnings, *evaluation.notes),
    )


def _history(opts: RunOptions, demo: bool) -> list[dict[str, Any]]:
    """The records of --history, read before any request is sent; a history that does not verify is bad input."""
    if opts.history is None:
        return []
    if demo:
        raise UsageError("--history keeps an org's runs, and this run replays the bundled demo; pass --org ORG.")
    if not opts.history.exists():
        return []  # the first run starts the history
    checked = load(opts.history)
    if checked.broken is not None:
        raise UsageError(
            f"--history {opts.history} does not verify, so nothing in it is trusted: {checked.broken.sentence}"
        )
    return checked.records


def _reach_notes(evidence: Evidence) -> tuple[str, ...]:
    """One plain sentence when GitHub could not be used at all (the verdicts then say `error`)."""
    user = evidence.get("user")
    if not isinstance(user, Failure):
        return ()
    return (
        f"Could not use the GitHub API at {evidence.target.api_url} (GET /user failed: {user.reason}); check "
        "--api-url, your network, proxy and TLS settings, then re-run.",
    )


def gather(opts: RunOptions, gate: Gate | None = None) -> Evidence:
    """Live evidence for one org ahead of its run (fleet mode); `gate` bounds requests in flight across orgs."""
    if opts.mode is not Mode.LIVE:
        raise UsageError(f"--mode {opts.mode.value} cannot gather ahead of the run; fleet mode checks live.")
    guard_process(os.environ)
    return _live(opts, load_profile(opts.profile, REGISTRY.keys()), gate)[0]


def _live(opts: RunOptions, profile: Profile, gate: Gate | None = None) -> tuple[Evidence, dt.datetime | None]:
    """Evidence from GitHub itself, saved to a cassette in record mode; the recording time, if recorded."""
    assert opts.token is not None
    now = dt.datetime.now(dt.UTC)
    timeout = opts.request_timeout
    app = (
        GitHub(opts.target.api_url, opts.app_token, opts.max_wait, timeout=timeout, gate=gate)
        if opts.app_token
        else None
    )
    tokens = tuple(t for t in (opts.token, opts.app_token) if t)
    with (
        GitHub(opts.target.api_url, opts.token, opts.max_wait, timeout=timeout, gate=gate) as client,
        contextlib.ExitStack() as stack,
    ):
        if app is not None:
            stack.enter_context(app)
        if opts.mode is not Mode.RECORD:
            return collect(opts.target, client, now, opts.token.kind, opts.token_source, app, _roles(profile)), None
        meta = Recording(
            path=opts.cassette or default_cassette(opts.target.org, now),
            recorded_at=now,
            org=opts.target.org,
            api_url=opts.target.api_url,
            profile=profile.id,
            suite_version=__version__,
            settings=opts.settings,
            max_wait=opts.max_wait,
            token_kind=opts.token.kind,
            token_fingerprint=opts.token.fingerprint,
            token_hashed=opts.token.hashed_token,
            token_source=opts.token_source,
            app_record=app is not None,
        )
        with recording(meta.path, tokens, meta):
            evidence = collect(opts.target, client, now, opts.token.kind, opts.token_source, app, _roles(profile))
        return evidence, now


def replay_source(opts: RunOptions) -> Path:
    """The cassette to replay: --cassette, else the newest for --org, else the bundled demo."""
    if opts.cassette:
        return opts.cassette
    if opts.target.org:
        found = sorted(Path("cassettes", opts.target.org).glob("*.yaml"))
        if not found:
            raise UsageError(
                f"No cassette for {opts.target.org} under cassettes/{opts.target.org}/; pass --cassette "
                "PATH, or record one with --mode record."
            )
        return found[-1]
    return DEMO_CASSETTE


def _replay(opts: RunOptions, profile: Profile, meta: Recording) -> Evidence:
    """Evidence served from the cassette only, with the network off and the recorded time as 'now'."""
    if opts.target.org and opts.target.org.lower() != meta.org.lower():
        raise UsageError(
            f"The cassette {meta.path} was recorded for {meta.org}, not {opts.target.org}; pass the "
            "matching --org or another --cassette."
        )
    if meta.profile != profile.id:
        raise UsageError(
            f"The cassette {meta.path} was recorded with profile {meta.profile}, not {profile.id}; pass "
            f"--profile {meta.profile}."
        )
    with (
        replaying(meta, ATTEMPTS),
        GitHub(meta.api_url, None, meta.max_wait) as client,
        GitHub(meta.api_url, None, meta.max_wait) as app,
    ):
        return collect(
            Target(meta.org, meta.api_url),
            client,
            meta.recorded_at,
            meta.token_kind,
            meta.token_source,
            app if meta.app_record else None,
            _roles(profile),
        )


def _roles(profile: Profile) -> tuple[str, ...]:
    """The org-role permission ids whose roles the App reads: only for a profile whose owner needs a custom role."""
    return profile.owner.permission_ids if profile.owner.kind == "custom" else ()

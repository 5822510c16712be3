"""Sending the probe table: identity first (stop on 401), then one concurrent wave, each endpoint once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence

from compliance.evidence import Evidence, Failure, NotSent, Reply, RequestRecord, Result, login_of
from compliance.gather.client import GitHub
from compliance.gather.pages import concurrently
from compliance.model import Target, TokenKind, TokenSource, UsageError
from compliance.probes import RECORD_PROBES, ROLE_PROBES, Probe, granting_roles, is_login, probes_for, role_users_name

__all__ = ["MAX_CONCURRENCY", "collect"]

MAX_CONCURRENCY = 20  # one org's requests in flight at most: the largest wave (token and App reads) fits
Job = Callable[[], tuple[str, Result]]


def collect(
    target: Target,
    client: GitHub,
    now: dt.datetime,
    kind: TokenKind | None,
    source: TokenSource | None,
    app: GitHub | None = None,
    role_permissions: tuple[str, ...] = (),
) -> Evidence:
    """Send the probes (GET only, each once) and gather their results; stop after a 401 or a failed GET /user.

    With `app` (a GitHub App client) the org's grant record is read too, in the same wave; with `role_permissions`
    also the org's roles and the users of each role that grants one of them (a custom owner role).
    """
    org = target.org
    probes = probes_for(target.is_server)
    results: dict[str, Result] = {}
    halted: list[NotSent] = []  # why the rest is not sent: after a 401, or when GET /user failed

    def send(probe: Probe) -> tuple[str, Result]:
        path = probe.url_path(org)
        if halted:
            return probe.name, dataclasses.replace(halted[0], path=path)
        result = client.get(path, probe.params or None)
        if isinstance(result, Reply) and result.status == 401:
            halted.append(NotSent(path, "GitHub rejected the token (401), so no further request was sent"))
        return probe.name, result

    def wave(batch: Iterable[Probe], extra: Sequence[Job] = ()) -> None:
        todo: list[Job] = [lambda p=p: send(p) for p in batch] + list(extra)
        # the cap fits the whole wave: every request of a wave is in flight at once, one round trip
        results.update(concurrently(todo, min(len(todo), MAX_CONCURRENCY)))

    wave(p for p in probes if p.wave == 1)
    _check_input(target, results)
    user = results["user"]
    if isinstance(user, Failure):  # GitHub is unreachable or unusable: asking nine more times proves nothing
        halted.append(NotSent("", f"{user.describe()}, so no further request was sent", error=True))
    owner = login_of(results["user"])
    if app is not None and owner and not halted and not is_login(owner):
        results.update(_login_refused(org, owner))
        owner = None
    record_jobs = _record_jobs(app, org, owner) if app is not None and owner and not halted else []
    if app is not None and owner and not halted and role_permissions:
        record_jobs.append(functools.partial(_read_roles, app, org, role_permissions, results))
    wave((p for p in probes if p.wave == 2), record_jobs)
    _check_input(target, results)
    requests = list(client.requests) + (list(app.requests) if app is not None else [])
    order = [p.url_path(org) for p in probes] + [p.url_path(org, owner) for p in RECORD_PROBES if owner]
    order.append(ROLE_PROBES[0].url_path(org))
    return Evidence(
        target=target,
        token_kind=kind,
        token_source=source,
        now=now,
        results=results,
        requests=_in_probe_order(requests, order),
    )


def _check_input(target: Target, results: dict[str, Result]) -> None:
    """Turn answers that mean the input is wrong (not the token) into a usage error."""
    user, org = results["user"], results.get("org")
    api = target.api_url
    if isinstance(user, Reply) and user.status == 404:
        raise UsageError(
            f"{api} does not look like a GitHub REST API (GET /user answered 404); for GitHub Enterprise Server "
            "use https://HOST/api/v3."
        )
    if isinstance(user, Reply) and user.ok and isinstance(org, Reply) and org.status == 404:
        raise UsageError(
            f"GitHub has no organization named {target.org!r} at {api} (GET /orgs/{target.org} answered "
            "404); check --org and --api-url."
        )


def _in_probe_order(records: list[RequestRecord], paths: list[str]) -> tuple[RequestRecord, ...]:
    """Requests in probe order (retries together), not in the order concurrent answers arrived."""

    def rank(record: RequestRecord) -> int:
        path = record.path.split("?")[0]
        return paths.index(path) if path in paths else len(paths)

    return tuple(sorted(records, key=rank))


def _login_refused(org: str, login: str) -> dict[str, Result]:
    """The record's reads, not sent: the login GET /user gave is no GitHub login, so it may not go into a path."""
    reason = (
        f"GET /user gave the login {login[:60]!r}, which is not a GitHub login (letters, digits and single hyphens, "
        "at most 39), so the org's record was not read for it"
    )
    return {p.name: NotSent(p.url_path(org, "{owner}"), reason) for p in RECORD_PROBES}


def _record_jobs(app: GitHub, org: str, owner: str) -> list[Job]:
    """The GitHub App's reads: the owner's grants and pending requests (every page), and the owner's membership."""

    def read(probe: Probe) -> tuple[str, Result]:
        path = probe.url_path(org, owner)
        params = {k: v.format(owner=owner) for k, v in probe.params.items()}
        return probe.name, app.get_all(path, params) if probe.paginated else app.get(path, params or None)

    return [functools.partial(read, p) for p in RECORD_PROBES]


_MOST_ROLES = 10  # roles whose users are read; an org rarely has more than a few granting one permission


def _read_roles(app: GitHub, org: str, wanted: tuple[str, ...], results: dict[str, Result]) -> tuple[str, Result]:
    """The org's roles, then the users of each role granting a wanted permission (their results added to `results`)."""
    roles, users = ROLE_PROBES
    listed = app.get(roles.url_path(org))
    if isinstance(listed, Reply) and listed.ok:
        for role_id, _name in granting_roles(listed.body, wanted)[:_MOST_ROLES]:
            results[role_users_name(role_id)] = app.get_all(users.url_path(org, role_id=role_id), dict(users.params))
    return roles.name, listed

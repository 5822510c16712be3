"""Which GET requests prove what, and how they are sent: identity first (stop on 401), then one concurrent wave."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from compliance.evidence import Evidence, Failure, NotSent, Reply, RequestRecord, Result, login_of
from compliance.github import GitHub
from compliance.grants import GRANTS, MEMBERSHIP, REQUESTS
from compliance.options import InputError, Target
from compliance.token import TokenKind, TokenSource

__all__ = ["EXCESS_PROBES", "MAX_CONCURRENCY", "PROBES", "Probe", "collect", "probes_for"]

MAX_CONCURRENCY = 10


@dataclass(frozen=True)
class Probe:
    """One GET request and the fact it establishes."""

    name: str
    path: str
    purpose: str
    params: dict[str, str] = field(default_factory=dict)
    cloud_only: bool = False
    wave: int = 2
    permission: str = ""  # for negative probes: the permission whose presence a 200 proves

    def url_path(self, org: str) -> str:
        """The request path for this org."""
        return self.path.format(org=org)


PROBES: tuple[Probe, ...] = (
    Probe("user", "/user", "identity, token expiry and scopes headers; needs no permission", wave=1),
    Probe("org", "/orgs/{org}", "the org exists; owners see its private repository count"),
    Probe("membership", "/user/memberships/orgs/{org}", "needs Members: Read; gives the owner's role and state"),
    Probe(
        "copilot_billing",
        "/orgs/{org}/copilot/billing",
        "needs GitHub Copilot Business: Read and an org owner",
        cloud_only=True,
    ),
    Probe(
        "copilot_seats",
        "/orgs/{org}/copilot/billing/seats",
        "Copilot seat assignments, same permission",
        params={"per_page": "1"},
        cloud_only=True,
    ),
    Probe(
        "copilot_metrics",
        "/orgs/{org}/copilot/metrics/reports/organization-28-day/latest",
        "needs Organization Copilot metrics: Read and the metrics policy",
        cloud_only=True,
    ),
    Probe(
        "private_repos",
        "/orgs/{org}/repos",
        "a private repository must not be visible",
        params={"type": "private", "per_page": "1"},
    ),
    Probe("excess:administration", "/orgs/{org}/actions/permissions", "must be refused", permission="Administration"),
    Probe(
        "excess:secrets",
        "/orgs/{org}/actions/secrets",
        "must be refused",
        params={"per_page": "1"},
        permission="Secrets",
    ),
    Probe("excess:hooks", "/orgs/{org}/hooks", "must be refused", params={"per_page": "1"}, permission="Webhooks"),
)
EXCESS_PROBES = tuple(p for p in PROBES if p.permission)


def probes_for(server: bool) -> tuple[Probe, ...]:
    """The probes that exist on this kind of GitHub (Copilot endpoints are cloud-only)."""
    return tuple(p for p in PROBES if not (server and p.cloud_only))


def collect(
    target: Target,
    client: GitHub,
    now: dt.datetime,
    kind: TokenKind | None,
    source: TokenSource | None,
    app: GitHub | None = None,
) -> Evidence:
    """Send the probes (GET only, each once) and gather their results; stop after a 401 or a failed GET /user.

    With `app` (a GitHub App installation client) the org's grant record is read too, in the same wave.
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

    def wave(batch: Iterable[Probe], extra: Sequence[Callable[[], tuple[str, Result]]] = ()) -> None:
        todo: list[Callable[[], tuple[str, Result]]] = [lambda p=p: send(p) for p in batch] + list(extra)
        results.update(_concurrently(todo, MAX_CONCURRENCY))

    wave(p for p in probes if p.wave == 1)
    _check_input(target, results)
    user = results["user"]
    if isinstance(user, Failure):  # GitHub is unreachable or unusable: asking nine more times proves nothing
        halted.append(NotSent("", f"{user.describe()}, so no further request was sent", error=True))
    owner = login_of(results["user"])
    record_jobs = _record_jobs(app, target, owner) if app is not None and owner and not halted else []
    wave((p for p in probes if p.wave == 2), record_jobs)
    _check_input(target, results)
    requests = list(client.requests) + (list(app.requests) if app is not None else [])
    return Evidence(
        target=target,
        token_kind=kind,
        token_source=source,
        now=now,
        results=results,
        requests=_in_probe_order(requests, [p.url_path(org) for p in probes] + _record_paths(org, owner)),
    )


def _concurrently(jobs: Sequence[Callable[[], tuple[str, Result]]], limit: int) -> list[tuple[str, Result]]:
    """Run jobs on at most `limit` daemon threads; Ctrl-C returns at once instead of waiting out a slow request."""
    done: list[tuple[str, Result] | BaseException | None] = [None] * len(jobs)
    gate = threading.BoundedSemaphore(limit)

    def work(i: int) -> None:
        with gate:
            try:
                done[i] = jobs[i]()
            except BaseException as exc:  # handed to the main thread below, which re-raises it
                done[i] = exc

    threads = [threading.Thread(target=work, args=(i,), daemon=True, name=f"probe-{i}") for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results: list[tuple[str, Result]] = []
    for item in done:
        if isinstance(item, BaseException):
            raise item
        if item is not None:
            results.append(item)
    return results


def _check_input(target: Target, results: dict[str, Result]) -> None:
    """Turn answers that mean the input is wrong (not the token) into a usage error."""
    user, org = results["user"], results.get("org")
    api = target.api_url
    if isinstance(user, Reply) and user.status == 404:
        raise InputError(
            f"{api} does not look like a GitHub REST API (GET /user answered 404); for GitHub Enterprise Server "
            "use https://HOST/api/v3."
        )
    if isinstance(user, Reply) and user.ok and isinstance(org, Reply) and org.status == 404:
        raise InputError(
            f"GitHub has no organization named {target.org!r} at {api} (GET /orgs/{target.org} answered "
            "404); check --org and --api-url."
        )


def _in_probe_order(records: list[RequestRecord], paths: list[str]) -> tuple[RequestRecord, ...]:
    """Requests in probe order (retries together), not in the order concurrent answers arrived."""

    def rank(record: RequestRecord) -> int:
        path = record.path.split("?")[0]
        return paths.index(path) if path in paths else len(paths)

    return tuple(sorted(records, key=rank))


def _record_paths(org: str, owner: str | None) -> list[str]:
    base = [f"/orgs/{org}/personal-access-tokens", f"/orgs/{org}/personal-access-token-requests"]
    return base + ([f"/orgs/{org}/memberships/{owner}"] if owner else [])


def _record_jobs(app: GitHub, target: Target, owner: str) -> list[Callable[[], tuple[str, Result]]]:
    """The GitHub App's reads: the owner's grants and pending requests (paginated), and the owner's membership."""
    grants, requests, membership = _record_paths(target.org, owner)
    query = {"owner[]": owner, "per_page": "100"}
    return [
        lambda: (GRANTS, app.get_all(grants, query)),
        lambda: (REQUESTS, app.get_all(requests, query)),
        lambda: (MEMBERSHIP, app.get(membership)),
    ]

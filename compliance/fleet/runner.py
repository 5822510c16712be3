"""Fleet mode's run: every org's evidence gathered concurrently, then each org's own pytest session and reports.

Each org goes through the single-org pipeline unchanged: its options are resolved as `--org ORG --token-env
SECRET` (or `--token-file DIR/SECRET`) would be, its evidence is gathered by `run.gather`, and its report set is
written by the same pytest session a single-org run starts (in this process, with the gathered evidence handed
in), so each org's reports equal a single-org run's but for the times. Gathering runs ahead on threads, bounded
by one Throttle for the whole fleet; sessions run one after another as each org's evidence arrives.

Problems of the whole fleet (the config, the token folder, the reports folder, a shared option, SSLKEYLOGFILE)
stop it before anything is sent; one org's bad input (its token not set, its token file readable by others) is
that org's row in the summary, COULD NOT RUN with exit code 4, and the other orgs are checked.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from compliance.command import pytest_argv
from compliance.evidence import Evidence
from compliance.fleet.config import OrgEntry, check_token_dir, load_orgs, token_options
from compliance.fleet.options import FleetArgs, parse_fleet, report_names, single_org_parser
from compliance.fleet.summary import OrgRun, write_summary
from compliance.fleet.throttle import Throttle
from compliance.gather.guard import guard_process
from compliance.inputs import RunOptions, resolve, writable_path
from compliance.model import UsageError
from compliance.plugin import ASSESSMENT, GATHERED
from compliance.redaction import Redactor
from compliance.report.assessment import Assessment
from compliance.run import gather

__all__ = ["fleet_main", "plan", "run_fleet"]

_PROBE = "COPILOT_TOKEN_COMPLIANCE_FLEET_PROBE"  # an unset variable: the shared options are checked without a token


class _Session:
    """The plugin handed to one org's session: the gathered evidence in, the finished assessment out."""

    def __init__(self, evidence: Evidence) -> None:
        self.__name__ = GATHERED
        self.evidence = evidence
        self.assessment: Assessment | None = None

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Keep the session's assessment for the fleet summary."""
        self.assessment = config.stash.get(ASSESSMENT, None)


@dataclass(frozen=True)
class _Planned:
    entry: OrgEntry
    argv: list[str]  # the single-org options of this org: the same command line a single-org run would take
    opts: RunOptions | None  # None when the org's own input is wrong: `problem` says why
    problem: str = ""


def _org_argv(
    entry: OrgEntry, tokens: dict[str, str], folder: Path, common: Sequence[str], reports: dict[str, str]
) -> list[str]:
    argv = ["--org", entry.org]
    argv += ["--token-file", tokens["token_file"]] if "token_file" in tokens else ["--token-env", tokens["token_env"]]
    if entry.expected_owner:
        argv += ["--expected-owner", entry.expected_owner]
    if entry.app_token_secret:
        argv += ["--app-token-env", entry.app_token_secret]
    for flag, name in reports.items():
        argv += [flag, str(folder / name)]
    return [*argv, *common]


def _select(args: FleetArgs, entries: list[OrgEntry]) -> tuple[list[OrgEntry], str]:
    """The orgs of this shard (and --only); "" or, when --only names an org of another shard, that this has none."""
    index, count = args.shard
    shard = [e for i, e in enumerate(entries) if i % count == index - 1]
    if not args.only:
        if not shard:
            raise UsageError(
                f"--shard {index}/{count} selects no org: {args.config} lists {len(entries)}; use at most "
                f"{len(entries)} shards."
            )
        return shard, ""
    position = next((i for i, e in enumerate(entries) if e.org.lower() == args.only.lower()), None)
    if position is None:
        raise UsageError(f"--only {args.only} is not listed in {args.config}; check the org's name.")
    if position % count != index - 1:
        other = f"{position % count + 1}/{count}"
        return [], f"Shard {index}/{count} has nothing to do: --only {args.only} is checked by shard {other}."
    return [entries[position]], ""


def _shared(args: FleetArgs, names: dict[str, str], environ: dict[str, str]) -> None:
    """The options every org shares, validated once: a wrong one is the whole fleet's bad input."""
    probe = {k: v for k, v in environ.items() if k != _PROBE}
    outputs = [a for flag in names for a in (flag, str(args.reports / f"fleet{flag}"))]
    raw = vars(single_org_parser().parse_args(["--org", "fleet", "--token-env", _PROBE, *outputs, *args.common]))
    resolve({**raw, "mode": "replay"}, probe)  # replay: no token needed to check the shared options


def plan(args: FleetArgs, environ: dict[str, str]) -> tuple[list[_Planned], str]:
    """Every org's single-org options, resolved before anything is sent or written; a note when there are none."""
    guard_process(environ)  # SSLKEYLOGFILE is bad input for the whole fleet, before any org is read
    entries, note = _select(args, load_orgs(args.config))
    if args.token_dir is not None:
        check_token_dir(args.token_dir)
    writable_path(args.reports / "fleet.json", "--reports")
    parser, names = single_org_parser(), report_names(args)
    _shared(args, names, environ)
    planned = []
    for entry in entries:
        argv = ["--org", entry.org]
        try:
            argv = _org_argv(entry, token_options(entry, args.token_dir), args.reports / entry.org, args.common, names)
            opts = resolve({**vars(parser.parse_args(argv)), "mode": "live"}, environ)
        except UsageError as exc:  # this org's own input: its row says why, the other orgs are still checked
            planned.append(_Planned(entry, argv, None, str(exc).removeprefix(f"{entry.org}: ")))
            continue
        planned.append(_Planned(entry, argv, opts))
    return planned, note


def _session(item: _Planned, opts: RunOptions, evidence: Evidence) -> OrgRun:
    """One org's pytest session, its terminal output kept apart; the exit code and assessment it left."""
    holder = _Session(evidence)
    out, err = io.StringIO(), io.StringIO()
    outputs = _pytest_outputs(opts.compliance_json.parent)
    # pytest collects garbage at the end of each session; what earlier orgs left is frozen out of that walk
    gc.freeze()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        # --assert=plain: the requirement test fails through pytest.fail, so rewriting changes no output
        argv = pytest_argv("-q", "-p", "no:cacheprovider", "--assert=plain", *item.argv, *outputs)
        code = int(pytest.main(argv, plugins=[holder]))
    problem = "" if holder.assessment else _first_error(err.getvalue(), code)
    return OrgRun(item.entry, code, holder.assessment, problem, item.argv)


def _pytest_outputs(folder: Path) -> list[str]:
    """The reports pytest itself writes (pytest-html, JUnit), beside the org's JSON and Markdown."""
    return ["--html", str(folder / "compliance.html"), "--junitxml", str(folder / "junit.xml")]


def _first_error(stderr: str, code: int) -> str:
    line = next((ln for ln in stderr.splitlines() if ln.startswith("ERROR: ")), "")
    return line.removeprefix("ERROR: ") or f"the check could not run (exit code {code})"


def _run_org(item: _Planned, future: Future[Evidence] | None) -> OrgRun:
    """One org's run: its input problem, its gathering's failure, or its session."""
    if item.opts is None or future is None:  # the org's own input is wrong (its token not set, say)
        return OrgRun(item.entry, 4, None, item.problem, item.argv)
    try:
        evidence = future.result()
    except UsageError as exc:  # GitHub's answers show the input is wrong (no such org, not a REST API)
        return OrgRun(item.entry, 4, None, str(exc), item.argv)
    except Exception as exc:  # a defect: that org could not be checked; the others still are
        said = f"the check stopped on an unexpected {type(exc).__name__}; please report it"
        return OrgRun(item.entry, 3, None, said, item.argv)
    return _session(item, item.opts, evidence)


def run_fleet(args: FleetArgs, environ: dict[str, str]) -> tuple[int, list[OrgRun]]:
    """Check every planned org; the fleet's exit code (0 all fit, 1 any not or could not run) and each org's run."""
    planned, note = plan(args, environ)
    ready = [p.opts for p in planned if p.opts]
    redactor = Redactor(*(t for o in ready for t in (o.token, o.app_token) if t))
    redactor.install()  # every org's token masked in any log record, gathering included
    throttle = Throttle(args.max_in_flight, args.points_per_minute)
    started = time.perf_counter()
    runs: list[OrgRun] = []
    pool = ThreadPoolExecutor(max_workers=max(1, min(len(ready), args.max_in_flight // 4)), thread_name_prefix="org")
    try:
        futures = [pool.submit(gather, p.opts, throttle) if p.opts else None for p in planned]
        for item, future in zip(planned, futures, strict=True):
            runs.append(_run_org(item, future))
            last = runs[-1]
            if args.progress:
                said = f": {last.problem}" if last.assessment is None else ""
                print(f"{last.entry.org:<40} {last.overall:<14} exit {last.exit_code}{said}", flush=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        redactor.uninstall()
    elapsed = time.perf_counter() - started
    write_summary(args.reports, runs, elapsed, throttle, note)
    code = 0 if all(r.exit_code == 0 for r in runs) else 1
    if note:
        print(note)
    print(f"fleet: {len(runs)} orgs in {elapsed:.1f} s, peak {throttle.peak} requests in flight; exit code {code}")
    print(f"fleet summary: {args.reports / 'fleet.html'}, {args.reports / 'fleet.md'}, {args.reports / 'fleet.json'}")
    return code, runs


def fleet_main(argv: list[str], environ: dict[str, str] | None = None) -> int:
    """`copilot-token-compliance fleet ...`: one exit code for the fleet; bad input is one sentence and exit 4."""
    try:
        args = parse_fleet(argv)
        return run_fleet(args, dict(os.environ if environ is None else environ))[0]
    except UsageError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        print(
            "ERROR: interrupted; the orgs already checked keep their reports, the fleet summary was not written.",
            file=sys.stderr,
        )
        return 2

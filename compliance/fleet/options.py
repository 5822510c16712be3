"""Fleet mode's command line: its own options, and the single-org options every org of the fleet shares.

  copilot-token-compliance fleet --config .github/compliance-orgs.yml [--token-dir DIR] [--reports DIR]
      [--max-in-flight N] [--points-per-minute N] [--shard I/N] [--only ORG] [single-org options...]

Single-org options given here (for example --profile, --api-url, --max-wait, --require-proof) apply to every
org; the per-org ones (--org, the token, --expected-owner, the report paths) come from the org config.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from compliance.fleet.throttle import MAX_IN_FLIGHT, POINTS_PER_MINUTE
from compliance.model import UsageError
from compliance.options import OPTIONS

__all__ = ["PER_ORG", "REPORTS", "FleetArgs", "parse_fleet", "report_names", "single_org_parser"]

# Options the org config decides for each org, or that fleet mode does not take (it checks live).
PER_ORG = ("--org", "--token-env", "--token-file", "--expected-owner", "--app-token-env", "--cassette", "--mode")
# Report paths (--compliance-json, --compliance-md, and any report option added later): each org writes its own,
# in its folder; given after `fleet`, only the file name counts (`--compliance-md summary.md`: DIR/ORG/summary.md).
REPORTS = tuple(o for o in OPTIONS if o.flag.startswith("--compliance-"))
_SHARD = re.compile(r"([1-9][0-9]{0,3})/([1-9][0-9]{0,3})")


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input as one sentence (exit code 4), never its own usage text and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}; see copilot-token-compliance fleet --help.")


@dataclass(frozen=True)
class FleetArgs:
    """Fleet mode's validated options."""

    config: Path
    reports: Path
    token_dir: Path | None
    max_in_flight: int
    points_per_minute: int
    shard: tuple[int, int]
    only: str | None
    common: tuple[str, ...]  # single-org options for every org, as typed (report paths taken out)
    progress: bool
    reports_named: tuple[tuple[str, str], ...] = ()  # report flag -> file name in each org's folder


def single_org_parser() -> argparse.ArgumentParser:
    """The single-org options (compliance.options) as a parser: one org's command line checked as pytest would."""
    parser = _Parser(prog="copilot-token-compliance", add_help=False, allow_abbrev=False)
    for option in OPTIONS:
        parser.add_argument(option.flag, **option.parser_kwargs())
    return parser


def parse_fleet(argv: list[str]) -> FleetArgs:
    """Fleet mode's options; anything else must be a single-org option shared by every org."""
    parser = _Parser(prog="copilot-token-compliance fleet", description=__doc__, allow_abbrev=False)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--config", default=".github/compliance-orgs.yml", help="the org config (YAML)")
    parser.add_argument("--reports", default="reports", help="folder of the report sets: DIR/ORG/ and DIR/fleet.*")
    parser.add_argument("--token-dir", help="folder of token files named as each org's token_secret (mode 0600)")
    limit = f"requests in flight, all orgs (<= {MAX_IN_FLIGHT})"
    parser.add_argument("--max-in-flight", type=int, default=50, help=limit)
    parser.add_argument(
        "--points-per-minute",
        type=int,
        default=POINTS_PER_MINUTE,
        help="requests a sliding minute, all orgs (GitHub's REST budget of one account; 0: no budget)",
    )
    parser.add_argument("--shard", default="1/1", help="check only shard I of N (orgs I, I+N, ... in config order)")
    parser.add_argument("--only", help="check only this org")
    parser.add_argument("--quiet", action="store_true", help="no line per org")
    args, common = parser.parse_known_args(argv)
    per_org = [a for a in common if a.split("=")[0] in PER_ORG]
    if per_org:
        raise UsageError(f"{per_org[0].split('=')[0]} comes from the org config in fleet mode; remove it.")
    single_org_parser().parse_args(["--org", "x", *common])  # every shared option valid, as a single run checks it
    common, named = _take_reports(common)
    if not 1 <= args.max_in_flight <= MAX_IN_FLIGHT:
        raise UsageError(f"--max-in-flight must be 1 to {MAX_IN_FLIGHT} (GitHub's limit), not {args.max_in_flight}.")
    if not 0 <= args.points_per_minute <= 100_000:
        raise UsageError(f"--points-per-minute must be 0 to 100000, not {args.points_per_minute}.")
    shard = _SHARD.fullmatch(args.shard)
    if not shard or int(shard[1]) > int(shard[2]):
        raise UsageError(f"--shard {args.shard!r} must be I/N with 1 <= I <= N, e.g. 2/3.")
    return FleetArgs(
        config=Path(args.config),
        reports=Path(args.reports),
        token_dir=Path(args.token_dir) if args.token_dir else None,
        max_in_flight=args.max_in_flight,
        points_per_minute=args.points_per_minute,
        shard=(int(shard[1]), int(shard[2])),
        only=args.only,
        common=tuple(common),
        progress=not args.quiet,
        reports_named=tuple(named.items()),
    )


def _take_reports(argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """The shared options without report paths, and the file name each given report path asks for."""
    flags = {o.flag for o in REPORTS}
    rest, named, i = [], {}, 0
    while i < len(argv):
        flag, eq, value = argv[i].partition("=")
        if flag in flags:
            if not eq:
                i, value = i + 1, argv[i + 1]
            named[flag] = Path(value).name
        else:
            rest.append(argv[i])
        i += 1
    return rest, named


def report_names(args: FleetArgs) -> dict[str, str]:
    """Report flag -> file name in each org's folder: the ones given after `fleet`, else each default's name."""
    names = {o.flag: Path(str(o.default)).name for o in REPORTS if o.default}
    return {**names, **dict(args.reports_named)}

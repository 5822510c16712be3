"""The scheduled job's steps: the shards of the fleet, the fleet's check with its summary, or one org's check.

Usage (each step of .github/workflows/compliance.yml calls one of these):
  python -m compliance.scheduled shards --config .github/compliance-orgs.yml [--per-shard N]
  python -m compliance.scheduled fleet --config .github/compliance-orgs.yml --secrets-env NAME [--shard I/N]
      [--only ORG] [--reports DIR]
  python -m compliance.scheduled matrix --config .github/compliance-orgs.yml [--only ORG]   (one job per org)
  python -m compliance.scheduled check --org ORG [--expected-owner LOGIN] [--reports DIR]  (one org)

`fleet --secrets-env NAME` reads the secrets the workflow passes as one JSON object (`toJSON(secrets)`: the
organization, repository and environment secrets the job may see, at most 16 MiB), puts each org's named secret
into this process's environment under the name the config uses (GitHub stores secret names upper-case, so they
match whatever their case), removes the JSON, and runs fleet mode with the tokens read as `--token-env NAME`
would read them. Bad input or configuration is one sentence and exit code 4.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import yaml

from compliance.fleet.config import load_orgs
from compliance.fleet.runner import fleet_main
from compliance.model import UsageError
from compliance.publish.fleet_tracking import classify

__all__ = ["classify", "load_config", "main"]  # classify: compliance.publish.fleet_tracking

_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_SECRET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# far above what the workflow passes (Linux holds at most 128 KiB in one environment variable); a bound all the same
SECRETS_LIMIT = 16 * 1024 * 1024


class ConfigError(ValueError):
    """The org config file is unusable; the message says how to fix it."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line as one sentence (exit code 4), never its usage text and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"{message}; see python -m compliance.scheduled --help.")


def load_config(path: Path) -> list[dict[str, str]]:
    """The orgs to check, validated: org name, token secret name, optional expected owner."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from None
    orgs = data.get("orgs") if isinstance(data, dict) else None
    if not isinstance(orgs, list) or not orgs:
        raise ConfigError(f"{path} needs a non-empty list 'orgs'.")
    out: list[dict[str, str]] = []
    for i, entry in enumerate(orgs, 1):
        if not isinstance(entry, dict) or not _NAME.fullmatch(str(entry.get("org", ""))):
            raise ConfigError(f"{path}: entry {i} needs 'org', a valid GitHub organization name.")
        if not _SECRET.fullmatch(str(entry.get("token_secret", ""))):
            raise ConfigError(f"{path}: entry {i} needs 'token_secret', the name of the secret holding its token.")
        owner = entry.get("expected_owner")
        if owner is not None and not _NAME.fullmatch(str(owner)):
            raise ConfigError(f"{path}: entry {i} has an invalid 'expected_owner'.")
        if any(o["org"].lower() == str(entry["org"]).lower() for o in out):
            raise ConfigError(f"{path}: entry {i} lists {entry['org']} again; keep one entry per org.")
        out.append({"org": entry["org"], "token_secret": entry["token_secret"], "expected_owner": owner or ""})
    return out


def _emit(name: str, value: str) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(f"{name}={value}\n")
    print(f"{name}={value}")


def _summary(text: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")


def _matrix(args: argparse.Namespace) -> int:
    orgs = load_config(Path(args.config))
    if args.only:
        orgs = [o for o in orgs if o["org"].lower() == args.only.lower()]
        if not orgs:
            raise ConfigError(f"{args.only} is not listed in {args.config}.")
    _emit("matrix", json.dumps({"include": orgs}, separators=(",", ":")))
    return 0


def _check(args: argparse.Namespace) -> int:
    reports = Path(args.reports)
    argv = [
        sys.executable,
        "-m",
        "pytest",
        str(Path(__file__).parent),
        "-p",
        "no:cacheprovider",
        "--org",
        args.org,
        "--compliance-json",
        str(reports / "compliance.json"),
        "--compliance-md",
        str(reports / "compliance.md"),
        "--html",
        str(reports / "compliance.html"),
        "--junitxml",
        str(reports / "junit.xml"),
        "--compliance-pdf",
        str(reports / "compliance.pdf"),
        "--compliance-oscal",
        str(reports / "compliance.oscal.json"),
    ]
    if args.expected_owner:
        argv += ["--expected-owner", args.expected_owner]
    proc = subprocess.run(argv, check=False, capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    path = reports / "compliance.json"
    results = json.loads(path.read_text(encoding="utf-8")) if proc.returncode in (0, 1) and path.is_file() else None
    state = classify(results, proc.returncode)
    if results is not None:
        _summary((reports / "compliance.md").read_text(encoding="utf-8"))
    else:
        message = next((ln for ln in proc.stderr.splitlines() if ln.startswith("ERROR: ")), "the suite did not run")
        _summary(
            f"## Copilot token compliance: {args.org}\n\nThe check could not run (exit code "
            f"{proc.returncode}): {message.removeprefix('ERROR: ')}"
        )
    _emit("exit_code", str(proc.returncode))
    _emit("state", state)
    return 0


def _shards(args: argparse.Namespace) -> int:
    """As many shards as the fleet needs at --per-shard orgs each (one for most fleets)."""
    count = max(1, -(-len(_orgs(args.config)) // max(1, args.per_shard)))
    include = [{"shard": f"{i}/{count}", "name": f"{i}-of-{count}"} for i in range(1, count + 1)]
    _emit("shards", json.dumps({"include": include}, separators=(",", ":")))
    return 0


def _orgs(config: str) -> list[str]:
    try:
        return [e.org for e in load_orgs(Path(config))]
    except UsageError as exc:
        raise ConfigError(str(exc)) from None


def _secrets(name: str | None) -> dict[str, object]:
    """The secrets JSON from the environment variable `name` (then removed), keyed by upper-case secret name."""
    raw = os.environ.pop(name, "") if name else ""
    wrong = f"{name} does not hold a JSON object of secrets (toJSON(secrets))."
    if len(raw) > SECRETS_LIMIT:
        raise ConfigError(f"{name} is larger than 16 MiB, more than toJSON(secrets) gives; pass only toJSON(secrets).")
    try:
        secrets = json.loads(raw or "{}")
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise ConfigError(wrong) from None
    if not isinstance(secrets, dict):
        raise ConfigError(wrong)
    return {str(k).upper(): v for k, v in secrets.items()}


def _fleet(args: argparse.Namespace) -> int:
    """Fleet mode with the tokens from the workflow's secrets JSON; the job summary and the exit code as outputs."""
    secrets = _secrets(args.secrets_env)
    for entry in load_orgs(Path(args.config)) if secrets else []:
        for name in (entry.token_secret, entry.app_token_secret):
            # no secret of the user's may start with GITHUB_: such a key is the workflow's own token, never an org's
            value = secrets.get(name.upper()) if name and not name.upper().startswith("GITHUB_") else None
            if isinstance(value, str):
                os.environ[name] = value  # the name the config uses: fleet mode reads --token-env NAME
    del secrets
    # every org's report set in the artifact includes the PDF and OSCAL an auditor asks for
    auditor = ["--compliance-pdf", "compliance.pdf", "--compliance-oscal", "compliance.oscal.json"]
    argv = ["--config", args.config, "--reports", args.reports, "--shard", args.shard, *auditor, *args.rest]
    code = fleet_main([*argv, "--only", args.only] if args.only else argv)
    summary = Path(args.reports) / "fleet.md"
    if summary.is_file():  # also when the shard has nothing to do: the summary says so
        _summary(summary.read_text(encoding="utf-8")[: 1000 * 1024])  # GitHub keeps at most 1 MiB of a step summary
    else:
        _summary(f"## Copilot token compliance\n\nThe fleet check could not run (exit code {code}); see the log.")
    _emit("exit_code", str(code))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; bad input or configuration ends with one sentence and exit code 4."""
    parser = _Parser(
        prog="python -m compliance.scheduled", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    matrix = sub.add_parser("matrix", help="print the matrix of orgs for the workflow")
    matrix.add_argument("--config", default=".github/compliance-orgs.yml")
    matrix.add_argument("--only", help="check only this org (workflow_dispatch input)")
    shards = sub.add_parser("shards", help="print the shards of the fleet for the workflow")
    shards.add_argument("--config", default=".github/compliance-orgs.yml")
    shards.add_argument("--per-shard", type=int, default=1000, help="orgs per shard (one job each)")
    fleet = sub.add_parser("fleet", help="check every org of the shard in one process; job summary and outputs")
    fleet.add_argument("--config", default=".github/compliance-orgs.yml")
    fleet.add_argument("--secrets-env", help="environment variable holding toJSON(secrets)")
    fleet.add_argument("--shard", default="1/1")
    fleet.add_argument("--only", default="")
    fleet.add_argument("--reports", default="reports")
    check = sub.add_parser("check", help="run the suite for one org, write the job summary and outputs")
    check.add_argument("--org", required=True)
    check.add_argument("--expected-owner")
    check.add_argument("--reports", default="reports")
    commands = {"matrix": _matrix, "check": _check, "shards": _shards, "fleet": _fleet}
    try:
        args, rest = parser.parse_known_args(argv)  # fleet passes what it does not know on to fleet mode
        if rest and args.command != "fleet":
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        args.rest = rest
        return commands[args.command](args)
    except (ConfigError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4


if __name__ == "__main__":
    raise SystemExit(main())

"""The scheduled job's steps: the org matrix from the config file, and one org's check with its summary.

Usage (each step of .github/workflows/compliance.yml calls one of these):
  python -m compliance.scheduled matrix --config .github/compliance-orgs.yml [--only ORG]
  python -m compliance.scheduled check --org ORG [--expected-owner LOGIN] [--reports DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

__all__ = ["classify", "load_config", "main"]

_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_SECRET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ConfigError(ValueError):
    """The org config file is unusable; the message says how to fix it."""


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


def classify(results: dict[str, Any] | None, exit_code: int) -> str:
    """Compliant | expiring | broken: what the tracking issue and the job outcome follow."""
    if results is None or exit_code != 0:
        return "broken"
    verdicts = {r["id"]: r["verdict"] for r in results.get("requirements", [])}
    if any(v in ("fail", "error") for v in verdicts.values()):
        return "broken"
    if verdicts.get("EXPIRY-HEADROOM") == "warn":
        return "expiring"
    return "compliant"


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


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; configuration problems end with one sentence and exit code 2."""
    parser = argparse.ArgumentParser(
        prog="python -m compliance.scheduled", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    matrix = sub.add_parser("matrix", help="print the matrix of orgs for the workflow")
    matrix.add_argument("--config", default=".github/compliance-orgs.yml")
    matrix.add_argument("--only", help="check only this org (workflow_dispatch input)")
    check = sub.add_parser("check", help="run the suite for one org, write the job summary and outputs")
    check.add_argument("--org", required=True)
    check.add_argument("--expected-owner")
    check.add_argument("--reports", default="reports")
    args = parser.parse_args(argv)
    try:
        return _matrix(args) if args.command == "matrix" else _check(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())

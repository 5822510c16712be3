"""The org config of fleet mode, read as hostile input, and where each org's token comes from.

The file (`.github/compliance-orgs.yml`) lists each org with the name of the secret that holds its token. Fleet
mode reads that secret from the environment variable of the same name (organization- or environment-level
secrets put there by the workflow), or from the file of that name in a token folder, which must be a regular file
readable by its owner only. The token itself never appears in the config.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

from compliance.limits import SAFE_LOADER, read_bounded, yaml_problem
from compliance.model import UsageError

__all__ = ["MAX_ORGS", "OrgEntry", "check_token_dir", "load_orgs", "token_options"]

MAX_ORGS = 5000
CONFIG_LIMIT = 1024 * 1024
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_SECRET = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")
_KEYS = {"org", "token_secret", "expected_owner", "app_token_secret"}


@dataclass(frozen=True)
class OrgEntry:
    """One org of the fleet: its name, the secret holding its token, the expected owner, the App token's secret."""

    org: str
    token_secret: str
    expected_owner: str = ""
    app_token_secret: str = ""


def _entry(path: Path, i: int, raw: object, seen: set[str]) -> OrgEntry:
    if not isinstance(raw, dict) or not _NAME.fullmatch(str(raw.get("org", ""))):
        raise UsageError(f"{path}: entry {i} needs 'org', a valid GitHub organization name.")
    org = str(raw["org"])
    unknown = sorted(str(k) for k in raw if k not in _KEYS)
    if unknown:
        raise UsageError(f"{path}: entry {i} ({org}) has unknown keys {unknown}; allowed: {sorted(_KEYS)}.")
    if not _SECRET.fullmatch(str(raw.get("token_secret", ""))):
        raise UsageError(f"{path}: entry {i} ({org}) needs 'token_secret', the name of the secret holding its token.")
    owner, app = raw.get("expected_owner"), raw.get("app_token_secret")
    if owner is not None and not _NAME.fullmatch(str(owner)):
        raise UsageError(f"{path}: entry {i} ({org}) has an 'expected_owner' that is not a GitHub login.")
    if app is not None and not _SECRET.fullmatch(str(app)):
        raise UsageError(f"{path}: entry {i} ({org}) has an 'app_token_secret' that is not a secret name.")
    if org.lower() in seen:
        raise UsageError(f"{path}: entry {i} lists {org} again; keep one entry per org.")
    seen.add(org.lower())
    return OrgEntry(org, str(raw["token_secret"]), str(owner or ""), str(app or ""))


def load_orgs(path: Path) -> list[OrgEntry]:
    """The orgs of the config file, validated (bounded size, no aliases, a schema, no org twice)."""
    raw = read_bounded(path, CONFIG_LIMIT)
    if isinstance(raw, str):
        raise UsageError(f"Cannot read the org config {path}: {raw}; point --config at the org list.")
    try:
        text = raw.decode("utf-8")
        problem = yaml_problem(text, 4)
        data = None if problem else yaml.load(text, Loader=SAFE_LOADER)
    except (UnicodeDecodeError, yaml.YAMLError):
        raise UsageError(f"The org config {path} is not valid YAML text; fix its syntax.") from None
    if problem:
        raise UsageError(f"The org config {path} cannot be read: {problem}.")
    orgs = data.get("orgs") if isinstance(data, dict) else None
    if not isinstance(orgs, list) or not orgs:
        raise UsageError(f"The org config {path} needs a non-empty list 'orgs'.")
    if len(orgs) > MAX_ORGS:
        raise UsageError(f"The org config {path} lists {len(orgs)} orgs, more than {MAX_ORGS}; split it into shards.")
    seen: set[str] = set()
    return [_entry(path, i, entry, seen) for i, entry in enumerate(orgs, 1)]


def token_options(entry: OrgEntry, token_dir: Path | None) -> dict[str, str]:
    """The single-org options that read this org's token: --token-env NAME, or --token-file DIR/NAME (mode 0600)."""
    if token_dir is None:
        return {"token_env": entry.token_secret}
    path = token_dir / entry.token_secret
    try:
        info = path.lstat()
    except OSError:
        raise UsageError(
            f"{entry.org}: the token folder has no file {entry.token_secret}; write the org's token there (mode 0600)."
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{entry.org}: {path} is not a regular file (a link, folder or device); store the token file.")
    if stat.S_IMODE(info.st_mode) & 0o077 or info.st_uid != os.getuid():
        raise UsageError(
            f"{entry.org}: {path} has mode {stat.S_IMODE(info.st_mode):04o} or another owner, but a token file must "
            f"be readable by its owner only; run chmod 600 {path} as its owner."
        )
    return {"token_file": str(path)}


def check_token_dir(token_dir: Path) -> None:
    """The token folder is a real folder that only its owner can change."""
    try:
        info = token_dir.lstat()
    except OSError:
        raise UsageError(f"--token-dir {token_dir} does not exist; point it at the folder of token files.") from None
    if not stat.S_ISDIR(info.st_mode):
        raise UsageError(f"--token-dir {token_dir} is not a folder (or is a link); point it at the folder itself.")
    if stat.S_IMODE(info.st_mode) & 0o022 or info.st_uid != os.getuid():
        raise UsageError(
            f"--token-dir {token_dir} has mode {stat.S_IMODE(info.st_mode):04o} or another owner, so others could "
            f"swap a token file; run chmod 700 {token_dir} as its owner."
        )

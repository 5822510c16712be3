"""Generate compliance/permission_map.json from GitHub's fine-grained permission map (kind and levels per id).

Usage: python scripts/gen_permission_map.py          # write the file
       python scripts/gen_permission_map.py --check  # exit 1 when the committed file differs from GitHub's map
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "tests" / "simulator" / "data" / "fine-grained-pat-permissions.json"  # GitHub's map, unmodified
TARGET = REPO / "compliance" / "permission_map.json"
_KINDS = {"Organization": "organization", "Repository": "repository", "User": "account"}
_ORDER = ("read", "write", "admin")


def permission_map() -> str:
    """Each permission id: whether it is an organization, repository or account permission, and its levels."""
    raw = json.loads(SOURCE.read_text(encoding="utf-8"))
    out = {}
    for key in sorted(raw):
        kind = _KINDS[raw[key]["displayTitle"].split(" permissions")[0]]
        levels = {row["access"] for row in raw[key]["permissions"]} | {"read"}  # every permission offers Read
        out[key] = {"kind": kind, "levels": [level for level in _ORDER if level in levels]}
    return json.dumps(out, indent=1, sort_keys=True) + "\n"


def main() -> int:
    """Write the file, or with --check say whether it drifted."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check; exit 1 on drift")
    args = parser.parse_args()
    text = permission_map()
    if args.check:
        stale = not TARGET.is_file() or TARGET.read_text(encoding="utf-8") != text
        if stale:
            print(
                f"{TARGET.relative_to(REPO)} is out of date: run python scripts/gen_permission_map.py", file=sys.stderr
            )
        return 1 if stale else 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env bash
# Set up and run the suite's own checks: lint, types, workflow audits, then every test (all tiers, on every core).
# For the quick edit-test loop run `.venv/bin/pytest tests` instead: the fast tier, in-process, under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
# The report's browser tests drive Debian's chromium (Playwright never downloads a browser here).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian's chromium with apt-get (about 100 MB): the report's browser tests render the HTML report in it" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: 'sudo apt-get install chromium' enables the report's browser tests (skipped without it)" >&2
  fi
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/zizmor --offline --quiet .github/workflows/
.venv/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
.venv/bin/python scripts/gen_docs.py --check
# -m "": every tier (fast, e2e, batteries); -n auto: one worker per core; worksteal: idle workers take queued tests
.venv/bin/python -m pytest tests -m "" -n auto --dist worksteal "$@"

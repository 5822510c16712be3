#!/usr/bin/env bash
# Set up and run the suite's own checks: lint, types, workflow audits, then every test (all tiers, on every core).
# For the quick edit-test loop run `.venv/bin/pytest tests` instead: the fast tier, in-process, under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
# Debian packages the tests use, installed only when missing (as root; otherwise say what to install):
#   chromium      the report's browser tests render the HTML in it (Playwright never downloads a browser here)
#   poppler-utils pdftotext and pdftoppm read the PDF report back as a reader sees it (text and page images)
#   libpango      WeasyPrint prints the PDF report with it (libpango-1.0-0, libpangoft2-1.0-0)
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
.venv/bin/python -c 'import weasyprint' >/dev/null 2>&1 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian packages with apt-get: ${missing[*]} (chromium, about 360 MB installed: the report's browser tests;" \
      "poppler-utils: reading the PDF report back; libpango: printing it)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "note: 'sudo apt-get install ${missing[*]}' enables the browser and PDF tests (skipped without them)" >&2
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

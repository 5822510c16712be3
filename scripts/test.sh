#!/usr/bin/env bash
# Set up and run the suite's own checks: lint, types, tests (simulator, end-to-end, unit).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest tests "$@"

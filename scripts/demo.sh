#!/usr/bin/env bash
# Set up and run the main job: replay the bundled demo recording, offline, and write the reports.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest compliance/ "$@"

#!/usr/bin/env bash
# Keep a run's records in the history branch: append every org's JSON report in one go, verify, push; when another
# writer pushed first (a push race), start again from the branch as it now is. The records are derived from the
# reports, so a retry appends the same records after the other writer's.
#
# Usage: scripts/keep_history.sh REMOTE BRANCH REPORTS_DIR [RUN_URL]
#   REPORTS_DIR holds one folder per org, each with its compliance.json (as actions/download-artifact lays them out).
#   Credentials come from git's environment (GIT_CONFIG_COUNT/KEY/VALUE), never from the arguments.
#   Prints the history's head (record count and last hash) on success.
set -euo pipefail
remote=$1 branch=$2 reports=$3 run_url=${4:-}
python=${PYTHON:-python}
shopt -s nullglob
found=("$reports"/*/compliance.json)
if [ ${#found[@]} -eq 0 ]; then
  echo "no report to keep under $reports" >&2
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for attempt in 1 2 3 4 5; do
  repo="$work/$attempt"
  if git ls-remote --exit-code --heads "$remote" "$branch" >/dev/null 2>&1; then
    git clone --quiet --single-branch --branch "$branch" "$remote" "$repo"
  else
    git init --quiet "$repo"
    git -C "$repo" checkout --quiet --orphan "$branch"
    git -C "$repo" remote add origin "$remote"
  fi
  args=()
  for report in "${found[@]}"; do args+=(--report "$report"); done
  # one append for every org: one lock, one verification of the history, the records in one write
  "$python" -m compliance.history append --history "$repo/history.jsonl" "${args[@]}" ${run_url:+--run-url "$run_url"} >&2
  head=$("$python" -m compliance.history verify --history "$repo/history.jsonl")
  git -C "$repo" add history.jsonl history.jsonl.head
  git -C "$repo" -c user.name=copilot-token-compliance -c user.email=copilot-token-compliance@users.noreply.github.com \
    commit --quiet -m "Keep ${#found[@]} run(s): $head"
  if git -C "$repo" push --quiet origin "HEAD:refs/heads/$branch" 2>"$work/push.err"; then
    echo "$head"
    exit 0
  fi
  echo "push race (attempt $attempt): another writer pushed first; starting again from the branch as it now is" >&2
  sleep $((attempt * 2))
done
cat "$work/push.err" >&2
echo "error: could not push the history to $branch after 5 attempts" >&2
exit 1

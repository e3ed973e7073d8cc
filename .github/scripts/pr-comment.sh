#!/usr/bin/env bash
# Builds the pull-request comment of a conformance matrix: for each target's report folder, the head of its
# report.md (verdict, target, and the changes against the baseline, down to the requirements table), so
# the comment shows the difference and the full reports stay in the run's artifacts.
#
#   pr-comment.sh OUT REPORT_DIR...
#
# A folder without report.md says its run wrote none. The comment stays under GitHub's 65,536-character
# limit: each section is cut to an equal share, saying so.
set -euo pipefail

if [ "$#" -lt 2 ]; then
  echo "usage: pr-comment.sh OUT REPORT_DIR..." >&2
  exit 2
fi

out="$1"
shift
limit=60000
share=$(( limit / $# ))

{
  echo "## Conformance against the main branch's last run"
  echo
  if [ -n "${GITHUB_RUN_ID:-}" ]; then
    echo "Full reports: ${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID} (artifacts)."
    echo
  fi
  for dir in "$@"; do
    name="$(basename "$dir")"
    name="${name#conformance-}"
    echo "<details open><summary><b>${name}</b></summary>"
    echo
    if [ -f "$dir/report.md" ]; then
      # Everything above the requirements table: the verdict line, the target, the changes against the baseline.
      section="$(awk '/^\| verdict \|/ { exit } { print }' "$dir/report.md")"
      if [ "${#section}" -gt "$share" ]; then
        section="${section:0:$share}"$'\n\n'"(cut: the full report is in the artifacts)"
      fi
      printf '%s\n' "$section"
    else
      echo "The run wrote no report.md (it could not start, or was cancelled): see the job log."
    fi
    echo
    echo "</details>"
    echo
  done
} > "$out"

#!/usr/bin/env bash
# Prove the tests do not flake on a busy machine: load every core, run pytest RUNS times in a row.
#   bash tests/under_load.sh [RUNS] [pytest args...]     (default: 3 runs of tests/browser)
# Uses stress-ng when installed, else one busy Python loop per core. Prints one line per run.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}; shift || true
args=("$@"); [ ${#args[@]} -eq 0 ] && args=(tests/browser)
cores=$(nproc)
if command -v stress-ng >/dev/null; then
  stress-ng --cpu "$cores" --timeout 0 --quiet & load=($!)
else
  load=(); for _ in $(seq "$cores"); do python3 -c 'while True: pass' & load+=($!); done
fi
trap 'kill "${load[@]}" 2>/dev/null' EXIT
failed=0
for run in $(seq "$runs"); do
  start=$(date +%s)
  .venv/bin/python -m pytest -q -p no:cacheprovider "${args[@]}" > "/tmp/under-load-$run.log" 2>&1
  rc=$?
  echo "run $run/$runs: exit $rc in $(( $(date +%s) - start )) s under load on $cores cores: $(tail -1 "/tmp/under-load-$run.log")"
  [ $rc -eq 0 ] || failed=1
done
exit $failed

#!/usr/bin/env bash
# The model figures of docs/BENCHMARKS.md ("Model (issue 3)"): one JVM per measurement, one JSON line each.
#   bench/scripts/model-bench.sh [OUT.jsonl] [THREADS]
# Every run is `bin/astropt bench model ... --json`; the peak memory in each line is that JVM's own.
# Waits while the machine's 1-minute load average is above 1.5 (other builds would skew the figures).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-model-bench.jsonl}"
threads="${2:-2}"
seconds="${SECONDS_PER_RUN:-8}"

quiet() {
  while awk '{exit !($1 > 1.5)}' /proc/loadavg; do
    echo "load $(cut -d' ' -f1 /proc/loadavg) > 1.5: waiting" >&2
    sleep 20
  done
}

run() {
  quiet
  echo "bench model $* (threads $threads)" >&2
  ASTROPT_SKIP_BUILD=1 "$root/bin/astropt" bench model --threads "$threads" --json "$@" 2>/dev/null >> "$out"
}

for preset in 1M 5M 12M; do
  for tokens in 64 256; do
    for batch in 1 8 32; do
      s=$seconds
      [ "$batch" = 32 ] && [ "$tokens" = 256 ] && s=$((seconds * 3))   # seconds-long batches: more time for several
      run --preset "$preset" --tokens "$tokens" --batch "$batch" --seconds "$s"
    done
  done
  run --preset "$preset" --tokens 64 --batch 8 --seconds "$seconds" --train
  run --preset "$preset" --tokens 256 --batch 8 --seconds "$((seconds * 2))" --train
done
run --preset 1M --tokens 64 --batch 1 --seconds "$seconds" --breakdown

#!/usr/bin/env bash
# Runs a command with every thread on CPU 0 except the embed operator's inference threads
# (astropt-embed-N), which are moved to CPU 1 as they appear: a core for the model, one for the rest.
#   bench/scripts/pin-inference.sh java ... org.astropt.stream.bench.PipelineBenchmark 20 500 0
set -euo pipefail
taskset -c 0 "$@" &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  for t in /proc/"$pid"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null || true)" in astropt-embed*) taskset -pc 1 "${t##*/}" >/dev/null 2>&1 || true ;; esac
  done
  sleep 1
done
wait "$pid"

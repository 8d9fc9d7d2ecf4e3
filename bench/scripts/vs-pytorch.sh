#!/usr/bin/env bash
# Our AstroPT model against plain PyTorch on the same CPU (docs/BENCHMARKS.md, "Against PyTorch on the same CPU").
#   bench/scripts/vs-pytorch.sh [ROUNDS] [OUT.jsonl]          (default 3 rounds, vs-pytorch.jsonl)
#   SECONDS_PER_RUN=8 (time each side measures per run)   ONLY="12M 256 8 forward" (one configuration)
#   BASELINE_CORE_JAR=old-core.jar: also runs our side with that build of core/ (e.g. a jar of an older
#   commit's core module) in every round, so a change is measured against PyTorch and its own past at once
#
#   GLIBC_MALLOC_DEFAULTS=1: both sides with glibc's default malloc settings instead of bin/astropt's (below)
#   MKL_VENDOR_DISPATCH=1: ours without the shim that lets MKL use AVX-512 on AMD CPUs
#   THEIRS_OPENBLAS_CORETYPE=Haswell: theirs on the OpenBLAS kernels named, not the ones it detects (below)
#
# Each side runs one libtorch thread: `bin/astropt bench model --threads 1` with
# -Dai.djl.pytorch.num_threads=1 against bench/scripts/vs_pytorch_model.py (Debian's python3-torch, its
# BLAS OpenBLAS with OPENBLAS_NUM_THREADS=1; both installed with apt when missing). The PyTorch model is
# first checked against ../shared/fixtures/astropt-v1-tiny (outputs and one AdamW step, within the
# fixture tests' tolerances). Then, round after round, each configuration runs on both sides, one JVM or
# Python process per run, the side that goes first alternating between rounds, so slow spells of a
# shared machine hit both. Printed: per configuration, ours/PyTorch throughput per round, the median and
# the range, twice: by wall time, and by the calling thread's CPU time (cutouts per CPU second of the
# thread that runs the model: with one libtorch thread, all of the model's work on both sides; the JIT
# and GC threads of the JVM are left out), which other processes on the cores disturb much less; every
# run's JSON line (with the 1-minute load average before it) goes to OUT.jsonl.
# A benchmark, not a test: nothing fails on a slow figure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/scripts"
rounds="${1:-3}"
out="${2:-vs-pytorch.jsonl}"
seconds="${SECONDS_PER_RUN:-8}"
fixture="${ASTROPT_FIXTURES:-$root/../shared/fixtures}/astropt-v1-tiny"
py=/usr/bin/python3   # Debian's python, where python3-torch lives (not a pyenv or venv python)
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo

# Debian's torch links the system BLAS; the reference libblas makes its matmul ~15x slower than OpenBLAS.
if ! "$py" -c 'import torch' 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "installing Debian's python3-torch and OpenBLAS with apt..." >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch libopenblas0-pthread >&2
fi

jar="$root/app/target/astropt.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root" \( -path "$root/*/src/main/*" -o -name pom.xml \) -newer "$jar" \
      -not -path '*/target/*' -type f -print -quit)" ]; then
  echo "building the app jar (offline)..." >&2
  (cd "$root" && ./mvnw -B -o -q -DskipTests -pl app -am package) >&2
fi

export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# The same glibc malloc settings on both sides (bin/astropt sets them too): libtorch allocates every
# result afresh, and glibc's defaults hand freed megabyte arrays back to the kernel and fault them in
# again on the next call. Unset, a training step spends a fifth of its CPU in page faults on our side
# and a fourteenth on PyTorch's (docs/BENCHMARKS.md, "The allocator and the GELU's backward").
if [ -z "${GLIBC_MALLOC_DEFAULTS:-}" ]; then
  export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=268435456 MALLOC_TOP_PAD_=67108864
else
  unset MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_ MALLOC_TOP_PAD_
fi
"$py" "$here/vs_pytorch_model.py" check "$fixture"

# Each side's BLAS on the code paths of this CPU's instruction sets. On AMD CPUs, MKL (ours, inside DJL's
# libtorch) takes generic AVX2 paths unless bin/astropt's shim is preloaded (bin/lib/mkl-isa-dispatch.sh);
# OpenBLAS (theirs) detects the CPU itself (on Zen 5: Cooperlake, its AVX-512 kernels), unless
# OPENBLAS_CORETYPE forces a core: this script removes it from theirs' environment (some machines set it
# for everyone; the one of docs/BENCHMARKS.md had Haswell) unless THEIRS_OPENBLAS_CORETYPE names one.
# MKL_VENDOR_DISPATCH=1 runs ours without the shim. docs/BENCHMARKS.md, "MKL's code paths on AMD".
ours_preload=""
if [ -z "${MKL_VENDOR_DISPATCH:-}" ]; then
  . "$root/bin/lib/mkl-isa-dispatch.sh"
  ours_preload="$(mkl_isa_dispatch "$root")"
fi
theirs_coretype="${THEIRS_OPENBLAS_CORETYPE:-}"
echo "BLAS: ours ${ours_preload:-without the MKL shim}; theirs OPENBLAS_CORETYPE=${theirs_coretype:-(OpenBLAS detects)}" >&2

# preset tokens batch mode: the issue's configurations
configs=("1M 64 32 forward" "1M 256 32 forward" "12M 64 32 forward" "12M 256 8 forward" "1M 64 16 train")
[ -n "${ONLY:-}" ] && configs=("$ONLY")

tag() { # prefixes a JSON line with the round and the load average before the run
  sed "s/^{/{\"round\": $1, \"load\": $2, /"
}

ours() { # side preset tokens batch mode round load [core jar placed before the app's classpath]
  local train=(); [ "$5" = train ] && train=(--train)
  local cp="$jar"; [ -n "${8:-}" ] && cp="$8:$jar"
  LD_PRELOAD="$ours_preload${LD_PRELOAD:+:$LD_PRELOAD}" DJL_OFFLINE=true OPT_OUT_TRACKING=true java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
    -Dai.djl.pytorch.num_interop_threads=1 -Dastropt.log.dir="${TMPDIR:-/tmp}/vs-pytorch-logs" -cp "$cp" \
    org.astropt.stream.app.AstroptCli bench model --preset "$2" --tokens "$3" --batch "$4" "${train[@]}" \
    --seconds "$seconds" --threads 1 --json 2>/dev/null | grep '^{' | sed "s/^{/{\"side\": \"$1\", /" | tag "$6" "$7" >> "$out"
}

theirs() {
  local train=(); [ "$4" = train ] && train=(--train)
  env -u OPENBLAS_CORETYPE ${theirs_coretype:+OPENBLAS_CORETYPE=$theirs_coretype} "$py" "$here/vs_pytorch_model.py" bench --preset "$1" --tokens "$2" --batch "$3" "${train[@]}" --seconds "$seconds" \
    | tag "$5" "$6" >> "$out"
}

: > "$out"
echo "$(nproc --all) cores, $(uptime)" >&2
for r in $(seq 1 "$rounds"); do
  for c in "${configs[@]}"; do
    read -r preset tokens batch mode <<< "$c"
    load="$(cut -d' ' -f1 /proc/loadavg)"
    echo "round $r: $preset, $tokens tokens, batch $batch, $mode (load $load)" >&2
    runs=(ours theirs); [ $((r % 2)) = 0 ] && runs=(theirs ours)
    for side in "${runs[@]}"; do
      if [ "$side" = ours ]; then
        ours ours "$preset" "$tokens" "$batch" "$mode" "$r" "$load"
        [ -n "${BASELINE_CORE_JAR:-}" ] && ours baseline "$preset" "$tokens" "$batch" "$mode" "$r" "$load" "$BASELINE_CORE_JAR"
      else
        theirs "$preset" "$tokens" "$batch" "$mode" "$r" "$load"
      fi
    done
  done
done
echo "$(uptime)" >&2

"$py" - "$out" <<'EOF'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
key = lambda r: (r["preset"], r["tokens"], r["batch"], r["mode"])
print("ours/PyTorch, one libtorch thread each: median [min, max] over rounds of the ratio of cutouts/s (wall) and of"
      " cutouts per CPU second of the calling thread; each side's median; load before each round")
for k in dict.fromkeys(key(r) for r in runs):
    rows = {}
    for r in runs:
        if key(r) == k: rows.setdefault(r["round"], {})[r["side"]] = r
    for side in ("baseline", "ours"):
        pairs = [v for _, v in sorted(rows.items()) if side in v and "pytorch" in v]
        if not pairs: continue
        med = lambda xs: statistics.median(list(xs))
        wall = [p[side]["cutouts_per_s"] / p["pytorch"]["cutouts_per_s"] for p in pairs]
        cpu = [p[side]["cutouts_per_thread_cpu_s"] / p["pytorch"]["cutouts_per_thread_cpu_s"] for p in pairs]
        print("%-8s %-3s %3d tok batch %-2d %-7s wall %4.2fx [%4.2f, %4.2f] (%6.1f vs %6.1f/s)  cpu %4.2fx [%4.2f, %4.2f]"
              " (%6.1f vs %6.1f/cpu-s)  load %s" % (
            side, k[0], k[1], k[2], k[3], med(wall), min(wall), max(wall),
            med(p[side]["cutouts_per_s"] for p in pairs), med(p["pytorch"]["cutouts_per_s"] for p in pairs),
            med(cpu), min(cpu), max(cpu),
            med(p[side]["cutouts_per_thread_cpu_s"] for p in pairs), med(p["pytorch"]["cutouts_per_thread_cpu_s"] for p in pairs),
            "/".join("%.1f" % p["pytorch"]["load"] for p in pairs)))
EOF

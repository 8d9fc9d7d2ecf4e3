#!/usr/bin/env bash
# Per-thread CPU of a running JVM, grouped by thread name (digits folded to N): what each part of the
# pipeline, the in-process broker and the JVM take of the cores. For docs/BENCHMARKS.md.
#   bench/scripts/thread-cpu.sh PID [SECONDS]         one interval (default 6 s)
#   bench/scripts/thread-cpu.sh PID SECONDS --sched   runqueue waits as well (/proc/PID/task/*/schedstat)
set -euo pipefail
pid=$1; seconds=${2:-6}; mode=${3:-}
python3 - "$pid" "$seconds" "$mode" <<'PY'
import glob, re, subprocess, sys, time
pid, dt, mode = sys.argv[1], float(sys.argv[2]), sys.argv[3]
tick = 100.0  # USER_HZ

def snapshot():
    out = {}
    for t in glob.glob('/proc/%s/task/*' % pid):
        try:
            comm = open(t + '/comm').read().strip()
            stat = open(t + '/stat').read().rsplit(')', 1)[1].split()
            sched = open(t + '/schedstat').read().split()
        except OSError:
            continue
        out[t] = (comm, int(stat[11]) + int(stat[12]), int(sched[0]), int(sched[1]))
    return out

a = snapshot(); time.sleep(dt); b = snapshot()
names = {}
try:  # full Java thread names (comm keeps 15 characters)
    for m in re.finditer(r'^"([^"]*)".*nid=(0x[0-9a-f]+) ', subprocess.run(['jstack', pid], capture_output=True, text=True).stdout, re.M):
        names[int(m.group(2), 16)] = m.group(1)
except OSError:
    pass
groups = {}
for t, (comm, ticks, run, wait) in b.items():
    if t not in a: continue
    name = re.sub(r'\d+', 'N', names.get(int(t.rsplit('/', 1)[1]), comm))[:48]
    g = groups.setdefault(name, [0, 0, 0])
    g[0] += ticks - a[t][1]; g[1] += run - a[t][2]; g[2] += wait - a[t][3]
busy = sum(g[0] for g in groups.values()) / tick / dt
print('%.1f s: this process %.0f%% of one core' % (dt, 100 * busy))
for name, (ticks, run, wait) in sorted(groups.items(), key=lambda x: -x[1][0])[:16]:
    extra = '  waiting for a CPU %5.1f%%' % (100 * wait / 1e9 / dt) if mode == '--sched' else ''
    print('  %5.1f%%%s  %s' % (100 * ticks / tick / dt, extra, name))
PY

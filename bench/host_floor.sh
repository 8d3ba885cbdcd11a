#!/usr/bin/env bash
# What this machine gives any program, before Vigil's own costs: the two
# floors under a durable answer's latency. Run it beside a p99 figure, on the
# same minute: the host's noise moves p99 by milliseconds.
#   bench/host_floor.sh [SECONDS]
# 1. Timer wake-up latency (cyclictest, rt-tests): one thread per core waking
#    every 500 us, SCHED_OTHER, as Vigil's threads run. Its tail is the time
#    a runnable thread waits for a CPU, here mostly the host taking the VM's
#    vCPUs away.
# 2. A group commit without SQLite (fio): 64 KiB appended to a preallocated
#    2 MiB file, then fdatasync, 3 000 times a second (the commit rate of
#    5 000 scores/s), in the current directory's file system.
# Both need an otherwise idle machine to mean anything.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
for tool in cyclictest fio; do
  command -v "$tool" >/dev/null || { echo "host_floor: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
loops=$((seconds * 2000))
cyclictest -t2 -a -i 500 -l "$loops" -q -h 20000 2>/dev/null | awk '
  /^[0-9]/ { b = $1 + 0; c = $2 + $3; count[b] = c; total += c; if (b > top) top = b }
  /^# Max Latencies/ { max = ($4 + 0 > $5 + 0) ? $4 + 0 : $5 + 0 }
  END {
    p50 = p99 = p999 = -1
    for (k = 0; k <= top; k++) {
      seen += count[k]
      if (p50 < 0 && seen >= 0.5 * total) p50 = k
      if (p99 < 0 && seen >= 0.99 * total) p99 = k
      if (p999 < 0 && seen >= 0.999 * total) p999 = k
    }
    printf "timer wake-up (cyclictest, 2 threads, 500 us): p50 %d us  p99 %d us  p99.9 %d us  max %.1f ms  (%d wake-ups)\n",
      p50, p99, p999, max / 1000, total
  }'
file=$(mktemp ./host_floor.XXXXXX)
trap 'rm -f "$file"' EXIT
fio --name=commit --filename="$file" --rw=write --bs=64k --size=2m --fdatasync=1 \
  --rate_iops=3000 --time_based --runtime="$seconds" --ioengine=psync --output-format=json \
  2>/dev/null | python3 -c '
import json, sys
job = json.load(sys.stdin)["jobs"][0]
sync = job["sync"]["lat_ns"]["percentile"]
ms = lambda p: sync[p] / 1e6
print("64 KiB write + fdatasync (fio, %.0f/s): p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  p99.99 %.3f ms"
      % (job["write"]["iops"], ms("50.000000"), ms("99.000000"), ms("99.900000"), ms("99.990000")))'

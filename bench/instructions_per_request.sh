#!/usr/bin/env bash
# Instructions per scored order, counted by valgrind's callgrind: the same
# figure for the same build and requests whatever else the shared machine is
# doing, so two builds can be compared on a noisy host where wall-clock
# latency cannot. User space only (the kernel's share, e.g. fsync, is not
# counted) and slowed ~50x, so it says nothing about latency.
#   bench/instructions_per_request.sh [DIR] [REQUESTS]
# DIR: a `vigil demo` directory (bench/load.sh makes one); REQUESTS: 1000.
# Prints the whole process's instructions per request and the inclusive
# cost of the scoring path's main steps. The steps repeat to the instruction;
# the whole process does not quite, because the similar-case indexer's CPU
# share is paced by the clock and so indexes more or fewer cases per run.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/serve_port.sh
export OMP_WAIT_POLICY=passive
dir=${1:-demo}
requests=${2:-1000}
rate=100  # what the server manages under callgrind without queueing
command -v valgrind >/dev/null || { echo "instructions_per_request: valgrind is missing" >&2; exit 1; }
store="$dir/callgrind-store"
out=$(mktemp -d)
rm -rf "$store"
build/vigil ingest --data "$dir/data" --data-dir "$store" >/dev/null 2>&1
key=$(build/vigil keys create --data-dir "$store" --role scorer --name callgrind 2>/dev/null)
customers=$(($(wc -l <"$dir/data/customers.csv") - 1))
log="$out/serve.log"
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" --instr-atstart=no \
  build/vigil serve --data-dir "$store" --models "$dir/models" --port 0 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$out"' EXIT
port=$(server_port "$log")
load() {
  build/paced_load --port "$port" --key "$key" --rate "$rate" --duration "$1" --warmup 0 \
    --customers "$customers" >/dev/null
}
callgrind_control -i on "$server" >/dev/null 2>&1
load 3  # warm caches and code paths before counting
callgrind_control -z "$server" >/dev/null 2>&1
load "$(echo "$requests / $rate" | bc -l)"
callgrind_control -d "$server" >/dev/null 2>&1
callgrind_annotate --inclusive=yes --threshold=100 "$out"/callgrind.out.* 2>/dev/null |
  awk -v n="$requests" '
    /PROGRAM TOTALS/ { gsub(",", "", $1); printf "%-44s %9.0f\n", "whole process", $1 / n }
    /vigil::HttpConnection::OnRequest\(\)/ { step("HTTP request to queued write (I/O thread)") }
    /vigil::TreeShap::Explain\(/ { step("  exact TreeSHAP") }
    /vigil::RenderScoreResponse/ { step("  score response JSON") }
    /vigil::RenderAuditDocument/ { step("  audit document JSON") }
    /vigil::FormatAccessLogLine/ { step("access log line") }
    /:sqlite3_step / { step("SQLite statements (store writer and readers)") }
    /hnswlib::HierarchicalNSW<float>::addPoint\(/ { step("similar-case index inserts") }
    function step(name) { gsub(",", "", $1); printf "%-44s %9.0f\n", name, $1 / n }' |
  awk 'BEGIN { print "instructions per request (inclusive)" } !seen[substr($0, 1, 44)]++'

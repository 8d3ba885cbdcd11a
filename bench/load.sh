#!/usr/bin/env bash
# Load test of `vigil serve`: POST /v1/orders/score with explanation, keep-alive,
# wrk on the same two cores as the server (DESIGN.md's budget: >= 20 000
# requests/s; p99 <= 2 ms at 5 000 requests/s, also measured open-loop with
# bench/paced_load). Needs `make build` first.
#   bench/load.sh [DIR]      DIR: a `vigil demo` directory (default: demo)
# Prints wrk's reports; BENCHMARKS.md records what it printed.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/serve_port.sh
export OMP_WAIT_POLICY=passive
dir=${1:-demo}
duration=${LOAD_DURATION:-20s}
if [[ ! -d "$dir/models" ]]; then
  build/vigil demo --dir "$dir" --customers 20000 >/dev/null
fi
store="$dir/load-store"
rm -rf "$store"
build/vigil ingest --data "$dir/data" --data-dir "$store" 2>/dev/null
key=$(build/vigil keys create --data-dir "$store" --role scorer --name load-test 2>/dev/null)
customers=$(($(wc -l <"$dir/data/customers.csv") - 1))

# The figures depend on the host as much as on the build: name it, and what
# it gives any program before the server starts (bench/host_floor.sh), beside them.
echo "== machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg)"
bench/host_floor.sh 5 | sed 's/^/   /'

log="$store/serve.log"
build/vigil serve --data-dir "$store" --models "$dir/models" --port 0 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
port=$(server_port "$log")
url="http://127.0.0.1:$port/v1/orders/score"
echo "== server on port $port, $customers customers ($(grep -o 'ready in [0-9.]* s' "$log"))"

export VIGIL_KEY=$key VIGIL_CUSTOMERS=$customers
# Each decision waits for its group's fsync, so one connection's rate is
# bounded by the commit latency: the peak needs enough connections in flight.
for connections in 32 128 256; do
  echo "== throughput: wrk -t1 -c$connections -d$duration (one wrk thread)"
  wrk -t1 -c"$connections" -d"$duration" --latency -s bench/score_orders.lua "$url"
done
echo "== latency at a fixed load: 16 connections, each waiting 2 ms between requests"
WRK_DELAY_MS=2 wrk -t1 -c16 -d"$duration" --latency -s bench/score_orders.lua "$url"
# wrk fires delay() on a millisecond tick, so the run above sends bursts;
# paced_load sends at a constant 5 000/s and counts from the intended time.
echo "== latency at 5 000 requests/s, open loop: bench/paced_load, 64 connections"
build/paced_load --port "$port" --key "$key" --rate 5000 --duration "$duration" \
  --connections 64 --customers "$customers"
echo "== event ingestion: wrk -t1 -c4, NDJSON bodies of 500 distinct events"
wrk -t1 -c4 -d"$duration" -s bench/ingest_events.lua "http://127.0.0.1:$port/v1/events"
kill -TERM $server
wait $server || true
tail -n 2 "$log"

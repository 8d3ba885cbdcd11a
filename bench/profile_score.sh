#!/usr/bin/env bash
# One load run of `vigil serve` for comparing builds and settings, with what
# the server reports: a fresh store from the demo's history, one `wrk` run of
# bench/score_orders.lua, CPU per server thread, and the store's and the
# route's metrics. Needs `make build` and a demo directory (bench/load.sh
# makes one).
#   bench/profile_score.sh [DIR]
# Environment:
#   CONNECTIONS=32  DURATION=10s  WRK_DELAY_MS=     (paced when set, e.g. 2)
#   RATE=           when set, build/paced_load at this constant rate instead
#                   of wrk (open loop, latency from the intended send time;
#                   CONNECTIONS defaults to 64 then)
#   SERVE_ARGS=     extra `vigil serve` flags, e.g. "--config my.toml"
#   PERF=           when set, `perf record $PERF` of the server (e.g. "-g -F 400")
#   LUA=bench/score_orders.lua
#   ROUTE=v1/orders/score  the route wrk posts to (bench/score_returns.lua: v1/returns/score)
#   STORE_SQL=      SQL run on the fresh store before the server starts, e.g.
#                   "DROP INDEX decisions_by_customer" to price an index
#   OLD_DECISIONS=  this many decisions from 100 days ago added to the fresh store
#   ARCHIVE_AT=     seconds into the measured run at which `vigil archive
#                   --older-than-days 90` runs beside the server (another
#                   process, as an operator would), e.g. 5 with OLD_DECISIONS
#   PRELOAD=        seconds of scoring at 5 000/s before the measured run, so
#                   that the store holds decisions (e.g. 10: 50 000)
#   ANALYST_PATH=   an analyst key polls GET /$ANALYST_PATH (e.g. v1/overview)
#                   during the measured run, ANALYST_INTERVAL (0.1) seconds
#                   after each answer (the dashboard's overview polls every 10 s)
#   EVENTS_DELAY_MS=  an NDJSON stream to POST /v1/events during the measured
#                   run: one connection sending EVENTS_PER_REQUEST (500)
#                   events, then waiting this long (e.g. 100: ~5 000 events/s)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/serve_port.sh
export OMP_WAIT_POLICY=passive
dir=${1:-demo}
store="$dir/profile-store"
rm -rf "$store"
build/vigil ingest --data "$dir/data" --data-dir "$store" >/dev/null 2>&1
# The previous run's store was just deleted: on a file system mounted with
# `discard` its blocks are trimmed at the next journal commit, which stalls
# the disk for seconds. Let that, and the ingest's writeback, finish first.
sync
key=$(build/vigil keys create --data-dir "$store" --role scorer --name profile 2>/dev/null)
analyst_key=$(build/vigil keys create --data-dir "$store" --role analyst --name profile 2>/dev/null)
if [[ -n "${OLD_DECISIONS:-}" ]]; then
  # Decisions made 100 days ago (~3 KB each, as scored ones), for the
  # retention job to archive.
  sqlite3 "$store/vigil.db" "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k
    WHERE i < $OLD_DECISIONS) INSERT INTO decisions (decision_id, subject_id, kind, at,
    customer_id, model_version, risk_score, risk_level, action, request_id, document, features,
    contributions) SELECT 'dec_old_' || i, 'ORD_OLD_' || abs(random()), 'order',
    strftime('%s', 'now') - 100 * 86400 + i, 'C' || (i % 5000), 'v1', 0.1, 'low', 'allow',
    'req', printf('%.2700c', 'x'), zeroblob(200), zeroblob(200) FROM k"
fi
if [[ -n "${STORE_SQL:-}" ]]; then sqlite3 "$store/vigil.db" "$STORE_SQL"; fi
if [[ -n "${STORE_SQL:-}${OLD_DECISIONS:-}" ]]; then
  sqlite3 "$store/vigil.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  sync
fi
log="$store/serve.log"
# shellcheck disable=SC2086
build/vigil serve --data-dir "$store" --models "$dir/models" --port 0 ${SERVE_ARGS:-} 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
port=$(server_port "$log")
export VIGIL_KEY=$key VIGIL_CUSTOMERS=$(($(wc -l <"$dir/data/customers.csv") - 1))
export VIGIL_ORDERS=$(($(wc -l <"$dir/data/orders.csv") - 1))

# CPU per thread over 5 s in the middle of the run.
thread_cpu() {
  local -A before
  local t f
  for t in /proc/$server/task/*; do
    read -r -a f <"$t/stat"
    before[${t##*/}]=$((f[13] + f[14]))
  done
  sleep 5
  for t in /proc/$server/task/*; do
    read -r -a f <"$t/stat"
    echo "thread ${t##*/} $(cat "$t/comm"): $(((f[13] + f[14] - ${before[${t##*/}]:-0}) * 100 / 500)) % of a core"
  done | sort -t: -k2 -n -r | head -8
}
if [[ -n "${PRELOAD:-}" ]]; then
  build/paced_load --port "$port" --key "$key" --rate 5000 --duration "$PRELOAD" \
    --customers "$VIGIL_CUSTOMERS" | sed 's/^/preload: /'
fi
analyst=
if [[ -n "${ANALYST_PATH:-}" ]]; then
  (
    seconds=${DURATION:-10s}
    end=$((SECONDS + ${seconds%s} + 2))
    while ((SECONDS < end)); do
      curl -s -o /dev/null -w '%{time_total}\n' -H "X-API-Key: $analyst_key" \
        "http://127.0.0.1:$port/$ANALYST_PATH"
      sleep "${ANALYST_INTERVAL:-0.1}"
    done | awk -v path="$ANALYST_PATH" \
      '{ n++; total += $1 } END { printf "analyst: %d polls of /%s, %.1f ms each on average\n", n, path, 1000 * total / n }'
  ) &
  analyst=$!
fi
archiver=
if [[ -n "${ARCHIVE_AT:-}" ]]; then
  (
    sleep "$ARCHIVE_AT"
    start=$(date +%s.%N)
    build/vigil archive --data-dir "$store" --older-than-days 90 2>&1 | tail -n 1
    echo "archive: $(echo "$(date +%s.%N) - $start" | bc) s"
  ) | sed 's/^/archive: /; s/^archive: archive:/archive:/' &
  archiver=$!
fi
events=
if [[ -n "${EVENTS_DELAY_MS:-}" ]]; then
  EVENTS_DELAY_MS=$EVENTS_DELAY_MS wrk -t1 -c1 -d"${DURATION:-10s}" --latency \
    -s bench/ingest_events.lua "http://127.0.0.1:$port/v1/events" |
    grep -E "events/s|Latency|99%" | sed 's/^/events: /' &
  events=$!
fi
(sleep 3 && thread_cpu) &
sampler=$!
profiler=
if [[ -n "${PERF:-}" ]]; then
  # shellcheck disable=SC2086
  perf record -o perf.data $PERF -p "$server" -- sleep 8 >/dev/null 2>&1 &
  profiler=$!
fi
if [[ -n "${RATE:-}" ]]; then
  build/paced_load --port "$port" --key "$key" --rate "$RATE" --duration "${DURATION:-10s}" \
    --connections "${CONNECTIONS:-64}" --customers "$VIGIL_CUSTOMERS" ${PACED_ARGS:-}
else
  wrk -t1 -c"${CONNECTIONS:-32}" -d"${DURATION:-10s}" --latency -s "${LUA:-bench/score_orders.lua}" \
    "http://127.0.0.1:$port/${ROUTE:-v1/orders/score}"
fi
wait $sampler $profiler $analyst ${events:-} ${archiver:-}
curl -s "http://127.0.0.1:$port/metrics" |
  grep -E '^vigil_decisions_archived_total|^vigil_store_(commits|commit_duration|commit_seconds|max_commit)|^vigil_similar_cases_(added|dropped)|orders/score.*(le="0.00(1|15|2|25)"|_count)'
kill -TERM $server
wait $server || true

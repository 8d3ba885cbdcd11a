#!/usr/bin/env bash
# The dashboard at 100 000+ decisions, in a real browser: page load and review-queue response
# times, measured in the page and at the API (issue 6). Builds its own store like
# bench/profile_score.sh: the demo's history ingested into a fresh store, a block list and some
# returns for the review queue, then orders scored through `wrk` with bench/score_orders.lua
# until the store holds DECISIONS decisions. Then, RUNS times: `vigil serve` on that store, and
# bench/dashboard_scale.mjs drives Debian's Chromium (playwright-core, as
# tests/e2e/dashboard.test.mjs does) through sign-in, the overview (1h, 24h, 7d), the review
# queue, five next pages, filters, a sort by score and a case, and times the API routes directly
# with the session cookie. Prints the median and range of each figure over the runs.
# Needs `make build`, a demo directory (bench/load.sh makes one), wrk, sqlite3, chromium, node.
#   bench/dashboard_scale.sh [DIR]          DIR: a `vigil demo` directory (default: demo)
# Environment:
#   DECISIONS=100000   decisions the store must hold (all scored within seconds: every overview
#                      range counts them all)
#   RUNS=3             browser runs, each against a freshly started server
#   BLOCK_EVERY=10     every 10th customer is block-listed: ~1 in 10 scored orders is blocked,
#                      i.e. in the review queue (the demo's model sends none of these orders there)
#   RETURNS=2000       returns scored first, of orders by serial returners (review, deny; some critical)
#   REUSE=             when set, keep DIR/scale-store if it already holds DECISIONS decisions
#   VIGIL_CHROMIUM=/usr/bin/chromium
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=passive
dir=${1:-demo}
want=${DECISIONS:-100000}
runs=${RUNS:-3}
store="$dir/scale-store"
[[ -x build/vigil ]] || { echo "no build/vigil: run make build" >&2; exit 1; }
[[ -d "$dir/models" ]] || { echo "no $dir/models: make a demo with bench/load.sh $dir" >&2; exit 1; }
[[ -d node_modules/playwright-core ]] || npm ci --ignore-scripts >/dev/null

count() { sqlite3 "$store/vigil.db" "SELECT count(*) FROM decisions"; }
server=
stop_server() {
  if [[ -n "$server" ]]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=
  fi
}
trap stop_server EXIT
start_server() { # sets server and port; the log goes to $store/serve.log
  local log="$store/serve.log"
  build/vigil serve --data-dir "$store" --models "$dir/models" --port 0 "$@" >/dev/null 2>"$log" &
  server=$!
  port=
  for _ in $(seq 1 1200); do
    port=$(sed -n 's/.*listening on http:\/\/[0-9.]*:\([0-9]*\).*/\1/p' "$log" 2>/dev/null || true)
    [[ -n "$port" ]] && break
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$port" ]] || { echo "vigil serve did not start: see $log" >&2; exit 1; }
}

t0=$SECONDS
if [[ -n "${REUSE:-}" && -f "$store/vigil.db" ]] && (($(count) >= want)); then
  echo "== reusing $store: $(count) decisions"
else
  rm -rf "$store"
  build/vigil ingest --data "$dir/data" --data-dir "$store" >/dev/null 2>&1
  echo "== ingested the demo's history into $store in $((SECONDS - t0)) s"
  scorer=$(build/vigil keys create --data-dir "$store" --role scorer --name scale-scorer 2>/dev/null)
  admin=$(build/vigil keys create --data-dir "$store" --role admin --name scale-admin 2>/dev/null)
  # The block list goes in through POST /v1/lists, faster than the admin role's 50 a second.
  printf '[rate_limits]\nadmin = { per_second = 100000, burst = 200000 }\n' >"$store/setup.toml"
  start_server --config "$store/setup.toml"
  VIGIL_URL="http://127.0.0.1:$port" VIGIL_ADMIN_KEY=$admin VIGIL_SCORER_KEY=$scorer \
    node bench/dashboard_scale.mjs setup "$dir/data"
  # A new process for the orders, as when the figures in BENCHMARKS.md were taken: builds
  # before 92fb70b crashed on orders after returns (TreeShap's thread-local scratch, sized by
  # the first model a thread explained, overflowed for a wider one).
  stop_server
  start_server
  export VIGIL_KEY=$scorer VIGIL_CUSTOMERS=$(($(wc -l <"$dir/data/customers.csv") - 1))
  # Rounds of wrk until the store holds enough: the first (3 s) measures the rate, the second
  # aims at 85 % of the rest, then 1 s rounds (the overshoot is at most about one of those).
  secs=3
  have=$(count)
  while ((have < want)); do
    rate=$(wrk -t1 -c128 -d"${secs}s" -s bench/score_orders.lua "http://127.0.0.1:$port/v1/orders/score" |
      sed -n 's/^Requests\/sec: *\([0-9]*\).*/\1/p')
    echo "   wrk: ${secs} s at ${rate:-?} requests/s"
    before=$have
    have=$(count)
    ((have > before)) || { echo "no decision recorded by wrk: see $store/serve.log" >&2; exit 1; }
    secs=$(((want - have) * 85 / 100 / (${rate:-0} > 0 ? rate : 10000)))
    ((secs < 1)) && secs=1
    ((secs > 60)) && secs=60
  done
  stop_server
  echo "== scored orders until the store held $have decisions ($((SECONDS - t0)) s so far)"
fi
analyst=$(build/vigil keys create --data-dir "$store" --role analyst --name scale 2>/dev/null | head -n 1)
decisions=$(count)
queued=$(sqlite3 "$store/vigil.db" "SELECT count(*) FROM decisions WHERE action IN
  ('manual_review','block','deny','decline','step_up_authentication')" 2>/dev/null || echo "?")
indexed=$(sqlite3 "$store/vigil.db" "SELECT count(*) FROM decisions WHERE kind IN ('order', 'return')")
echo "== $decisions decisions, $queued of them in the review queue; $(du -sh "$store/vigil.db" | cut -f1) store"

# The similar-case index is rebuilt from the store in the background after a start: wait for it
# (up to 120 s), so that a case shows its similar cases.
wait_similar() {
  local s=$SECONDS have
  while ((SECONDS - s < 120)); do
    have=$(curl -s "http://127.0.0.1:$port/metrics" | sed -n 's/^vigil_similar_cases{kind="[a-z]*"} \([0-9]*\)$/\1/p' |
      awk '{n += $1} END {print n + 0}')
    ((have >= indexed)) && break
    sleep 0.5
  done
  echo "$((SECONDS - s))"
}

# The server folds decisions into the overview's roll-up every 10 s: wait (up to 60 s) until it
# holds them all, so the overview reads the roll-up as it does in service. The first start folds
# them all (~0.4 s per 100 000); later starts find them folded.
wait_rolled_up() {
  local s=$SECONDS
  while ((SECONDS - s < 60)); do
    (($(sqlite3 "$store/vigil.db" "SELECT (SELECT through_seq FROM decision_rollup_state) >=
      (SELECT COALESCE(MAX(seq), 0) FROM decisions)" 2>/dev/null || echo 0) == 1)) && break
    sleep 0.5
  done
}

results=()
for run in $(seq 1 "$runs"); do
  start_server
  ready=$(grep -o 'ready in [0-9.]* s' "$store/serve.log" | grep -o '[0-9.]*' || echo "")
  similar=$(wait_similar)
  wait_rolled_up
  out="$store/scale-run-$run.json"
  echo "== run $run/$runs: server on port $port (ready in ${ready:-?} s, similar cases rebuilt in ~$similar s), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  VIGIL_URL="http://127.0.0.1:$port" VIGIL_ANALYST_KEY=$analyst VIGIL_SERVER_READY_S=$ready \
    node bench/dashboard_scale.mjs measure "$out"
  results+=("$out")
  stop_server
done
echo "== $decisions decisions ($queued in the queue), $runs runs, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $((SECONDS - t0)) s in all"
node bench/dashboard_scale.mjs summarize "${results[@]}"

#!/usr/bin/env bash
# `make demo`: generate a synthetic Indian marketplace with its card payments,
# train the order, return and transaction models on it, score the orders,
# load the history but its last day into a service store, seed the payment
# flow's demo accounts and payments (`vigil seed`), start `vigil serve` on
# 127.0.0.1:8080, send it the last day's orders, returns and outcomes
# (`vigil replay`) so that its dashboard has decisions to show, and follow its
# log (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=passive  # XGBoost's idle threads must not spin on shared cores
dir=${VIGIL_DEMO_DIR:-demo}
customers=${VIGIL_DEMO_CUSTOMERS:-50000}
port=${VIGIL_DEMO_PORT:-8080}
# The history's 120 days end yesterday (India time), as a marketplace's would
# when it starts Vigil: the windowed features (returns in the last 30 days,
# a device's orders this week) then mean something for orders scored now.
start=${VIGIL_DEMO_START:-$(TZ=Asia/Kolkata date -d '-120 days' +%F)}
build/vigil demo --dir "$dir" --customers "$customers" --start "$start"
build/vigil score --data "$dir/data" --models "$dir/models" --kind order --out "$dir/order_scores.csv"
build/vigil score --data "$dir/data" --models "$dir/models" --kind return --out "$dir/return_scores.csv"
echo
build/vigil models list --models "$dir/models"
echo
echo "Reports: $dir/models/order/v1/report.html and $dir/models/return/v1/report.html"
echo "         and $dir/models/transaction/v1/report.html (card payments)"
echo "Scores:  $dir/order_scores.csv and $dir/return_scores.csv"

# The service: the marketplace's history as its event log, so it knows every
# customer's past, and two API keys. Its last day (yesterday) is held back
# and sent through the API once the server is up, as live traffic would be.
store="$dir/store"
cut=$(TZ=Asia/Kolkata date -d "$start +119 days" +%F)
echo
build/vigil ingest --data "$dir/data" --data-dir "$store" --until "$cut"
scorer=$(build/vigil keys create --data-dir "$store" --role scorer --name demo-scorer 2>/dev/null)
analyst=$(build/vigil keys create --data-dir "$store" --role analyst --name demo-analyst 2>/dev/null)
# The payment flow's demo accounts and payments (a few fraud-like), each
# stored as received with the outbox item that will score it.
seeded=$(build/vigil seed --data-dir "$store")
echo "$seeded"
payment=$(sed -n 's|.*GET /transaction/\([^ ]*\).*|\1|p' <<<"$seeded")
# For the seed's sample order, the customer who returns the largest share of
# their orders (at least five; ties go to more orders), so that the sample
# shows the model at work rather than a loyal customer's easy "allow".
read -r customer customer_orders customer_returns < <(awk -F, 'FNR == 1 { next }
  FILENAME ~ /orders/ { owner[$1] = $2; orders[$2]++; next }
  { returned[owner[$2]]++ }
  END {
    for (c in returned) {
      if (orders[c] < 5) continue
      share = returned[c] / orders[c]
      if (share > best || (share == best && orders[c] > orders[top])) { best = share; top = c }
    }
    print top, orders[top], returned[top]
  }' "$dir/data/orders.csv" "$dir/data/returns.csv")
# The payment flow offline: messages are only logged (no Twilio account), the
# webhook accepts replies signed with a demo token (scripts/sms_reply.sh plays
# Twilio), and the threshold is lower than the seed's 0.5 because the demo's
# model gives calibrated probabilities on a 0.7 % fraud rate, so that a few
# seeded payments ask their customer.
export TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN:-demo-token}
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:$port}
export FRAUD_THRESHOLD=${FRAUD_THRESHOLD:-0.3}
log="$dir/serve.log"
build/vigil serve --data-dir "$store" --models "$dir/models" --port "$port" >"$log" 2>&1 &
server=$!
# Ctrl-C reaches this script; the server, started in the background, ignores
# SIGINT, so it is told to drain and stop with SIGTERM.
trap 'kill -TERM "$server" 2>/dev/null; wait "$server"; exit 0' INT TERM
until grep -q 'listening on' "$log"; do
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$log" >&2
    echo "demo: vigil serve did not start (its log is above)" >&2
    exit 1
  fi
  sleep 0.2
done
echo
echo "Yesterday through the API: its orders and returns scored, its outcomes as events"
build/vigil replay --data "$dir/data" --from "$cut" --url "http://127.0.0.1:$port" --key "$scorer"

cat <<MSG

vigil serve is running on http://127.0.0.1:$port (Ctrl-C stops it; its log: $log).
  scorer key:  $scorer
  analyst key: $analyst
  dashboard:   http://127.0.0.1:$port/ (sign in with the analyst key)

Score the first seed's sample order (a COD electronics order by $customer,
who has returned $customer_returns of $customer_orders orders):
  curl -s http://127.0.0.1:$port/v1/orders/score -H 'X-API-Key: $scorer' \\
    -H 'Content-Type: application/json' -d '{"order_id":"ORD123456","customer_id":"$customer",
    "product_id":"P00001","category":"electronics","amount":18999,"payment_method":"COD",
    "delivery_pincode":"110001","device_id":"D0000001"}'
Then read it back, and its similar past cases (yesterday's decisions):
  curl -s http://127.0.0.1:$port/v1/decisions/ORD123456 -H 'X-API-Key: $analyst'
  curl -s http://127.0.0.1:$port/v1/decisions/ORD123456/similar?k=5 -H 'X-API-Key: $analyst'
A seeded payment (a fraud-like one) and its history, with the scorer key:
  curl -s http://127.0.0.1:$port/transaction/$payment -H 'X-API-Key: $scorer'
Payments waiting for their customer's reply (messages are logged in $log as NOT SENT), and a
reply played as Twilio would send it:
  sqlite3 $store/vigil.db "SELECT transaction_id, phone FROM transactions WHERE status = 'pending_verification'"
  TWILIO_AUTH_TOKEN=$TWILIO_AUTH_TOKEN PUBLIC_BASE_URL=$PUBLIC_BASE_URL scripts/sms_reply.sh PHONE YES
API: docs/api.md. Payments: docs/payments.md. Metrics: http://127.0.0.1:$port/metrics

The server's log from here on:
MSG
tail -n 0 -f --pid="$server" "$log" &
wait "$server"

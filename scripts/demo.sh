#!/usr/bin/env bash
# `make demo`: generate a synthetic Indian marketplace, train the order and
# return models on it, score the orders, and say where everything is.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=passive  # XGBoost's idle threads must not spin on shared cores
dir=${VIGIL_DEMO_DIR:-demo}
customers=${VIGIL_DEMO_CUSTOMERS:-50000}
build/vigil demo --dir "$dir" --customers "$customers"
build/vigil score --data "$dir/data" --models "$dir/models" --kind order --out "$dir/order_scores.csv"
build/vigil score --data "$dir/data" --models "$dir/models" --kind return --out "$dir/return_scores.csv"
echo
build/vigil models list --models "$dir/models"
echo
echo "Reports: $dir/models/order/v1/report.html and $dir/models/return/v1/report.html"
echo "Scores:  $dir/order_scores.csv and $dir/return_scores.csv"

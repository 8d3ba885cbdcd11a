#!/usr/bin/env bash
# The Fraud Detection Handbook's baseline protocol through Vigil's own
# pipeline (BENCHMARKS.md, "Transaction model: the fraud handbook benchmark"):
# train on 2018-07-25..31, skip the delay week, test on 2018-08-08..14 with
# known compromised cards removed; AUC ROC, Average Precision, CP@100.
#
#   bench/fraud_handbook.sh [DATA_DIR] [VIGIL]
#
# DATA_DIR holds transactions.csv.gz (default: the shared copy); VIGIL is the
# binary (default: build/vigil). With PREQUENTIAL=1 it also runs the book's
# Chapter 5 test folds (training weeks from 07-25, 08-01, 08-08 and 08-15).
# TRAIN_FLAGS overrides the XGBoost settings (default: the ones in
# BENCHMARKS.md; TRAIN_FLAGS=" " runs vigil train's defaults).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
data=${1:-/work/shared/datasets/fraud-handbook}
vigil=${2:-$here/build/vigil}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
columns=transaction_id=TRANSACTION_ID,user_id=CUSTOMER_ID,created_at=TX_DATETIME
columns=$columns,amount=TX_AMOUNT,merchant=TERMINAL_ID,is_fraud=TX_FRAUD
read -r -a train_flags <<<"${TRAIN_FLAGS:---max-depth 4 --eta 0.1 --max-rounds 300 --early-stopping-rounds 100 --balance-classes false}"

# One fold: train the week from $1, skip the delay week from $2, test the week from $3.
fold() {
  local train_from=$1 delay_from=$2 test_from=$3 models
  models=$(mktemp -d "$work/models.XXXX")
  "$vigil" train --data "$data" --models "$models" --kind transaction --columns "$columns" \
    --timezone UTC --train-from "$train_from" --valid-from "$delay_from" ${train_flags[@]+"${train_flags[@]}"} \
    >"$models.log"
  grep -E "training on|trained|validation ROC" "$models.log" | sed 's/^/  /'
  "$vigil" score --data "$data" --models "$models" --kind transaction --columns "$columns" \
    --timezone UTC --out "$models.scores.csv" 2>/dev/null
  "$vigil" fraud-benchmark --data "$data" --columns "$columns" --timezone UTC \
    --scores "$models.scores.csv" --known-from "$train_from" --test-from "$test_from"
}

echo "== constant score (the chance row of the handbook's table)"
"$vigil" fraud-benchmark --data "$data" --columns "$columns" --timezone UTC \
  --known-from 2018-07-25 --test-from 2018-08-08
echo "== baseline: train 2018-07-25..31, test 2018-08-08..14"
time fold 2018-07-25 2018-08-01 2018-08-08
echo "   handbook (Chapter 3): XGBoost 0.862 / 0.639 / 0.273; best tuned 0.879 / 0.687 / 0.305"

if [[ "${PREQUENTIAL:-0}" == 1 ]]; then
  for start in 2018-07-25 2018-08-01 2018-08-08 2018-08-15; do
    delay=$(date -u -d "$start + 7 days" +%F)
    test=$(date -u -d "$start + 14 days" +%F)
    echo "== prequential fold: train $start, test $test"
    fold "$start" "$delay" "$test" | tee -a "$work/folds.txt"
  done
  # Mean and standard deviation (n - 1, as pandas) over the folds.
  awk 'BEGIN { n = 0 } /^AUC ROC/ { auc[n] = $3; ap[n] = $6; cp[n] = $9; n++ }
    function mean(a,  s, i) { for (i = 0; i < n; i++) s += a[i]; return s / n }
    function sd(a,  m, s, i) { m = mean(a); for (i = 0; i < n; i++) s += (a[i] - m)^2; return sqrt(s / (n - 1)) }
    END { printf "== prequential, %d test folds: AUC ROC %.3f +- %.3f  AP %.3f +- %.3f  CP@100 %.3f +- %.3f\n",
            n, mean(auc), sd(auc), mean(ap), sd(ap), mean(cp), sd(cp)
          print "   handbook (Chapter 5): XGBoost 0.869 / 0.687 / 0.303; later chapters at best 0.879 / 0.687 / 0.305" }' \
    "$work/folds.txt"
fi

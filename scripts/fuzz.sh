#!/usr/bin/env bash
# Builds the libFuzzer targets (src/service/fuzz, src/sms) in build-fuzz with clang, runs
# each over its committed corpus (the regression inputs), then fuzzes each for
# SECONDS from a fresh copy of that corpus in build-fuzz/fuzz-work/<fuzzer>, so
# the committed corpus is never modified. The fuzzers run side by side. Prints
# one summary line per fuzzer; on a crash, leak, sanitizer report or failed
# property, prints the report, keeps the input in build-fuzz/fuzz-artifacts/
# and exits 1. docs/testing.md has the details.
#
# Usage: scripts/fuzz.sh [SECONDS]   (default 20; 0 replays the corpus only)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
build="build-fuzz"
# Each fuzzer: its binary under $build and its committed corpus.
declare -A binaries=(
  [event_json_fuzzer]=src/service/fuzz/event_json_fuzzer
  [http_request_fuzzer]=src/service/fuzz/http_request_fuzzer
  [sms_webhook_fuzzer]=src/sms/sms_webhook_fuzzer
  [sms_twilio_message_page_fuzzer]=src/sms/sms_twilio_message_page_fuzzer
)
declare -A corpora=(
  [event_json_fuzzer]=src/service/fuzz/corpus/event_json_fuzzer
  [http_request_fuzzer]=src/service/fuzz/corpus/http_request_fuzzer
  [sms_webhook_fuzzer]=src/sms/fuzz_corpus/webhook_fuzzer
  [sms_twilio_message_page_fuzzer]=src/sms/fuzz_corpus/twilio_message_page_fuzzer
)
fuzzers=(event_json_fuzzer http_request_fuzzer sms_webhook_fuzzer sms_twilio_message_page_fuzzer)
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)

t0=$(date +%s)
mkdir -p "$build"
if ! CXX=clang++ cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=None -DVIGIL_FUZZ=ON \
  -DVIGIL_BENCHMARKS=OFF -DCMAKE_UNITY_BUILD="${UNITY:-ON}" >"$build/fuzz-configure.log" 2>&1; then
  cat "$build/fuzz-configure.log" >&2
  exit 1
fi
if ! cmake --build "$build" --target vigil_fuzzers >"$build/fuzz-build.log" 2>&1; then
  cat "$build/fuzz-build.log" >&2
  exit 1
fi
echo "fuzz: built ${fuzzers[*]} in $(($(date +%s) - t0)) s"

export UBSAN_OPTIONS=print_stacktrace=1
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts" "$build/fuzz-logs"

# Replays the corpus, then fuzzes; the log is $build/fuzz-logs/<fuzzer>.log.
run() {
  local name=$1 bin=$build/${binaries[$1]} corpus=${corpora[$1]}
  local work=$build/fuzz-work/$1 log=$build/fuzz-logs/$1.log
  local flags=(-rss_limit_mb=2048 -timeout=25 -artifact_prefix="$artifacts/$name-")
  [[ -f src/service/fuzz/${name%_fuzzer}.dict ]] && flags+=(-dict="src/service/fuzz/${name%_fuzzer}.dict")
  "$bin" "${flags[@]}" "$corpus"/* >"$log" 2>&1 || return 1
  ((seconds > 0)) || return 0
  rm -rf "$work" && mkdir -p "$work" && cp "$corpus"/* "$work"/
  "$bin" "${flags[@]}" -max_total_time="$seconds" -print_final_stats=1 "$work" >>"$log" 2>&1
}

pids=()
for f in "${fuzzers[@]}"; do
  run "$f" &
  pids+=($!)
done

failed=0
for i in "${!fuzzers[@]}"; do
  f=${fuzzers[$i]}
  log=$build/fuzz-logs/$f.log
  seeds=$(find "${corpora[$f]}" -type f | wc -l)
  if wait "${pids[$i]}"; then
    if ((seconds > 0)); then
      runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
      cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
      new=$(($(find "$build/fuzz-work/$f" -type f | wc -l) - seeds))
      echo "fuzz: $f ok: $seeds corpus inputs replayed; ${seconds} s fuzzing, ${runs:-?} runs," \
        "coverage ${cov:-?}, $new new inputs in $build/fuzz-work/$f"
    else
      echo "fuzz: $f ok: $seeds corpus inputs replayed"
    fi
  else
    failed=1
    echo "fuzz: $f FAILED (full log: $log)"
    # The report: from the first sanitizer or fuzzer error line on.
    awk '/^==[0-9]+==|ERROR: |runtime error|^[a-z_]+_fuzzer: |^SUMMARY/{p=1} p' "$log" | head -60 | sed 's/^/    /'
    grep -h 'Test unit written to\|^Running: ' "$log" | tail -1 | sed 's/^/    /'
  fi
done
if ((failed)); then
  echo "fuzz: an input above fails; fix the bug, then add the input to the fuzzer's corpus" \
    "(docs/testing.md)" >&2
  exit 1
fi

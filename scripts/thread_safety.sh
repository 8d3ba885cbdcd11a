#!/usr/bin/env bash
# clang's thread-safety analysis over every library source and command:
# checks the lock annotations (ABSL_GUARDED_BY, ABSL_EXCLUSIVE_LOCKS_REQUIRED,
# ABSL_LOCKS_EXCLUDED, ...) that g++ ignores, so a member read without its
# mutex fails `make test`. Syntax and analysis only, no code generated, with
# the common third-party headers precompiled (scripts/thread_safety_prelude.h):
# under a minute on two cores. Tests, benchmarks and fuzzers are left out.
#   scripts/thread_safety.sh
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files 'src/*.cc' |
  grep -v -E '_test\.cc$|_benchmark\.cc$|_fuzzer\.cc$|/bench/|test_http_client\.cc$')

# The definitions every layer compiles with (CMakeLists.txt).
flags=(-std=c++20 -Isrc -I/usr/include/eigen3
  -DBOOST_BEAST_USE_STD_STRING_VIEW -DBOOST_ASIO_NO_DEPRECATED
  -Wthread-safety -Werror=thread-safety)

t0=$(date +%s)
# The precompiled prelude must be built with the same flags as its users.
# Its templates are instantiated once in it (-fpch-instantiate-templates),
# which is where most of the time per file went.
pch_dir=$(mktemp -d)
trap 'rm -rf "$pch_dir"' EXIT
clang++ "${flags[@]}" -fpch-instantiate-templates -x c++-header \
  scripts/thread_safety_prelude.h -o "$pch_dir/prelude.pch"
if ! printf '%s\n' "${files[@]}" |
  xargs -P "$(nproc)" -n 4 clang++ "${flags[@]}" -fsyntax-only -include-pch "$pch_dir/prelude.pch"; then
  echo "thread-safety analysis: FAILED (above)" >&2
  exit 1
fi
echo "thread-safety analysis: ${#files[@]} files clean in $(($(date +%s) - t0)) s"

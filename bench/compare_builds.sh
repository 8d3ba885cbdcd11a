#!/usr/bin/env bash
# Tells the code from the machine: builds another commit of Vigil beside this
# checkout and runs the same load against both, in alternation, with the
# host's floor before each round. On a VM whose latency moves by a factor of
# ten between days, a figure compares only with one measured beside it; this
# measures an old build beside the current one, in the same minutes.
#   bench/compare_builds.sh REV [DIR] [ROUNDS]
# REV: the other commit (a hash, tag or branch); DIR: a demo directory
# (bench/load.sh makes one; default demo); ROUNDS: default 2.
# Environment: RATE (5000), DURATION (15s), as bench/profile_score.sh takes
# them; UNITY (OFF: commits before 2026-12-06 afternoon do not build as a
# unity build). The current side is what `make build` last built in build/. The other build stays in
# build-compare/REV for a next run; delete that directory to rebuild it.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/compare_builds.sh REV [DIR] [ROUNDS]}
dir=$(realpath "${2:-demo}")
rounds=${3:-2}
export RATE=${RATE:-5000} DURATION=${DURATION:-15s}
commit=$(git rev-parse --short "$rev^{commit}")
other=build-compare/$commit

if [[ ! -x "$other/build/vigil" ]]; then
  rm -rf "$other"
  git worktree prune
  git worktree add --detach --force "$other" "$commit" >/dev/null
  # The dashboard's npm packages, vendored at build time by older commits too.
  ln -sfn "$PWD/node_modules" "$other/node_modules"
  echo "compare: building $commit in $other (UNITY=${UNITY:-OFF})"
  cmake -S "$other" -B "$other/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_UNITY_BUILD="${UNITY:-OFF}" >"$other/configure.log"
  cmake --build "$other/build" -j "$(nproc)" --target vigil paced_load >"$other/build.log" ||
    { tail -20 "$other/build.log" >&2; exit 1; }
fi

# One run of a checkout's own bench/profile_score.sh: p50 ... max, and the
# writer's seconds in commits.
run() {
  (cd "$1" && bench/profile_score.sh "$dir" 2>&1) |
    awk '/ p50 / { sub(/^ +/, ""); lat = $0 }
         /^vigil_store_commit_seconds_total/ { commit = $2 }
         END { printf "%s  commits %.1f s\n", lat, commit }'
}

for ((i = 1; i <= rounds; i++)); do
  echo "round $i, the host just before:"
  bench/host_floor.sh 3 | sed 's/^/  /'
  # Which goes first alternates: a run can warm or dirty the page cache and
  # the disk for the one after it.
  if ((i % 2)); then order=("$other" .); else order=(. "$other"); fi
  for checkout in "${order[@]}"; do
    if [[ $checkout == . ]]; then
      echo "  build/ (HEAD $(git rev-parse --short HEAD)): $(run .)"
    else
      echo "  $commit: $(run "$checkout")"
    fi
  done
done

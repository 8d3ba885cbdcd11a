#!/usr/bin/env bash
# Installs Vigil's build and test dependencies from Debian's archive, then the dashboard's npm
# packages (package-lock.json: the charting library and the browser tests' driver).
# Idempotent: installs only what is missing, and says nothing when all is present.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake ninja-build pkg-config
  clang clang-format libclang-rt-14-dev
  libxgboost-dev libabsl-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libsqlite3-dev libcsv-dev zlib1g-dev libboost-dev libssl-dev libcurl4-openssl-dev
  libhnswlib-dev libtomlplusplus-dev libgoogle-perftools-dev
  wrk fio rt-tests   # benchmarks: load, and the host's floor (bench/host_floor.sh)
  curl sqlite3       # `make demo`: the printed examples
  libgtest-dev libgmock-dev libbenchmark-dev
  chromium fonts-noto-core   # the dashboard's browser tests (tests/e2e); Devanagari for Hindi
)
# Node.js with npm: the machine's own when it has one (Debian's nodejs is older than
# playwright-core wants), else Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  # The package lists may be absent on a fresh machine; refresh them once.
  if ! "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/vigil-apt.log 2>&1; then
    "${sudo_cmd[@]}" apt-get update -qq >>/tmp/vigil-apt.log 2>&1
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/vigil-apt.log 2>&1 ||
      { cat /tmp/vigil-apt.log >&2; exit 1; }
  fi
fi

# npm packages exactly as package-lock.json pins them, again only when the lock file changed since
# the last install (node_modules/.vigil-lock holds its checksum). No install scripts run.
lock_sum=$(sha256sum "$repo/package-lock.json" | cut -d' ' -f1)
if [[ ! -f $repo/node_modules/.vigil-lock || $(cat "$repo/node_modules/.vigil-lock") != "$lock_sum" ]]; then
  echo "install-deps: npm ci" >&2
  (cd "$repo" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >/tmp/vigil-npm.log 2>&1 ||
    { cat /tmp/vigil-npm.log >&2; exit 1; }
  echo "$lock_sum" >"$repo/node_modules/.vigil-lock"
fi

#!/usr/bin/env bash
# Installs Vigil's build and test dependencies from Debian's archive.
# Idempotent: installs only what is missing, and says nothing when all is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  clang clang-format libclang-rt-14-dev
  libxgboost-dev libabsl-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libsqlite3-dev libcsv-dev zlib1g-dev libboost-dev libssl-dev libcurl4-openssl-dev
  libhnswlib-dev libtomlplusplus-dev libgoogle-perftools-dev wrk
  libgtest-dev libgmock-dev libbenchmark-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

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

#!/usr/bin/env bash
# Installs everything gracewire needs to build, test, benchmark and run, from Debian 12 packages.
# Idempotent: safe to run again; does nothing when every package is already present.
set -euo pipefail

packages=(
  # build
  cmake g++ make pkg-config
  libuv1-dev libssl-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libcli11-dev
  libgtest-dev libgmock-dev
  # run and test: a real server, real clients
  mariadb-server mariadb-client python3 python3-pymysql sysbench
  # benchmark baseline
  haproxy
  procps iproute2 ca-certificates
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root (missing: ${missing[*]})" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# policy-rc.d-free machines would start the packaged services; we never use them, gracewire
# starts its own throwaway server, so keep them from starting.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Installs everything gracewire needs to build, test, benchmark and run, from Debian 12 packages.
# Idempotent: safe to run again; does nothing when every package is already present.
#
#   tools/install-deps.sh [--fuzz]    --fuzz adds clang 16 and libFuzzer, for tools/fuzz only
set -euo pipefail

packages=(
  # build
  cmake g++ make pkg-config
  libuv1-dev libssl-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libcli11-dev
  zlib1g-dev  # MariaDB's compressed binlog events (log_bin_compress)
  libsystemd-dev  # sd_notify: READY=1, STATUS=, RELOADING=1, STOPPING=1 under systemd (Type=notify)
  libcpp-httplib-dev  # the admin endpoint (metrics, health, readiness, drain) over HTTP
  libnats-dev  # publishing records to NATS JetStream ([publish])
  libgtest-dev libgmock-dev
  # tools/format (run first by tools/test) and tools/tidy: one LLVM version, the fuzzers' 16
  clang-format-16 clang-tidy-16
  # run and test: a real server, real clients
  mariadb-server mariadb-client python3 python3-pymysql sysbench
  libmariadb-dev  # Connector/C, for the C++ test client in tests/integration/clients
  # more real clients through gracewire (test_tls_clients): Connector/J, the Go driver, and
  # Node.js for npm's mysql2 and mariadb (tools/install-node-clients.sh)
  default-jre-headless libmariadb-java golang-go golang-github-go-sql-driver-mysql-dev
  openssl         # tools/sandbox-mariadb --tls makes a throwaway CA
  # benchmark baseline
  haproxy
  prometheus  # the metrics endpoint's test: a real Prometheus scrapes gracewire
  nats-server  # the publisher's tests: a real JetStream server
  procps iproute2 ca-certificates
)

if [[ ${1:-} == --fuzz ]]; then
  # libFuzzer. Clang 16, not Debian 12's default 14, which cannot compile libstdc++'s
  # <expected> (tests/fuzz/fuzz_flags.cmake). The normal build replays the corpora without it.
  packages+=(clang-16 libclang-rt-16-dev)
fi

# Node.js may come from elsewhere (NodeSource's packages bundle npm and conflict with Debian's):
# Debian's only when there is no node and npm at all.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

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
# Without a policy-rc.d, installing mariadb-server or haproxy would try to start the packaged
# services. We never use them (tools/sandbox-mariadb starts throwaway servers), so deny service
# starts for the duration of the install, the way Debian's container images do.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# temporary, from gracewire tools/install-deps.sh\nexit 101\n' |
    "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
fi
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

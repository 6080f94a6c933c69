#!/usr/bin/env bash
# Benchmark (not a test): sysbench oltp_point_select directly, through gracewire, and through HAProxy
# in TCP mode, at several thread counts, in one run. Prints QPS, p50/p95 latency, the ratio of each
# to direct, and the proxies' CPU time per query (utime+stime from /proc/<pid>/stat / queries).
#
#   tools/bench.sh [--time SECONDS] [--threads "1 16 64"] [--table-size ROWS] [--no-haproxy]
#                  [--tls] [--gracewire PATH] [--upstream HOST:PORT --user U --password P --database D]
#
# --tls: every client connects with TLS (sysbench --mysql-ssl=on) to a throwaway MariaDB with TLS;
# gracewire terminates it with the server's own certificate and speaks TLS upstream (as_client),
# HAProxy passes the client's TLS through untouched (it cannot see inside MySQL's STARTTLS).
#
# Without --upstream it starts its own throwaway MariaDB (tools/sandbox-mariadb). With --upstream it
# creates and drops table sbtest1 in the given database. Everything listens on loopback only.
# Time: about (targets x thread counts x --time) + 20 s; 10 s runs take about two minutes.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
duration=10
threads_list="1 16 64"
table_size=10000
use_haproxy=1
use_tls=0
gracewire_bin=$root/build/gracewire
upstream="" user="" password="" database=""

die() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }
usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while (($#)); do
  case $1 in
    --time) duration=$2; shift 2 ;;
    --threads) threads_list=$2; shift 2 ;;
    --table-size) table_size=$2; shift 2 ;;
    --no-haproxy) use_haproxy=0; shift ;;
    --tls) use_tls=1; shift ;;
    --gracewire) gracewire_bin=$(realpath "$2"); shift 2 ;;
    --upstream) upstream=$2; shift 2 ;;
    --user) user=$2; shift 2 ;;
    --password) password=$2; shift 2 ;;
    --database) database=$2; shift 2 ;;
    -h|--help) usage ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
[[ $duration =~ ^[0-9]+$ && $duration -gt 0 ]] || die "--time takes whole seconds"
command -v sysbench >/dev/null || die "sysbench not found; run tools/install-deps.sh"
if ((use_haproxy)) && ! command -v haproxy >/dev/null; then
  say "haproxy not installed, skipping it"
  use_haproxy=0
fi
if [[ ! -x $gracewire_bin ]]; then
  say "building gracewire"
  cmake -S "$root" -B "$root/build" >/dev/null
  cmake --build "$root/build" --parallel "$(nproc)" --target gracewire >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gracewire-bench.XXXXXX")
sandbox_dir="" gw_pid="" hp_pid="" prepared=0

sysbench_base=()  # set once the server is known
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((prepared)); then
    sysbench oltp_point_select "${sysbench_base[@]}" --mysql-port="$server_port" cleanup \
      >/dev/null 2>&1 || true
  fi
  for pid in $gw_pid $hp_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [[ -z $sandbox_dir ]] || "$root/tools/sandbox-mariadb" stop "$sandbox_dir" || true
  rm -rf -- "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() {  # a TCP connect succeeds, or the process died, within 15 s
  local port=$1 pid=$2 deadline=$((SECONDS + 15))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

cpu_ticks() {  # utime + stime of a process, in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# --- the server -------------------------------------------------------------------------------------
if [[ -z $upstream ]]; then
  say "starting a throwaway MariaDB"
  tls_flag=()
  ((use_tls)) && tls_flag=(--tls)
  "$root/tools/sandbox-mariadb" start "${tls_flag[@]}" -- --innodb-buffer-pool-size=128M \
    --max-connections=1000 >"$work/sandbox.env"
  sandbox_dir=$(sed -n 's/^DIR=//p' "$work/sandbox.env")
  server_host=127.0.0.1
  server_port=$(sed -n 's/^PORT=//p' "$work/sandbox.env")
  user=$(sed -n 's/^USER=//p' "$work/sandbox.env")
  password=$(sed -n 's/^PASSWORD=//p' "$work/sandbox.env")
  database=$(sed -n 's/^DATABASE=//p' "$work/sandbox.env")
else
  ((!use_tls)) || die "--tls needs the throwaway server (no --upstream)"
  [[ $upstream == *:* && $upstream != /* ]] || die "--upstream takes HOST:PORT"
  [[ -n $user && -n $database ]] || die "--upstream needs --user, --password and --database"
  server_host=${upstream%:*}
  server_port=${upstream##*:}
fi
sysbench_base=(--db-driver=mysql --mysql-host="$server_host" --mysql-user="$user"
               --mysql-password="$password" --mysql-db="$database"
               --tables=1 --table-size="$table_size")
if ((use_tls)); then
  # sysbench 1.0's --mysql-ssl=on reads cacert.pem, client-cert.pem and client-key.pem from the
  # directory it runs in: the sandbox's CA, and a client certificate it signs.
  mkdir "$work/tls"
  cp "$sandbox_dir/ca.pem" "$work/tls/cacert.pem"
  openssl req -newkey rsa:2048 -nodes -subj /CN=sysbench -keyout "$work/tls/client-key.pem" \
    -out "$work/tls/client-req.pem" 2>/dev/null
  openssl x509 -req -in "$work/tls/client-req.pem" -CA "$sandbox_dir/ca.pem" \
    -CAkey "$sandbox_dir/ca-key.pem" -CAcreateserial -days 1 -out "$work/tls/client-cert.pem" \
    2>/dev/null
  cd "$work/tls"
  sysbench_base+=(--mysql-ssl=on)
fi

say "preparing sbtest1 ($table_size rows)"
sysbench oltp_point_select "${sysbench_base[@]}" --mysql-port="$server_port" prepare >/dev/null
prepared=1
# warm the buffer pool and the server's thread cache before anything is measured
sysbench oltp_point_select "${sysbench_base[@]}" --mysql-port="$server_port" --threads=4 --time=2 \
  run >/dev/null

# --- the proxies ------------------------------------------------------------------------------------
targets=("direct:$server_port")
gw_port=$(free_port)
gw_config=()
if ((use_tls)); then
  printf '[listener]\ntls_cert = "%s"\ntls_key = "%s"\n' "$sandbox_dir/cert.pem" \
    "$sandbox_dir/key.pem" >"$work/gracewire.toml"
  gw_config=(--config "$work/gracewire.toml")
fi
setsid "$gracewire_bin" "${gw_config[@]}" --listen "127.0.0.1:$gw_port" \
  --upstream "$server_host:$server_port" --log-level warn </dev/null >"$work/gracewire.log" 2>&1 &
gw_pid=$!
wait_for_port "$gw_port" "$gw_pid" || { cat "$work/gracewire.log" >&2; die "gracewire did not start"; }
targets+=("gracewire:$gw_port")

if ((use_haproxy)); then
  hp_port=$(free_port)
  cat >"$work/haproxy.cfg" <<EOF
global
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
frontend mysql_in
  bind 127.0.0.1:$hp_port
  default_backend mysql_out
backend mysql_out
  server db $server_host:$server_port
EOF
  setsid haproxy -db -f "$work/haproxy.cfg" </dev/null >"$work/haproxy.log" 2>&1 &
  hp_pid=$!
  wait_for_port "$hp_port" "$hp_pid" || { cat "$work/haproxy.log" >&2; die "haproxy did not start"; }
  targets+=("haproxy:$hp_port")
fi

# --- the runs ---------------------------------------------------------------------------------------
# Prints: queries qps p50_ms p95_ms errors, from a sysbench report with --histogram=on.
summarize() {
  /usr/bin/python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
queries, qps = re.search(r"^\s*queries:\s+(\d+)\s+\(([\d.]+) per sec", text, re.M).groups()
errors = re.search(r"^\s*ignored errors:\s+(\d+)", text, re.M).group(1)
hist = [(float(v), int(c)) for v, c in
        re.findall(r"^\s*([\d.]+)\s+\|\**\s+(\d+)\s*$", text.split("Latency histogram")[1], re.M)]
total = sum(c for _, c in hist)
def percentile(p):
    seen = 0
    for value, count in hist:
        seen += count
        if seen >= p * total:
            return value
    return float("nan")
print(queries, qps, percentile(0.50), percentile(0.95), errors)
PY
}

ntargets=${#targets[@]}
nthreads=$(wc -w <<<"$threads_list")
say "running $((ntargets * nthreads)) runs of $duration s (about $((ntargets * nthreads * (duration + 2))) s)"
results=$work/results
: >"$results"
round=0
for threads in $threads_list; do
  # Rotate the order per thread count, so no target always runs first (or right after another).
  for ((k = 0; k < ntargets; k++)); do
    index=$(((k + round) % ntargets))
    target=${targets[index]}
    name=${target%%:*}
    port=${target##*:}
    pid=""
    [[ $name == gracewire ]] && pid=$gw_pid
    [[ $name == haproxy ]] && pid=$hp_pid
    before=0
    [[ -z $pid ]] || before=$(cpu_ticks "$pid")
    out=$work/$name-$threads.txt
    timeout $((duration + 60)) sysbench oltp_point_select "${sysbench_base[@]}" \
      --mysql-host=127.0.0.1 --mysql-port="$port" --threads="$threads" --time="$duration" \
      --report-interval=0 --histogram=on run >"$out" 2>&1 || { cat "$out" >&2; die "sysbench failed ($name, $threads threads)"; }
    cpu="-"
    read -r queries qps p50 p95 errors < <(summarize "$out")
    if [[ -n $pid ]]; then
      after=$(cpu_ticks "$pid")
      cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v q="$queries" \
        'BEGIN { printf "%.1f", t / hz / q * 1e6 }')
    fi
    echo "$threads $index $name $qps $p50 $p95 $errors $cpu" >>"$results"
    say "$threads threads, $name: $qps QPS"
  done
  round=$((round + 1))
done

# --- the table --------------------------------------------------------------------------------------
echo
((use_tls)) && echo "Every client connection uses TLS (sysbench --mysql-ssl=on); gracewire's server leg too."
echo "sysbench oltp_point_select, 1 table x $table_size rows, $duration s per run; sysbench, proxies and"
echo "server share this machine's $(nproc) CPUs over loopback. Ratios are to direct at the same thread count;"
echo "CPU is the proxy's user+system time (/proc/<pid>/stat, $((1000 / $(getconf CLK_TCK))) ms ticks) divided by the run's queries."
echo
awk '
  BEGIN {
    printf "%7s  %-9s  %10s  %7s  %7s  %7s  %7s  %7s  %6s  %11s\n", "threads", "target", "QPS", "p50 ms",
      "p95 ms", "QPS x", "p50 x", "p95 x", "errors", "CPU us/query"
  }
  $3 == "direct" { dq = $4; d50 = $5; d95 = $6 }
  {
    printf "%7s  %-9s  %10.0f  %7.3f  %7.3f  %7.2f  %7.2f  %7.2f  %6s  %11s\n", $1, $3, $4, $5, $6,
      $4 / dq, (d50 > 0 ? $5 / d50 : 0), (d95 > 0 ? $6 / d95 : 0), $7, $8
  }' < <(sort -k1,1n -k2,2n "$results")

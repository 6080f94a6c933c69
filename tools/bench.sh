#!/usr/bin/env bash
# Benchmark (not a test): sysbench oltp_point_select directly, through gracewire, and through HAProxy
# in TCP mode, at several thread counts, in one run. Each measurement runs K times, alternating with
# the others, and the table gives medians: QPS, p50/p95 latency, each ratio to direct, and the CPU
# time per query of the proxy and of the server (utime+stime from /proc/<pid>/stat / queries).
#
#   tools/bench.sh [--time SECONDS] [--runs K] [--threads "1 16 64"] [--table-size ROWS]
#                  [--no-haproxy] [--tls [--connect-threads N]] [--publish] [--gracewire PATH]
#                  [--upstream HOST:PORT --user U --password P --database D]
#
# --tls: every client connects with TLS (sysbench --mysql-ssl=on) to a throwaway MariaDB with TLS,
# and the targets are direct; gracewire with TLS on both legs (gw-both, upstream tls_mode
# "as_client"); gracewire with TLS on the client leg only (gw-client, upstream tls_mode
# "disabled"); HAProxy passing the client's TLS through (it cannot see inside MySQL's STARTTLS).
# Then also new connections per second, each one TCP + TLS + login + one point select + COM_QUIT
# (N sysbench threads, default 4): directly, and through gracewire (client leg only) with an
# ECDSA P-256 and with an RSA 2048 listener certificate.
#
# Without --tls, gracewire runs twice: "gracewire" with its default of one event loop per CPU
# (listener.loops = 0) and "gw-1loop" with one, to show what the loops add.
#
# --publish: what publishing to NATS JetStream costs. "gw-file" writes the event log (a lifecycle
# and an audit record per query) to a file; "gw-nats" writes the same file and publishes every
# record to a throwaway nats-server with JetStream (file storage, acknowledged publishes). Then
# also the records per second the stream acknowledged during gw-nats's runs, and its drops.
#
# Without --upstream it starts its own throwaway MariaDB (tools/sandbox-mariadb). With --upstream it
# creates and drops table sbtest1 in the given database. Everything listens on loopback only.
# Time: about K x (targets x thread counts [+ 3 with --tls]) x (--time + 1) s + 20 s; with the
# defaults (K = 3, 5 s runs) about 4 minutes, 4 to 5 with --tls.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
duration=5
runs=3
threads_list="1 16 64"
connect_threads=4
table_size=10000
use_haproxy=1
use_tls=0
use_publish=0
gracewire_bin=$root/build/gracewire
upstream="" user="" password="" database=""

die() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }
usage() {  # the header comment above, up to `set`
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
  exit 2
}

while (($#)); do
  case $1 in
    --time) duration=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --threads) threads_list=$2; shift 2 ;;
    --connect-threads) connect_threads=$2; shift 2 ;;
    --table-size) table_size=$2; shift 2 ;;
    --no-haproxy) use_haproxy=0; shift ;;
    --tls) use_tls=1; shift ;;
    --publish) use_publish=1; shift ;;
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
[[ $runs =~ ^[0-9]+$ && $runs -gt 0 ]] || die "--runs takes a positive count"
[[ $connect_threads =~ ^[0-9]+$ && $connect_threads -gt 0 ]] ||
  die "--connect-threads takes a positive count"
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
sandbox_dir="" server_pid="" prepared=0 nats_pid=""
# Per target name: where sysbench connects, and the proxy process whose CPU time is charged to it.
declare -A target_host target_port target_proxy

sysbench_base=()  # set once the server is known
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((prepared)); then
    sysbench oltp_point_select "${sysbench_base[@]}" --mysql-port="$server_port" cleanup \
      >/dev/null 2>&1 || true
  fi
  for pid in "${target_proxy[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [[ -z $sandbox_dir ]] || "$root/tools/sandbox-mariadb" stop "$sandbox_dir" || true
  if [[ -n $nats_pid ]]; then
    kill -TERM "$nats_pid" 2>/dev/null || true
    wait "$nats_pid" 2>/dev/null || true
  fi
  rm -rf -- "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

. "$root/tools/bench-common.sh"  # free_port, wait_for_port, cpu_ticks

# A key and a certificate for localhost/127.0.0.1 signed by the sandbox's CA, as
# $work/tls/NAME-{key,cert}.pem. The rest are openssl req -newkey's arguments (the key type).
make_cert() {  # NAME NEWKEY-ARGS...
  local name=$1
  shift
  openssl req -newkey "$@" -nodes -subj "/CN=$name" -keyout "$work/tls/$name-key.pem" \
    -out "$work/tls/$name-req.pem" 2>/dev/null
  openssl x509 -req -in "$work/tls/$name-req.pem" -CA "$sandbox_dir/ca.pem" \
    -CAkey "$sandbox_dir/ca-key.pem" -CAcreateserial -days 1 -extfile "$work/tls/san.ext" \
    -out "$work/tls/$name-cert.pem" 2>/dev/null
}

# --- the server -------------------------------------------------------------------------------------
if [[ -z $upstream ]]; then
  say "starting a throwaway MariaDB"
  tls_flag=()
  ((use_tls)) && tls_flag=(--tls)
  "$root/tools/sandbox-mariadb" start "${tls_flag[@]}" -- --innodb-buffer-pool-size=128M \
    --max-connections=1000 >"$work/sandbox.env"
  sandbox_dir=$(sed -n 's/^DIR=//p' "$work/sandbox.env")
  server_pid=$(sed -n 's/^PID=//p' "$work/sandbox.env")
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
target_host[direct]=$server_host
target_port[direct]=$server_port
sysbench_base=(--db-driver=mysql --mysql-host="$server_host" --mysql-user="$user"
               --mysql-password="$password" --mysql-db="$database"
               --tables=1 --table-size="$table_size")
if ((use_tls)); then
  # sysbench 1.0's --mysql-ssl=on reads cacert.pem, client-cert.pem and client-key.pem from the
  # directory it runs in: the sandbox's CA, and a client certificate it signs.
  mkdir "$work/tls"
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$work/tls/san.ext"
  cp "$sandbox_dir/ca.pem" "$work/tls/cacert.pem"
  make_cert client rsa:2048
  # gracewire's listener certificates. The server's own (from the sandbox) is RSA 2048 too.
  make_cert rsa rsa:2048
  make_cert ecdsa ec -pkeyopt ec_paramgen_curve:P-256
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
# gracewire as target NAME, with LOOPS event loops (0: one per CPU). With --tls, its listener
# presents CERT (a name given to make_cert) and its upstream leg uses UPSTREAM_TLS ([upstream]
# tls_mode).
start_gracewire() {  # NAME LOOPS [CERT UPSTREAM_TLS]
  local name=$1 loops=$2 config=()
  shift
  if (($# > 1)); then
    printf '[listener]\ntls_cert = "%s"\ntls_key = "%s"\n\n[upstream]\ntls_mode = "%s"\n' \
      "$work/tls/$2-cert.pem" "$work/tls/$2-key.pem" "$3" >"$work/$name.toml"
    config=(--config "$work/$name.toml")
  fi
  target_host[$name]=127.0.0.1
  target_port[$name]=$(free_port)
  setsid "$gracewire_bin" "${config[@]}" --listen "127.0.0.1:${target_port[$name]}" \
    --upstream "$server_host:$server_port" --log-level warn --admin "" --loops "$loops" \
    </dev/null >"$work/$name.log" 2>&1 &
  target_proxy[$name]=$!
  wait_for_port "${target_port[$name]}" "${target_proxy[$name]}" ||
    { cat "$work/$name.log" >&2; die "gracewire ($name) did not start"; }
}

# gracewire as target NAME with its event log in a file, and with PUBLISH set, published to the
# nats-server at $nats_url too; its admin endpoint on target_admin[NAME].
declare -A target_admin
start_gracewire_logging() {  # NAME [PUBLISH]
  local name=$1
  printf '[event_log]\npath = "%s"\n' "$work/$name.jsonl" >"$work/$name.toml"
  if (($# > 1)); then
    printf '\n[publish]\nnats_url = "%s"\ncreate_stream = true\ninstance = "bench"\n' \
      "$nats_url" >>"$work/$name.toml"
  fi
  target_host[$name]=127.0.0.1
  target_port[$name]=$(free_port)
  target_admin[$name]=$(free_port)
  setsid "$gracewire_bin" --config "$work/$name.toml" --listen "127.0.0.1:${target_port[$name]}" \
    --upstream "$server_host:$server_port" --log-level warn \
    --admin "127.0.0.1:${target_admin[$name]}" </dev/null >"$work/$name.log" 2>&1 &
  target_proxy[$name]=$!
  wait_for_port "${target_port[$name]}" "${target_proxy[$name]}" ||
    { cat "$work/$name.log" >&2; die "gracewire ($name) did not start"; }
}

metric() {  # TARGET NAME: the value of one sample on TARGET's /metrics
  /usr/bin/python3 - "${target_admin[$1]}" "$2" <<'PY'
import sys, urllib.request
page = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=5).read().decode()
print(next((l.split()[-1] for l in page.splitlines() if l.startswith(sys.argv[2] + " ")), "0"))
PY
}

start_haproxy() {
  target_host[haproxy]=127.0.0.1
  target_port[haproxy]=$(free_port)
  cat >"$work/haproxy.cfg" <<EOF
global
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
frontend mysql_in
  bind 127.0.0.1:${target_port[haproxy]}
  default_backend mysql_out
backend mysql_out
  server db $server_host:$server_port
EOF
  setsid haproxy -db -f "$work/haproxy.cfg" </dev/null >"$work/haproxy.log" 2>&1 &
  target_proxy[haproxy]=$!
  wait_for_port "${target_port[haproxy]}" "${target_proxy[haproxy]}" ||
    { cat "$work/haproxy.log" >&2; die "haproxy did not start"; }
}

qps_targets=(direct)  # point-select QPS, at each thread count
conn_targets=()       # new connections per second (--tls only)
declare -A cert_label=([direct]="RSA 2048 (MariaDB's)")
if ((use_tls)); then
  start_gracewire gw-both 0 rsa as_client
  start_gracewire gw-client 0 rsa disabled
  qps_targets+=(gw-both gw-client)
  # Two more instances, client leg only, so that the listener's certificate is the only
  # difference between them and no upstream TLS handshake hides its cost.
  start_gracewire gw-ecdsa 0 ecdsa disabled
  start_gracewire gw-rsa 0 rsa disabled
  conn_targets=(direct gw-ecdsa gw-rsa)
  cert_label[gw-ecdsa]="ECDSA P-256"
  cert_label[gw-rsa]="RSA 2048"
elif ((use_publish)); then
  [[ -x /usr/sbin/nats-server ]] || die "nats-server not found; run tools/install-deps.sh"
  nats_port=$(free_port)
  nats_url="nats://127.0.0.1:$nats_port"
  setsid /usr/sbin/nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$work/nats" \
    </dev/null >"$work/nats.log" 2>&1 &
  nats_pid=$!
  wait_for_port "$nats_port" "$nats_pid" ||
    { cat "$work/nats.log" >&2; die "nats-server did not start"; }
  start_gracewire_logging gw-file
  start_gracewire_logging gw-nats publish
  qps_targets+=(gw-file gw-nats)
else
  start_gracewire gracewire 0
  start_gracewire gw-1loop 1
  qps_targets+=(gracewire gw-1loop)
fi
if ((use_haproxy)); then
  start_haproxy
  qps_targets+=(haproxy)
fi

# sysbench 1.0.20's oltp scripts have no --reconnect (1.1 added it), so new connections are
# measured with this script: one event = connect (TCP, TLS with --mysql-ssl=on, login), one
# point select, COM_QUIT and close. It accepts --tables/--table-size like oltp_point_select.
cat >"$work/connect.lua" <<'EOF'
sysbench.cmdline.options = {
  tables = {"Number of tables (only sbtest1 is used)", 1},
  table_size = {"Number of rows in sbtest1", 10000},
}

function thread_init()
  drv = sysbench.sql.driver()
end

function event()
  local con = drv:connect()
  con:query(string.format("SELECT c FROM sbtest1 WHERE id=%d",
                          sysbench.rand.default(1, sysbench.opt.table_size)))
  con:disconnect()
end
EOF

# --- the runs ---------------------------------------------------------------------------------------
# Prints: events events_per_s queries qps p50_ms p95_ms errors, from a sysbench report with
# --histogram=on.
summarize() {
  /usr/bin/python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
events, eps = re.search(r"^\s*transactions:\s+(\d+)\s+\(([\d.]+) per sec", text, re.M).groups()
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
print(events, eps, queries, qps, percentile(0.50), percentile(0.95), errors)
PY
}

# One sysbench run against TARGET; appends to $results the line
#   KIND threads target run count rate p50_ms p95_ms errors proxy_ticks server_ticks client_cpu_s
# KIND "qps" runs oltp_point_select and counts queries; "conn" runs connect.lua and counts
# connections. The CPU figures are raw, for this run; the report divides them by count.
measure() {  # KIND THREADS TARGET RUN
  local kind=$1 threads=$2 target=$3 run=$4
  local script=oltp_point_select unit=QPS out=$work/$kind-$threads-$target-$run.txt
  [[ $kind == conn ]] && script=$work/connect.lua unit="connections/s"
  local proxy=${target_proxy[$target]:-} proxy_before server_before rc=0
  proxy_before=$(cpu_ticks "$proxy")
  server_before=$(cpu_ticks "$server_pid")
  # bash's `time` gives sysbench's own CPU (the client's share of the machine)
  local TIMEFORMAT='%3U %3S'
  { time timeout $((duration + 60)) sysbench "$script" "${sysbench_base[@]}" \
      --mysql-host="${target_host[$target]}" --mysql-port="${target_port[$target]}" \
      --threads="$threads" --time="$duration" --report-interval=0 --histogram=on run \
      >"$out" 2>&1 || rc=$?; } 2>"$out.time"
  ((rc == 0)) || { cat "$out" >&2; die "sysbench failed ($kind, $target, $threads threads)"; }
  local proxy_ticks=- server_ticks=- client_cpu events eps queries qps p50 p95 errors
  [[ -z $proxy ]] || proxy_ticks=$(($(cpu_ticks "$proxy") - proxy_before))
  [[ -z $server_pid ]] || server_ticks=$(($(cpu_ticks "$server_pid") - server_before))
  client_cpu=$(awk '{ print $1 + $2 }' "$out.time")
  read -r events eps queries qps p50 p95 errors < <(summarize "$out")
  if [[ $kind == conn ]]; then queries=$events qps=$eps; fi
  echo "$kind $threads $target $run $queries $qps $p50 $p95 $errors" \
    "$proxy_ticks $server_ticks $client_cpu" >>"$results"
  say "run $((run + 1))/$runs, $threads threads, $target: $qps $unit"
}

# Runs every measurement once per round, so that each one's K samples are spread over the whole
# benchmark (others' load on a shared machine comes and goes), and rotates the order of the targets
# by round and thread count, so that no target always runs first or right after the same other.
run_all() {
  local run ti k threads
  local -a threads_arr
  read -r -a threads_arr <<<"$threads_list"
  for ((run = 0; run < runs; run++)); do
    for ((ti = 0; ti < ${#threads_arr[@]}; ti++)); do
      threads=${threads_arr[ti]}
      for ((k = 0; k < ${#qps_targets[@]}; k++)); do
        measure qps "$threads" "${qps_targets[(k + run + ti) % ${#qps_targets[@]}]}" "$run"
      done
    done
    for ((k = 0; k < ${#conn_targets[@]}; k++)); do
      measure conn "$connect_threads" "${conn_targets[(k + run) % ${#conn_targets[@]}]}" "$run"
    done
  done
}

results=$work/results
: >"$results"
nruns=$((runs * ($(wc -w <<<"$threads_list") * ${#qps_targets[@]} + ${#conn_targets[@]})))
say "$nruns runs of $duration s (about $((nruns * (duration + 1))) s)"
run_all

# --- the tables -------------------------------------------------------------------------------------
# Medians per (kind, threads, target) of each column separately; spread is (max - min) / median of
# the rate over the K runs, the noise to read the differences against.
report() {  # KIND TARGETS...
  /usr/bin/python3 - "$results" "$(getconf CLK_TCK)" "$@" <<'PY'
import statistics, sys
from collections import defaultdict
path, hz, kind, order = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
labels = dict(arg.split("=", 1) for arg in order if "=" in arg)
order = [arg.split("=", 1)[0] for arg in order]
runs = defaultdict(list)
for line in open(path):
    f = line.split()
    if f[0] == kind:
        runs[(int(f[1]), f[2])].append(f)

def per_unit(value, count, scale):
    return None if value == "-" else float(value) / scale / int(count) * 1e6

def medians(samples):
    rates = [float(f[5]) for f in samples]
    def med(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None
    return {
        "rate": statistics.median(rates),
        "spread": (max(rates) - min(rates)) / statistics.median(rates) * 100,
        "p50": med(float(f[6]) for f in samples),
        "p95": med(float(f[7]) for f in samples),
        "errors": sum(int(f[8]) for f in samples),
        "proxy": med(per_unit(f[9], f[4], hz) for f in samples),
        "server": med(per_unit(f[10], f[4], hz) for f in samples),
        "client": med(per_unit(f[11], f[4], 1) for f in samples),
    }

def us(value):
    return "-" if value is None else f"{value:.1f}"

def ratio(a, b):
    return a / b if b else float("nan")

if kind == "qps":
    print(f"{'threads':>7}  {'target':<9}  {'QPS':>8}  {'spread':>6}  {'p50 ms':>7}  {'p95 ms':>7}"
          f"  {'QPS x':>5}  {'p50 x':>5}  {'p95 x':>5}  {'errors':>6}  {'proxy us':>8}"
          f"  {'server us':>9}")
    for threads in sorted({t for t, _ in runs}):
        base = medians(runs[(threads, order[0])])
        for target in order:
            m = medians(runs[(threads, target)])
            print(f"{threads:>7}  {target:<9}  {m['rate']:>8.0f}  {m['spread']:>5.0f}%"
                  f"  {m['p50']:>7.3f}  {m['p95']:>7.3f}  {ratio(m['rate'], base['rate']):>5.2f}"
                  f"  {ratio(m['p50'], base['p50']):>5.2f}  {ratio(m['p95'], base['p95']):>5.2f}"
                  f"  {m['errors']:>6}  {us(m['proxy']):>8}  {us(m['server']):>9}")
else:
    (threads,) = {t for t, _ in runs}
    print(f"{'target':<9}  {'listener certificate':<20}  {'conn/s':>7}  {'spread':>6}"
          f"  {'conn x':>6}  {'errors':>6}  {'proxy us':>9}  {'server us':>9}  {'client us':>9}")
    m = {target: medians(runs[(threads, target)]) for target in order}
    for target in order:
        r = m[target]
        print(f"{target:<9}  {labels.get(target, ''):<20}  {r['rate']:>7.0f}  {r['spread']:>5.0f}%"
              f"  {ratio(r['rate'], m[order[0]]['rate']):>6.2f}  {r['errors']:>6}"
              f"  {us(r['proxy']):>9}  {us(r['server']):>9}  {us(r['client']):>9}")
    if "gw-rsa" in m and "gw-ecdsa" in m:
        rsa, ecdsa = m["gw-rsa"], m["gw-ecdsa"]
        print(f"\nRSA / ECDSA through gracewire: conn/s x{ratio(rsa['rate'], ecdsa['rate']):.2f}, "
              f"gracewire CPU per connection x{ratio(rsa['proxy'], ecdsa['proxy']):.2f}")
PY
}

echo
if ((use_tls)); then
  cat <<EOF
Every client connection uses TLS (sysbench --mysql-ssl=on). gw-both: gracewire with TLS on both
legs (upstream as_client); gw-client: TLS on the client leg only (upstream disabled); haproxy:
TLS passed through to the server.
EOF
fi
cat <<EOF
sysbench oltp_point_select, 1 table x $table_size rows; medians of $runs alternating runs of $duration s.
sysbench, proxies and server share this machine's $(nproc) CPUs over loopback. Ratios are to direct
at the same thread count; spread is (max - min) / median of the runs' QPS. CPU is each process's
user+system time (/proc/<pid>/stat, $((1000 / $(getconf CLK_TCK))) ms ticks) divided by the run's queries, in us.

EOF
report qps "${qps_targets[@]}"
if ((${#conn_targets[@]})); then
  cat <<EOF

New connections per second, $connect_threads sysbench threads, medians of $runs alternating runs of $duration s:
each event is one new connection (TCP, TLS, login, one point select, COM_QUIT). gw-*: TLS on the
client leg only. MariaDB also asks for sysbench's client certificate (RSA 2048), gracewire does
not. CPU per connection, in us, of gracewire (proxy), MariaDB (server) and sysbench (client).

EOF
  labelled=()
  for target in "${conn_targets[@]}"; do labelled+=("$target=${cert_label[$target]}"); done
  report conn "${labelled[@]}"
fi
if ((use_publish)); then
  # Everything gw-nats wrote, acknowledged: wait for the last acknowledgements (bounded). Lines
  # are counted by the event log's writer as it hands them to the publisher: the file may not
  # hold the last ones yet (a flush interval), and the publisher's progress file is beside it.
  for _ in $(seq 50); do
    acked=$(metric gw-nats gracewire_publish_records_total)
    written=$(metric gw-nats gracewire_event_log_lines_written_total)
    (($(metric gw-nats gracewire_event_log_queue_records) == 0 && acked >= written)) &&
      (($(metric gw-nats gracewire_publish_pending_records) == 0)) && break
    sleep 0.2
  done
  dropped=$(metric gw-nats gracewire_publish_records_dropped_total)
  seconds=$((runs * $(wc -w <<<"$threads_list") * duration))
  nats_us=$((($(cpu_ticks "$nats_pid") * 1000000 / $(getconf CLK_TCK)) / (acked > 0 ? acked : 1)))
  cat <<EOF

Publishing (gw-nats): $written records written to its event log, $acked acknowledged by the
JetStream stream, $dropped dropped; $((acked / seconds)) records/s acknowledged over its $seconds s
of runs (at the records' own pace: an audit record per query, and each connection's lifecycle
records).
nats-server (same machine, file storage) used $nats_us us of CPU per record, not in the table.
EOF
fi

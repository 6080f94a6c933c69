#!/usr/bin/env bash
# Benchmark (not a test): how fast gracewire's binlog follower turns a large binlog into change
# records, side by side with mariadb-binlog decoding the same file, in one run. Reports rows/s,
# binlog MB/s and peak RSS of each, as the median of alternating runs.
#
#   tools/bench-binlog.sh [--rows N] [--runs K] [--publish] [--gracewire PATH]
#
# It starts its own throwaway MariaDB (tools/sandbox-mariadb; loopback only), writes one
# transaction of N rows (default 1,000,000) over five column types (INT, BIGINT, VARCHAR,
# DECIMAL, DATETIME(6)) into a fresh binlog file, then alternates K times (default 3):
#   gracewire binlog --from FILE:4 --to FILE:END   (the dump over TCP, records to /dev/null)
#   mariadb-binlog --base64-output=decode-rows -v FILE   (reads the file, text to /dev/null)
# gracewire's peak RSS is the one the 1M-row transaction costs: rows stream, none is held.
#
# --publish: also the follower (gracewire serving, [binlog] enabled, starting at FILE:4) until
# its checkpoint passes the transaction, alternating K times:
#   follow-file   change records to a file;
#   follow-nats   the same file, and every record published to a throwaway nats-server with
#                 JetStream (file storage, a fresh store per run): the checkpoint moves only
#                 once the stream acknowledged the rows before it, so this is rows published
#                 and acknowledged per second.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=1000000
runs=3
use_publish=0
gracewire_bin=$root/build/gracewire

die() { echo "bench-binlog: $*" >&2; exit 1; }
say() { echo "bench-binlog: $*" >&2; }

while (($#)); do
  case $1 in
    --rows) rows=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --gracewire) gracewire_bin=$2; shift 2 ;;
    --publish) use_publish=1; shift ;;
    -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
[[ -x $gracewire_bin ]] || die "no gracewire binary at $gracewire_bin (build first, or --gracewire)"
command -v mariadb-binlog >/dev/null || die "mariadb-binlog not found (tools/install-deps.sh)"

((use_publish)) && { [[ -x /usr/sbin/nats-server ]] || die "nats-server not found (tools/install-deps.sh)"; }

work=$(mktemp -d /tmp/gw-bench-binlog.XXXXXX)
sandbox_dir="" nats_pid="" follower_pid=""
stop_pid() {  # PID: SIGTERM, and wait for it
  [[ -n $1 ]] || return 0
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  stop_pid "$follower_pid"
  stop_pid "$nats_pid"
  [[ -n $sandbox_dir ]] && "$root/tools/sandbox-mariadb" stop "$sandbox_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

say "starting a throwaway MariaDB"
env_lines=$("$root/tools/sandbox-mariadb" start -- --max-binlog-size=1073741824)
eval "$(echo "$env_lines" | sed 's/^/sb_/')"
sandbox_dir=$sb_DIR
admin=(mariadb --no-defaults --socket="$sb_SOCKET" -u "$sb_ADMIN_USER" --batch --skip-column-names)

"${admin[@]}" <<SQL
CREATE USER 'gw_bench_binlog'@'%' IDENTIFIED BY 'bench-pw';
GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'gw_bench_binlog'@'%';
CREATE TABLE $sb_DATABASE.bench (id INT PRIMARY KEY, a BIGINT, b VARCHAR(32),
  c DECIMAL(12,2), d DATETIME(6)) ENGINE=InnoDB;
FLUSH BINARY LOGS;
SQL
file=$("${admin[@]}" -e "SHOW MASTER STATUS" | cut -f1)
say "writing one transaction of $rows rows into $file"
"${admin[@]}" "$sb_DATABASE" -e "SET SESSION max_statement_time = 0;
  INSERT INTO $sb_DATABASE.bench SELECT seq, seq * 1000003, CONCAT('row-', seq), seq / 7,
    TIMESTAMPADD(MICROSECOND, seq, '2026-01-01 00:00:00') FROM seq_1_to_$rows"
end=$("${admin[@]}" -e "SHOW MASTER STATUS" | cut -f2)
binlog_bytes=$((end - 4))
say "binlog $file: $binlog_bytes bytes"

cat >"$work/gracewire.toml" <<TOML
[upstream]
address = "$sb_HOST:$sb_PORT"
[log]
level = "warn"
[binlog]
user = "gw_bench_binlog"
password = "bench-pw"
server_id = 9191
path = "-"
TOML

# Runs a command with stdout to /dev/null; prints "<seconds> <peak RSS KiB>".
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
elapsed = time.monotonic() - start
if done.returncode != 0:
    sys.exit(f"{sys.argv[1]} exited with {done.returncode}")
print(f"{elapsed:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}

gw_results=() mb_results=()
for ((i = 1; i <= runs; i++)); do
  gw_results+=("$(measure "$gracewire_bin" binlog --config "$work/gracewire.toml" \
    --from "$file:4" --to "$file:$end")")
  mb_results+=("$(measure mariadb-binlog --no-defaults --base64-output=decode-rows -v \
    "$sb_DIR/$file")")
  say "run $i: gracewire ${gw_results[-1]}, mariadb-binlog ${mb_results[-1]} (seconds, KiB)"
done

report() {
  local name=$1; shift
  printf '%s\n' "$@" | python3 -c "
import statistics, sys
rows, size = $rows, $binlog_bytes
runs = [tuple(map(float, line.split())) for line in sys.stdin if line.strip()]
seconds = statistics.median(r[0] for r in runs)
rss = max(r[1] for r in runs)
print(f'{\"$name\":<16} {rows / seconds:>12,.0f} rows/s {size / seconds / 1e6:>8.1f} MB/s '
      f'{seconds:>7.2f} s  peak RSS {rss / 1024:>7.1f} MiB')
"
}
echo "decoding $rows rows ($binlog_bytes binlog bytes), median of $runs alternating runs:"
report gracewire "${gw_results[@]}"
report mariadb-binlog "${mb_results[@]}"

((use_publish)) || exit 0

. "$root/tools/bench-common.sh"  # free_port, wait_for_port, cpu_ticks
cpu_seconds() {  # PID: utime + stime of all its threads, in seconds
  awk -v ticks="$(cpu_ticks "$1")" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", ticks / hz }'
}

# Runs the follower as NAME (follow-file or follow-nats) from FILE:4 until its checkpoint passes
# the transaction; prints "<seconds> <gracewire CPU seconds> <nats-server CPU seconds>".
follow_once() {
  local name=$1 run_dir="$work/$1-run"
  rm -rf "$run_dir" && mkdir -p "$run_dir"
  cat >"$run_dir/gracewire.toml" <<TOML
[upstream]
address = "$sb_HOST:$sb_PORT"
[log]
level = "warn"
[event_log]
path = ""
[binlog]
enabled = true
user = "gw_bench_binlog"
password = "bench-pw"
server_id = 9192
start = "$file:4"
checkpoint = "$run_dir/checkpoint.json"
path = "$run_dir/changes.jsonl"
TOML
  nats_pid=""
  if [[ $name == follow-nats ]]; then
    local nats_port
    nats_port=$(free_port)
    setsid /usr/sbin/nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$run_dir/nats" \
      </dev/null >"$run_dir/nats.log" 2>&1 &
    nats_pid=$!
    wait_for_port "$nats_port" "$nats_pid" || { cat "$run_dir/nats.log" >&2; die "nats-server did not start"; }
    printf '[publish]\nnats_url = "nats://127.0.0.1:%s"\ncreate_stream = true\ninstance = "bench"\n' \
      "$nats_port" >>"$run_dir/gracewire.toml"
  fi
  local start=$EPOCHREALTIME
  "$gracewire_bin" --config "$run_dir/gracewire.toml" --listen "127.0.0.1:$(free_port)" \
    >"$run_dir/gracewire.log" 2>&1 &
  follower_pid=$!
  python3 - "$run_dir/checkpoint.json" "$end" "$follower_pid" <<'PY' || { cat "$run_dir/gracewire.log" >&2; die "$name did not reach the end"; }
import json, os, sys, time
path, end, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
deadline = time.monotonic() + 600
while time.monotonic() < deadline:
    try:
        if json.load(open(path))["binlog_pos"] >= end:
            sys.exit(0)
    except (OSError, ValueError, KeyError):
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    time.sleep(0.02)
sys.exit(1)
PY
  local elapsed gw_cpu nats_cpu="-"
  elapsed=$(python3 -c "print(f'{$EPOCHREALTIME - $start:.3f}')")
  gw_cpu=$(cpu_seconds "$follower_pid")
  [[ -n $nats_pid ]] && nats_cpu=$(cpu_seconds "$nats_pid")
  stop_pid "$follower_pid"; follower_pid=""
  stop_pid "$nats_pid"; nats_pid=""
  rm -rf "$run_dir/nats"
  echo "$elapsed $gw_cpu $nats_cpu"
}

file_results=() nats_results=()
for ((i = 1; i <= runs; i++)); do
  file_results+=("$(follow_once follow-file)")
  nats_results+=("$(follow_once follow-nats)")
  say "follower run $i: file ${file_results[-1]}, nats ${nats_results[-1]} (seconds, gracewire CPU s, nats-server CPU s)"
done
follow_report() {
  local name=$1; shift
  printf '%s\n' "$@" | python3 -c "
import statistics, sys
rows = $rows
runs = [line.split() for line in sys.stdin if line.strip()]
seconds = statistics.median(float(r[0]) for r in runs)
gw_cpu = statistics.median(float(r[1]) for r in runs)
nats = [float(r[2]) for r in runs if r[2] != '-']
extra = f'  nats-server {statistics.median(nats) * 1e6 / rows:5.1f} us CPU/row' if nats else ''
print(f'{\"$name\":<16} {rows / seconds:>12,.0f} rows/s {seconds:>7.2f} s  gracewire '
      f'{gw_cpu * 1e6 / rows:5.1f} us CPU/row{extra}')
"
}
echo "following $rows rows until the checkpoint passes them, median of $runs alternating runs:"
follow_report follow-file "${file_results[@]}"
follow_report follow-nats "${nats_results[@]}"

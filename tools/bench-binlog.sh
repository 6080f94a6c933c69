#!/usr/bin/env bash
# Benchmark (not a test): how fast gracewire's binlog follower turns a large binlog into change
# records, side by side with mariadb-binlog decoding the same file, in one run. Reports rows/s,
# binlog MB/s and peak RSS of each, as the median of alternating runs.
#
#   tools/bench-binlog.sh [--rows N] [--runs K] [--gracewire PATH]
#
# It starts its own throwaway MariaDB (tools/sandbox-mariadb; loopback only), writes one
# transaction of N rows (default 1,000,000) over five column types (INT, BIGINT, VARCHAR,
# DECIMAL, DATETIME(6)) into a fresh binlog file, then alternates K times (default 3):
#   gracewire binlog --from FILE:4 --to FILE:END   (the dump over TCP, records to /dev/null)
#   mariadb-binlog --base64-output=decode-rows -v FILE   (reads the file, text to /dev/null)
# gracewire's peak RSS is the one the 1M-row transaction costs: rows stream, none is held.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=1000000
runs=3
gracewire_bin=$root/build/gracewire

die() { echo "bench-binlog: $*" >&2; exit 1; }
say() { echo "bench-binlog: $*" >&2; }

while (($#)); do
  case $1 in
    --rows) rows=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --gracewire) gracewire_bin=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
[[ -x $gracewire_bin ]] || die "no gracewire binary at $gracewire_bin (build first, or --gracewire)"
command -v mariadb-binlog >/dev/null || die "mariadb-binlog not found (tools/install-deps.sh)"

work=$(mktemp -d /tmp/gw-bench-binlog.XXXXXX)
sandbox_dir=""
cleanup() {
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

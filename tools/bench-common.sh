# Helpers shared by the benchmarks (tools/bench.sh, tools/bench-binlog.sh); sourced, not run.

free_port() {  # a TCP port free on loopback now
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() {  # PORT PID: a TCP connect succeeds, or the process died, within 15 s
  local port=$1 pid=$2 deadline=$((SECONDS + 15))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

cpu_ticks() {  # PID: utime + stime of a process (all its threads), in clock ticks; "-" for none
  if [[ -z $1 ]]; then echo -; return; fi
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

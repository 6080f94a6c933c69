#!/usr/bin/env bash
# Runs a command and checks its exit code and output (stdout and stderr together).
#   expect_run.sh EXIT_CODE [--has TEXT]... [--lacks TEXT]... -- COMMAND [ARG]...
set -u

usage() { echo "usage: $0 EXIT_CODE [--has TEXT]... [--lacks TEXT]... -- COMMAND..." >&2; exit 64; }
(($# >= 3)) || usage
expected_code=$1
shift
has=()
lacks=()
while (($# > 0)) && [[ $1 != -- ]]; do
  case $1 in
    --has) has+=("$2") ;;
    --lacks) lacks+=("$2") ;;
    *) usage ;;
  esac
  shift 2
done
[[ ${1:-} == -- ]] || usage
shift

output=$("$@" 2>&1)
code=$?
failed=0
if ((code != expected_code)); then
  echo "FAIL: exit code $code, expected $expected_code" >&2
  failed=1
fi
for text in "${has[@]}"; do
  if [[ $output != *"$text"* ]]; then
    echo "FAIL: output lacks: $text" >&2
    failed=1
  fi
done
for text in "${lacks[@]}"; do
  if [[ $output == *"$text"* ]]; then
    echo "FAIL: output has: $text" >&2
    failed=1
  fi
done
if ((failed)); then
  { printf 'command:'; printf ' %q' "$@"; printf '\noutput:\n%s\n' "$output"; } >&2
fi
exit "$failed"

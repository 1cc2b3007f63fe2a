#!/usr/bin/env bash
# `make bench`: prints one table of what Seal images cost — bytes on disk and time from QEMU's
# start to given console lines (median of RUNS boots). Measures only; never asserts timings.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
runs=${RUNS:-5}

make --no-print-directory image BOARD=qemu-virt APP=hello > build/bench-image.log 2>&1 || { cat build/bench-image.log; exit 1; }
image=build/qemu-virt/hello.bin

# Milliseconds from QEMU's start until a line equal to $1 appears on its console.
time_to_line() {
  local wanted=$1 started line
  started=$(date +%s%N)
  while IFS= read -r line; do
    line=${line%$'\r'}
    if [ "$line" = "$wanted" ]; then echo $(( ($(date +%s%N) - started) / 1000000 )); return 0; fi
  done < <(timeout 30 qemu-system-arm -M virt -cpu cortex-a15 -m 128 -kernel "$image" \
             -display none -monitor none -serial stdio < /dev/null 2>/dev/null)
  echo "n/a"
}

median() { sort -n | awk '{ values[NR] = $1 } END { if (NR == 0) print "n/a"; else print values[int((NR + 1) / 2)] }'; }

first_line=$(for _ in $(seq "$runs"); do time_to_line "sealed: yes"; done | median)
tick=$(for _ in $(seq "$runs"); do time_to_line "tick 1"; done | median)
size=$(stat -c %s "$image")
text=$(llvm-size -A build/qemu-virt/hello.elf | awk '$1 == ".text" { print $2 }')

printf '\n| %-44s | %12s | %12s |\n' "qemu-virt hello (median of $runs)" "Seal" "goal"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..14})" "$(printf -- '-%.0s' {1..14})"
printf '| %-44s | %12s | %12s |\n' "image bytes (hello.bin)" "$size" "<= 16384"
printf '| %-44s | %12s | %12s |\n' "  of which .text" "$text" ""
printf '| %-44s | %12s | %12s |\n' "QEMU start -> 'sealed: yes' (ms)" "$first_line" ""
printf '| %-44s | %12s | %12s |\n' "QEMU start -> 'tick 1' (ms, includes 1 s wait)" "$tick" ""

#!/usr/bin/env bash
# The `hello` image on qemu-virt: its size and the time from QEMU's start to given console lines
# (median of RUNS boots). Prints key=value lines: hello_bytes, hello_text, hello_sealed_ms,
# hello_tick_ms. Expects build/qemu-virt/hello.{bin,elf} (bench.sh builds them).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_traps
cd "$bench_root"
runs=${RUNS:-5}
image=build/qemu-virt/hello.bin

# Milliseconds from QEMU's start until a line equal to $1 appears on its console.
time_to_line() {
  local wanted=$1 started line
  started=$(now_ns)
  while IFS= read -r line; do
    line=${line%$'\r'}
    if [ "$line" = "$wanted" ]; then echo $(( ($(now_ns) - started) / 1000000 )); return 0; fi
  done < <(timeout 30 qemu-system-arm -M virt -cpu cortex-a15 -m 128 -kernel "$image" \
             -display none -monitor none -serial stdio < /dev/null 2> /dev/null)
  echo "n/a"
}

echo "hello_bytes=$(stat -c %s "$image" 2> /dev/null || echo n/a)"
echo "hello_text=$(llvm-size -A build/qemu-virt/hello.elf 2> /dev/null | awk '$1 == ".text" { print $2 }')"
echo "hello_sealed_ms=$(for _ in $(seq "$runs"); do time_to_line "sealed: yes"; done | median)"
echo "hello_tick_ms=$(for _ in $(seq "$runs"); do time_to_line "tick 1"; done | median)"

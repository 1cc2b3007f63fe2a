#!/usr/bin/env bash
# Boots `hello` on QEMU's cubieboard (Allwinner A10) with Debian's sun4i-a10-cubieboard.dtb and
# checks every line against what dtc reads from the very device tree QEMU hands over (dumped with
# dumpdtb), the console input coming back through the UART's receive interrupt, three ticks a
# second apart from the A10 timer, an idle CPU between them (no periodic tick), and the halt
# marker (the machine has no power-off: boot.sh stops QEMU on that line). Then `fault` on the
# Cortex-A8: a write to the sealed text is a data abort at that address, with a backtrace
# llvm-symbolizer resolves against the ELF.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
image=$root/build/cubieboard/hello.bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Always through make (incremental): a stale image would test old code.
for app in hello fault; do
  make -C "$root" --no-print-directory image BOARD=cubieboard APP=$app > "$work/build.log" 2>&1 \
    || { cat "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }
done
dtb=$("$root/toolchain/fetch-armhf.sh" --dtb sun4i-a10-cubieboard.dtb) \
  || { echo "test-cubieboard-hello: no sun4i-a10-cubieboard.dtb"; echo "0 passed, 1 failed"; exit 1; }

run_case() { # run_case MEMORY APPEND [INPUT_DELAY]
  local memory=$1 append=$2 input_delay=${3:-1}
  local name="-m $memory"
  echo "cubieboard hello: $name -append '$append'"
  timeout 20 qemu-system-arm -M "cubieboard,dumpdtb=$work/qemu.dtb" -m "$memory" -kernel "$image" -dtb "$dtb" \
    -append "$append" -display none > /dev/null 2>&1
  local model; model=$(fdtget -t s "$work/qemu.dtb" / model)
  local cpu_count; cpu_count=$(fdtget -l "$work/qemu.dtb" /cpus | grep -c '^cpu@')
  local memory_node; memory_node=$(fdtget -l "$work/qemu.dtb" / | grep '^memory' | head -n 1)
  read -r base size <<< "$(fdtget -t x "$work/qemu.dtb" "/$memory_node" reg)"
  base=0x$base size=0x$size

  # Each console line with the time it arrived (ms since the start), to check the ticks' pace.
  local started; started=$(date +%s%N)
  TIMEFORMAT='%U %S'
  { time MEMORY=$memory TIMEOUT=30 INPUT=$'typed by the test\r' INPUT_DELAY=$input_delay \
      "$root/toolchain/boot.sh" cubieboard "$image" "$append" 2> "$work/stderr.txt" \
      | while IFS= read -r line; do printf '%s %s\n' "$(( ($(date +%s%N) - started) / 1000000 ))" "$line"; done \
      > "$work/timed.txt"; } 2> "$work/cpu.txt"
  local status=${PIPESTATUS[0]}
  local elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
  cut -d' ' -f2- "$work/timed.txt" > "$work/out.txt"
  sed 's/^/    | /' "$work/timed.txt"
  check "$name: halt marker seal: halted status=0, QEMU stopped (${elapsed} ms)" \
    bash -c "grep -qx 'seal: halted status=0' '$work/out.txt' && [ $elapsed -lt 25000 ]"
  check "$name: model: $model" has_line "$work/out.txt" "model: $model"
  check "$name: memory: base=$base size=$size" has_line "$work/out.txt" "memory: base=$base size=$size"
  check "$name: cpus: $cpu_count" has_line "$work/out.txt" "cpus: $cpu_count"
  check "$name: bootargs: $append" has_line "$work/out.txt" "bootargs: $append"
  check "$name: sealed: yes" has_line "$work/out.txt" "sealed: yes"
  check "$name: console input came back through the receive interrupt" has_line "$work/out.txt" "input: typed by the test"
  check "$name: tick 1, 2, 3 in order" \
    test "$(grep -E '^tick [0-9]+$' "$work/out.txt" | tr '\n' ' ')" = "tick 1 tick 2 tick 3 "
  # The first tick one second after `sealed: yes` (when the loop starts), then one a second.
  local times; times=$(awk '$2 == "sealed:" || $2 == "tick" { printf "%s ", $1 }' "$work/timed.txt")
  check "$name: ticks a second apart (ms: $times)" \
    awk -v t="$times" 'BEGIN { n = split(t, a, " "); if (n != 4) exit 1
      for (i = 2; i <= n; i++) { d = a[i] - a[i-1]; if (d < 850 || d > 1300) exit 1 } }'
  # Tickless: between ticks the CPU sleeps in wfi, so QEMU uses far less CPU than the 3 s run.
  local cpu; cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$work/cpu.txt")
  check "$name: idle between ticks (QEMU used ${cpu} s of CPU)" awk -v c="$cpu" 'BEGIN { exit !(c < 1.5) }'
}

run_case 512 "console=ttyS0 hello"
run_case 1024 "ip=dhcp rw a=b"
run_case 512 "" 0   # input waiting before the UART is even set up

echo "cubieboard fault: a write to the sealed text"
TIMEOUT=30 "$root/toolchain/boot.sh" cubieboard "$root/build/cubieboard/fault.bin" > "$work/out.txt" 2> "$work/stderr.txt"
status=$?
sed 's/^/    | /' "$work/out.txt"
target=$(sed -n 's/^fault: writing to text at \(0x[0-9a-f]*\)$/\1/p' "$work/out.txt")
check "fault: status is non-zero and the marker came (got $status)" test "$status" -ne 0 -a "$status" -ne 124
check "fault: panic line: data abort at ${target:-?}" grep -qE "^panic: data abort at ${target:-none} pc=0x[0-9a-f]+$" "$work/out.txt"
sed -n '/^backtrace:$/,/^seal: halted/p' "$work/out.txt" | grep -oE '0x[0-9a-f]+' > "$work/addresses.txt"
llvm-symbolizer --obj "$root/build/cubieboard/fault.elf" < "$work/addresses.txt" > "$work/symbols.txt"
check "fault: pc resolves to the overwriting function in Apps/fault" grep -q "Fault.swift" <(head -n 2 "$work/symbols.txt")
check "fault: backtrace reaches the board's main" grep -q "Boards/cubieboard/main.swift" "$work/symbols.txt"
finish

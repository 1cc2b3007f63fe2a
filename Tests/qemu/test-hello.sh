#!/usr/bin/env bash
# Boots `hello` on qemu-virt with different memory sizes, CPU counts, command lines and entry
# modes (SVC, and HYP with virtualization=on) and checks every line against what dtc reads from
# the very device tree QEMU generated for that configuration.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
image=$root/build/qemu-virt/hello.bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_case() { # run_case VIRTUALIZATION MEMORY CPUS APPEND [INPUT_DELAY]
  local virtualization=$1 memory=$2 cpus=$3 append=$4 input_delay=${5:-0.5}
  local name="virtualization=$virtualization -m $memory -smp $cpus"
  echo "hello: $name -append '$append'"
  local machine=virt
  [ "$virtualization" = on ] && machine=virt,virtualization=on
  qemu-system-arm -M "$machine,dumpdtb=$work/qemu.dtb" -cpu cortex-a15 -m "$memory" -smp "$cpus" \
    -display none > /dev/null 2>&1
  local model; model=$(fdtget -t s "$work/qemu.dtb" / model)
  local cpu_count; cpu_count=$(fdtget -l "$work/qemu.dtb" /cpus | grep -c '^cpu@')
  local memory_node; memory_node=$(fdtget -l "$work/qemu.dtb" / | grep '^memory@' | head -n 1)
  read -r base_high base_low size_high size_low <<< "$(fdtget -t x "$work/qemu.dtb" "/$memory_node" reg)"
  local base; base=$(printf '0x%x' $(( (0x$base_high << 32) | 0x$base_low )))
  local size; size=$(printf '0x%x' $(( (0x$size_high << 32) | 0x$size_low )))

  local started; started=$(date +%s%N)
  VIRTUALIZATION=$virtualization MEMORY=$memory CPUS=$cpus TIMEOUT=30 INPUT=$'typed by the test\r' INPUT_DELAY=$input_delay \
    "$root/toolchain/boot.sh" qemu-virt "$image" "$append" > "$work/out.txt" 2>&1
  local status=$?
  local elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
  sed 's/^/    | /' "$work/out.txt"
  check "$name: exit status 0 (got $status, ${elapsed} ms)" test "$status" -eq 0
  check "$name: model: $model" has_line "$work/out.txt" "model: $model"
  check "$name: memory: base=$base size=$size" has_line "$work/out.txt" "memory: base=$base size=$size"
  check "$name: cpus: $cpu_count" has_line "$work/out.txt" "cpus: $cpu_count"
  check "$name: bootargs: $append" has_line "$work/out.txt" "bootargs: $append"
  check "$name: sealed: yes" has_line "$work/out.txt" "sealed: yes"
  check "$name: console input came back through the receive interrupt" has_line "$work/out.txt" "input: typed by the test"
  check "$name: tick 1, 2, 3 in order" \
    test "$(grep -E '^tick [0-9]+$' "$work/out.txt" | tr '\n' ' ')" = "tick 1 tick 2 tick 3 "
}

run_case off 128 1 "console=ttyAMA0 hello"
run_case off 64 2 "ip=dhcp rw a=b"
run_case off 512 4 "" 0   # input waiting before the UART is even set up
run_case on 128 1 "entered in hyp mode"
run_case on 256 2 "x y z"
finish

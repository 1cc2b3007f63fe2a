#!/usr/bin/env bash
# Boots `fault`, which writes to its own (sealed, read-only) text: the panic line must name a
# data abort at exactly that address, the status must be non-zero, and llvm-symbolizer must
# resolve the backtrace against the ELF to the functions that made the write.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for virtualization in off on; do
  echo "fault: virtualization=$virtualization"
  VIRTUALIZATION=$virtualization TIMEOUT=30 "$root/toolchain/boot.sh" qemu-virt "$root/build/qemu-virt/fault.bin" > "$work/out.txt" 2>&1
  status=$?
  sed 's/^/    | /' "$work/out.txt"
  target=$(sed -n 's/^fault: writing to text at \(0x[0-9a-f]*\)$/\1/p' "$work/out.txt")
  check "status is non-zero (got $status)" test "$status" -ne 0 -a "$status" -ne 124
  check "fault printed its target address" test -n "$target"
  check "panic line: data abort at $target" grep -qE "^panic: data abort at $target pc=0x[0-9a-f]+$" "$work/out.txt"
  sed -n '/^backtrace:$/,/^seal: halted/p' "$work/out.txt" | grep -oE '0x[0-9a-f]+' > "$work/addresses.txt"
  llvm-symbolizer --obj "$root/build/qemu-virt/fault.elf" < "$work/addresses.txt" > "$work/symbols.txt"
  sed 's/^/    symbolized: /' "$work/symbols.txt" | grep -v '^    symbolized: $'
  check "backtrace has at least 3 frames" test "$(wc -l < "$work/addresses.txt")" -ge 3
  check "pc resolves to the overwriting function in Apps/fault" grep -q "Fault.swift" <(head -n 2 "$work/symbols.txt")
  check "backtrace reaches the board's main" grep -q "main.swift" "$work/symbols.txt"
done
echo "fault=memory: allocating until the heap is exhausted"
MEMORY=32 TIMEOUT=60 "$root/toolchain/boot.sh" qemu-virt "$root/build/qemu-virt/fault.bin" "fault=memory" > "$work/out.txt" 2>&1
status=$?
sed 's/^/    | /' "$work/out.txt"
check "out of memory: status is non-zero (got $status)" test "$status" -ne 0 -a "$status" -ne 124
check "out of memory: the panic line" grep -qE "^panic: out of memory at 0x0 pc=0x[0-9a-f]+$" "$work/out.txt"
finish

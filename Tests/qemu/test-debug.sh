#!/usr/bin/env bash
# `make debug`'s script: QEMU starts halted under its gdbstub, gdb-multiarch attaches with the
# ELF's symbols, stops at the board's Swift entry and sees a symbolic backtrace.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/commands.gdb" <<'GDB'
break Image_main
continue
bt
info registers pc
kill
GDB
echo "debug: gdb-multiarch against QEMU's gdbstub"
GDB_PORT=$((20000 + RANDOM % 20000)) GDB_BATCH=$work/commands.gdb TIMEOUT=60 \
  timeout 90 "$root/toolchain/debug.sh" qemu-virt hello > "$work/gdb.txt" 2>&1
sed 's/^/    | /' "$work/gdb.txt"
check "gdb stopped at the breakpoint in Image_main" grep -qE "^pc .*<Image_main\+[0-9]+>" "$work/gdb.txt"
check "the backtrace names main.swift" grep -q "main.swift" "$work/gdb.txt"
finish

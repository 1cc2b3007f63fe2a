#!/usr/bin/env bash
# `make debug`: starts QEMU halted at the first instruction with its gdbstub on TCP port 1234
# (GDB_PORT), then attaches gdb-multiarch with the ELF's symbols. QEMU loads the raw image so
# it still passes the device tree in r2; the ELF's addresses match it (linked at the load address).
set -euo pipefail
board=$1 app=$2
root=$(cd "$(dirname "$0")/.." && pwd)
port=${GDB_PORT:-1234}
for _ in $(seq 50); do  # wait until nothing else holds the port
  (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || break
  sleep 0.1
done
INTERACTIVE=0 TIMEOUT=${TIMEOUT:-3600} "$root/toolchain/boot.sh" "$board" "$root/build/$board/$app.bin" "${APPEND:-}" \
  -- -S -gdb "tcp:127.0.0.1:$port" > "$root/build/$board/$app.debug-console.txt" 2>&1 &
qemu_pid=$!
trap 'kill $qemu_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do  # until QEMU listens
  (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
  sleep 0.1
done
echo "QEMU waits on 127.0.0.1:$port; console output goes to build/$board/$app.debug-console.txt"
# GDB_BATCH=FILE runs the gdb commands in FILE and exits (used by the tests).
gdb-multiarch -q "$root/build/$board/$app.elf" \
  -ex "set architecture armv7" \
  -ex "target remote 127.0.0.1:$port" \
  ${GDB_BATCH:+-batch -x "$GDB_BATCH"}

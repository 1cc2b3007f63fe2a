#!/usr/bin/env bash
# `make run`: boots BOARD/APP interactively (Ctrl-a x leaves QEMU). Extra QEMU arguments: QEMU_ARGS.
set -euo pipefail
board=$1 app=$2
root=$(cd "$(dirname "$0")/.." && pwd)
echo "booting build/$board/$app.bin in QEMU (Ctrl-a x to quit)"
INTERACTIVE=1 exec "$root/toolchain/boot.sh" "$board" "$root/build/$board/$app.bin" "${APPEND:-}" -- ${QEMU_ARGS:-}

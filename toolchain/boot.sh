#!/usr/bin/env bash
# Boots one Seal image in QEMU, console on stdout, and exits with the status the image printed
# on its marker line `seal: halted status=<n>` (QEMU itself exits 0 on PSCI power-off).
#   toolchain/boot.sh BOARD IMAGE [APPEND] -- [extra qemu arguments]
# Environment: MEMORY (MiB, default 128), CPUS (default 1), VIRTUALIZATION=on (enter in HYP
# mode), TIMEOUT (seconds, default 60), INTERACTIVE=1 (keep QEMU's stdin and monitor),
# INPUT (bytes typed on the console INPUT_DELAY seconds, default 0.5, after the start).
set -uo pipefail
board=$1 image=$2 append=${3:-}
shift $(( $# >= 3 ? 3 : $# ))
[ "${1:-}" = "--" ] && shift

case "$board" in
  qemu-virt)
    machine="virt"
    [ "${VIRTUALIZATION:-off}" = "on" ] && machine="virt,virtualization=on"
    qemu=(qemu-system-arm -M "$machine" -cpu cortex-a15 -m "${MEMORY:-128}" -smp "${CPUS:-1}"
          -kernel "$image" -append "$append")
    ;;
  *)
    echo "boot.sh: unknown board $board" >&2; exit 2 ;;
esac

if [ "${INTERACTIVE:-0}" = "1" ]; then
  exec "${qemu[@]}" -nographic "$@"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
type_input() { if [ -n "${INPUT:-}" ]; then sleep "${INPUT_DELAY:-0.5}"; printf '%s' "$INPUT"; fi; }
type_input | timeout --foreground -k 5 "${TIMEOUT:-60}" "${qemu[@]}" -display none -monitor none -serial stdio "$@" \
  | tr -d '\r' | tee "$log"
qemu_status=${PIPESTATUS[1]}
status=$(sed -n 's/^seal: halted status=\([0-9-]*\)$/\1/p' "$log" | tail -n 1)
if [ -z "$status" ]; then
  echo "boot.sh: no halt marker (qemu exit $qemu_status)" >&2
  exit 124
fi
exit "$status"

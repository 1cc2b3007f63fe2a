#!/usr/bin/env bash
# Boots one Seal image in QEMU, console on stdout, and exits with the status the image printed
# on its marker line `seal: halted status=<n>` (QEMU itself exits 0 on PSCI power-off; QEMU's
# cubieboard has no power-off, so there boot.sh stops QEMU once the marker line has appeared).
#   toolchain/boot.sh BOARD IMAGE [APPEND] -- [extra qemu arguments]
# Boards: qemu-virt; cubieboard (Allwinner A10, with Debian's sun4i-a10-cubieboard.dtb, fetched
# once by toolchain/fetch-armhf.sh; DTB=path overrides it).
# Environment: MEMORY (MiB, default 128; on cubieboard 512 (default) or 1024), CPUS (default 1), VIRTUALIZATION=on (enter in HYP
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
  cubieboard)
    dtb=${DTB:-$("$(dirname "$0")/fetch-armhf.sh" --dtb sun4i-a10-cubieboard.dtb)} || exit 2
    qemu=(qemu-system-arm -M cubieboard -m "${MEMORY:-512}" -kernel "$image" -dtb "$dtb" -append "$append")
    stops_itself=0
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
if [ "${stops_itself:-1}" = 1 ]; then
  type_input | timeout --foreground -k 5 "${TIMEOUT:-60}" "${qemu[@]}" -display none -monitor none -serial stdio "$@" \
    | tr -d '\r' | tee "$log"
  qemu_status=${PIPESTATUS[1]}
else
  # No power-off: read the console line by line and stop QEMU (through the `timeout` that
  # runs it, which passes the signal on) once the marker line is out.
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  trap 'rm -f "$log" "$fifo"' EXIT
  type_input | timeout -k 5 "${TIMEOUT:-60}" "${qemu[@]}" -display none -monitor none -serial stdio "$@" > "$fifo" &
  qemu_pid=$!
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line//$'\r'/}
    printf '%s\n' "$line"
    printf '%s\n' "$line" >> "$log"
    case "$line" in "seal: halted status="*) kill "$qemu_pid" 2> /dev/null ;; esac
  done < "$fifo"
  wait "$qemu_pid"
  qemu_status=$?
fi
status=$(sed -n 's/^seal: halted status=\([0-9-]*\)$/\1/p' "$log" | tail -n 1)
if [ -z "$status" ]; then
  echo "boot.sh: no halt marker (qemu exit $qemu_status)" >&2
  exit 124
fi
exit "$status"

#!/usr/bin/env bash
# Boots `kv` on qemu-virt with a blank virtio-blk disk (cache=writethrough): the first boot
# formats it and passes the API checks (Tests/qemu/kv-client.py api); then 20 rounds of "check
# every key synced so far, write, sync, keep writing, kill QEMU (SIGKILL) at a random moment,
# reboot": no synced key may be lost and every key present must hold its value.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
image=$root/build/qemu-virt/kv.bin
work=$(mktemp -d)
rounds=${KV_ROUNDS:-20}
qemu_pid="" client_pid=""
stop_pid() { [ -n "$1" ] && { kill -KILL "$1" 2> /dev/null; wait "$1" 2> /dev/null; }; }
cleanup() { stop_pid "$client_pid"; stop_pid "$qemu_pid"; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -f "$image" ]; then
  make -C "$root" --no-print-directory image BOARD=qemu-virt APP=kv > "$work/build.log" 2>&1 \
    || { cat "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }
fi
truncate -s 16M "$work/disk.img"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

boot() { # boot CONSOLE [transport options]: starts QEMU, waits for the server
  local console=$1; shift
  : > "$console"
  # QEMU is the direct child, so SIGKILL reaches QEMU itself: no chance to flush anything.
  qemu-system-arm -M virt -cpu cortex-a15 -m 128 -kernel "$image" -append "ip=dhcp" \
    -display none -monitor none -serial "file:$console" "$@" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:80" -device virtio-net-device,netdev=n0 \
    -drive "file=$work/disk.img,if=none,format=raw,id=d0,cache=writethrough" -device virtio-blk-device,drive=d0 \
    < /dev/null > "$console.qemu" 2>&1 &
  qemu_pid=$!
  timeout 30 bash -c "until grep -q '^listening on port 80' '$console' && grep -q '^ip: ' '$console'; do sleep 0.1; done"
}

boot "$work/first.txt" -global virtio-mmio.force-legacy=false
sed 's/^/    | /' "$work/first.txt"
check "first boot formats the blank disk" grep -q '^kv: formatted a new store: 0 keys' "$work/first.txt"
timeout 120 python3 "$root/Tests/qemu/kv-client.py" api "http://127.0.0.1:$port" > "$work/api.txt" 2>&1
sed 's/^/    /' "$work/api.txt"
check "API checks ($(grep -c '^ok' "$work/api.txt") ok, $(grep -c '^not ok' "$work/api.txt") not ok)" \
  bash -c "! grep -q '^not ok' '$work/api.txt' && grep -q '^ok' '$work/api.txt'"
stop_pid "$qemu_pid"; qemu_pid=""

: > "$work/state.txt"
lost=0
for round in $(seq 1 "$rounds"); do
  boot "$work/round.txt"
  timeout 120 python3 "$root/Tests/qemu/kv-client.py" crash-round "http://127.0.0.1:$port" "$work/state.txt" "$round" \
    > "$work/client.txt" 2>&1 &
  client_pid=$!
  timeout 60 bash -c "until grep -q 'writing unsynced keys' '$work/client.txt' || ! kill -0 $client_pid 2> /dev/null; do sleep 0.05; done"
  sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
  stop_pid "$qemu_pid"; qemu_pid=""
  stop_pid "$client_pid"; client_pid=""
  if grep -q '^not ok' "$work/client.txt"; then
    lost=$((lost + 1)); sed 's/^/    /' "$work/client.txt" | head -n 5
  fi
  grep -q "^ok - round $round: 25 puts and a sync" "$work/client.txt" || lost=$((lost + 1))
  echo "    round $round: $(grep -m1 'synced keys survived' "$work/client.txt" | sed 's/^ok - //'); $(grep -m1 '^kv: opened' "$work/round.txt")"
done
check "$rounds rounds of write, sync, SIGKILL, reboot: no synced key lost, no value wrong ($lost bad rounds)" test "$lost" = 0

boot "$work/last.txt"
timeout 120 python3 "$root/Tests/qemu/kv-client.py" crash-round "http://127.0.0.1:$port" "$work/state.txt" final \
  > "$work/client.txt" 2>&1 &
client_pid=$!
timeout 60 bash -c "until grep -q 'writing unsynced keys' '$work/client.txt' || ! kill -0 $client_pid 2> /dev/null; do sleep 0.05; done"
stop_pid "$client_pid"; client_pid=""
check "after the last crash: $(grep -m1 'synced keys survived' "$work/client.txt" | sed 's/^[a-z ]*- //')" \
  grep -q '^ok - round final: all [0-9]* synced keys survived' "$work/client.txt"
check "no panic on any console" bash -c "! grep -q '^panic' '$work/first.txt' '$work/round.txt' '$work/last.txt'"
finish

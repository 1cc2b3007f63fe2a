#!/usr/bin/env bash
# The storage apps on QEMU's cubieboard (Allwinner A10): the disk is an SD card on the sun4i SD
# host (`-drive if=sd`), the network the EMAC on `-nic user`.
#   site: a 64 MiB card made by toolchain/make-disk.sh, served read-write: every file byte-exact,
#         ranges, PUT and DELETE (Tests/qemu/site-checks.sh), then fsck.fat and mtools agree.
#   kv:   a blank 16 MiB card: formatted on first boot, the API checks, then KV_ROUNDS (default 5)
#         rounds of write, sync, SIGKILL of QEMU, reboot: no synced key lost.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
work=$(mktemp -d)
rounds=${KV_ROUNDS:-5}
qemu_pid="" client_pid=""
stop_pid() { [ -n "$1" ] && { kill -KILL "$1" 2> /dev/null; wait "$1" 2> /dev/null; }; }
stop_qemu() { stop_pid "$qemu_pid"; qemu_pid=""; }
cleanup() { stop_pid "$client_pid"; stop_qemu; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
on_client=()
source "$root/Tests/qemu/www-checks.sh"
source "$root/Tests/qemu/site-checks.sh"

for app in site kv; do
  # Always through make (incremental): a stale image would test old code.
  make -C "$root" --no-print-directory image BOARD=cubieboard APP=$app > "$work/build.log" 2>&1 \
    || { cat "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }
done
dtb=$("$root/toolchain/fetch-armhf.sh" --dtb sun4i-a10-cubieboard.dtb) \
  || { echo "test-cubieboard-storage: no sun4i-a10-cubieboard.dtb"; echo "0 passed, 1 failed"; exit 1; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

boot() { # boot APP CONSOLE DISK APPEND: starts QEMU (its direct child, so SIGKILL reaches it), waits for the server
  local app=$1 console=$2 disk=$3 append=$4
  : > "$console"
  qemu-system-arm -M cubieboard -m 512 -kernel "$root/build/cubieboard/$app.bin" -dtb "$dtb" -append "$append" \
    -display none -monitor none -serial "file:$console" -nic "user,hostfwd=tcp:127.0.0.1:$port-:80" \
    -drive "if=sd,file=$disk,format=raw" < /dev/null > "$console.qemu" 2>&1 &
  qemu_pid=$!
  timeout 30 bash -c "until grep -q '^listening on port 80' '$console' && grep -q '^ip: ' '$console'; do sleep 0.1; done"
}

# site
make_site_tree "$work/tree"
"$root/toolchain/make-disk.sh" "$work/tree" "$work/site.img" 64 > "$work/make-disk.log" 2>&1
check "make-disk.sh built a 64 MiB partitioned image" test -s "$work/site.img"
echo "cubieboard site: rw, http://127.0.0.1:$port/"
boot site "$work/site.txt" "$work/site.img" "ip=dhcp rw"
tr -d '\r' < "$work/site.txt" > "$work/console.txt"
sed 's/^/    | /' "$work/console.txt"
check "site: SD card identified on the sun4i host" \
  grep -qE '^mmc: mmio 0x01c0f000, irq 32, 131072 sectors of 512 bytes, (standard|high) capacity, [14]-bit bus at [0-9]+ MHz$' "$work/console.txt"
check "site: FAT32 volume on the first partition, read-write" \
  has_line "$work/console.txt" "site: FAT32 volume, 129024 sectors from sector 2048, read-write"
if has_line "$work/console.txt" "listening on port 80"; then
  site_checks "site" "http://127.0.0.1:$port" "$work/tree" rw
fi
check "site: QEMU still running (no halt, no panic)" kill -0 "$qemu_pid"
stop_qemu
check "site: no panic on the console" bash -c "! grep -q '^panic' '$work/site.txt'"
site_disk_checks "site" "$work/site.img"

# kv
truncate -s 16M "$work/kv.img"
echo "cubieboard kv: http://127.0.0.1:$port/"
boot kv "$work/first.txt" "$work/kv.img" "ip=dhcp"
sed 's/^/    | /' "$work/first.txt" | tr -d '\r'
check "kv: first boot formats the blank card" grep -q '^kv: formatted a new store: 0 keys' "$work/first.txt"
timeout 120 python3 "$root/Tests/qemu/kv-client.py" api "http://127.0.0.1:$port" > "$work/api.txt" 2>&1
check "kv: API checks ($(grep -c '^ok' "$work/api.txt") ok, $(grep -c '^not ok' "$work/api.txt") not ok)" \
  bash -c "! grep -q '^not ok' '$work/api.txt' && grep -q '^ok' '$work/api.txt'"
grep '^not ok' "$work/api.txt" | sed 's/^/    /'
stop_qemu

: > "$work/state.txt"
lost=0
for round in $(seq 1 "$rounds"); do
  boot kv "$work/round.txt" "$work/kv.img" "ip=dhcp"
  timeout 120 python3 "$root/Tests/qemu/kv-client.py" crash-round "http://127.0.0.1:$port" "$work/state.txt" "$round" \
    > "$work/client.txt" 2>&1 &
  client_pid=$!
  timeout 60 bash -c "until grep -q 'writing unsynced keys' '$work/client.txt' || ! kill -0 $client_pid 2> /dev/null; do sleep 0.05; done"
  sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
  stop_qemu
  stop_pid "$client_pid"; client_pid=""
  if grep -q '^not ok' "$work/client.txt"; then
    lost=$((lost + 1)); sed 's/^/    /' "$work/client.txt" | head -n 5
  fi
  grep -q "^ok - round $round: 25 puts and a sync" "$work/client.txt" || lost=$((lost + 1))
  echo "    round $round: $(grep -m1 'synced keys survived' "$work/client.txt" | sed 's/^ok - //'); $(grep -m1 '^kv: opened' "$work/round.txt" | tr -d '\r')"
done
check "kv: $rounds rounds of write, sync, SIGKILL, reboot: no synced key lost ($lost bad rounds)" test "$lost" = 0
check "kv: no panic on any console" bash -c "! grep -q '^panic' '$work/first.txt' '$work/round.txt'"
finish

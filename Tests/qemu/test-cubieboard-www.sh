#!/usr/bin/env bash
# Boots `www` on QEMU's cubieboard (Allwinner A10) with the EMAC on QEMU user networking
# (`-nic user`, a free loopback port forwarded to port 80) and checks: DHCP through the EMAC,
# the index page byte-exact, `ab -n 1000 -c 8` with no failure, a 5 MiB /bytes download whose
# sha256 matches the i mod 251 pattern, a 5 MiB POST /echo (receive path under load), then the
# whole of Tests/qemu/www-checks.sh; QEMU must still be running with no panic at the end.
# Also reports the time from QEMU's start to the first console line and to the first 200.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
image=$root/build/cubieboard/www.bin
work=$(mktemp -d)
qemu_pid=""
cleanup() {
  stop_qemu
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
on_client=()
source "$root/Tests/qemu/www-checks.sh"

for tool in curl ab python3; do
  command -v "$tool" > /dev/null || { echo "test-cubieboard-www: $tool is missing"; echo "0 passed, 1 failed"; exit 1; }
done
# Always through make (incremental): a stale image would test old code.
make -C "$root" --no-print-directory image BOARD=cubieboard APP=www > "$work/build.log" 2>&1 \
  || { cat "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }
dtb=$("$root/toolchain/fetch-armhf.sh" --dtb sun4i-a10-cubieboard.dtb) \
  || { echo "test-cubieboard-www: no sun4i-a10-cubieboard.dtb"; echo "0 passed, 1 failed"; exit 1; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
console=$work/console.log
: > "$console"
echo "cubieboard www: $base/"
started=$(date +%s%N)
timeout -k 5 900 qemu-system-arm -M cubieboard -m 512 -kernel "$image" -dtb "$dtb" -append "ip=dhcp" \
  -display none -monitor none -serial "file:$console" -nic "user,hostfwd=tcp:127.0.0.1:$port-:80" \
  < /dev/null > "$work/qemu.log" 2>&1 &
qemu_pid=$!
first_line="" first_200=""
for _ in $(seq 1 300); do   # 30 s at most
  [ -z "$first_line" ] && [ -s "$console" ] && first_line=$(( ($(date +%s%N) - started) / 1000000 ))
  if grep -q '^listening on port 80' "$console" \
     && [ "$(curl -s -o /dev/null -m 1 -w '%{http_code}' "$base/" 2> /dev/null)" = 200 ]; then
    first_200=$(( ($(date +%s%N) - started) / 1000000 )); break
  fi
  sleep 0.1
done
tr -d '\r' < "$console" > "$work/console.txt"
sed 's/^/    | /' "$work/console.txt"
echo "    boot: first console line after ${first_line:-?} ms, first HTTP 200 after ${first_200:-?} ms"
check "EMAC found through the device tree, PHY answering" \
  grep -qE '^emac: mmio 0x01c0b000, mac ([0-9a-f]{2}:){5}[0-9a-f]{2} \([a-z ]+\), irq 55, phy 1 id 0x[0-9a-f]{8}, link up$' "$work/console.txt"
check "DHCP lease over the EMAC: ip: 10.0.2.15/24" has_line "$work/console.txt" "ip: 10.0.2.15/24"
check "listening on port 80, first 200 within 30 s (${first_200:-never} ms)" test -n "$first_200"

# Tickless idle: with no traffic QEMU should barely run (the guest sleeps in wfi between deadlines).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2> /dev/null || echo 0; }
emulator=$(pgrep -P "$qemu_pid" qemu-system-arm | head -n 1)
before=$(cpu_ticks "${emulator:-0}"); sleep 3; after=$(cpu_ticks "${emulator:-0}")
check "idle guest sleeps (QEMU used $((after - before)) of 300 ticks in 3 s)" test -n "$emulator" -a $((after - before)) -le 30

if [ -n "$first_200" ]; then  # else every request would wait out its timeout
  check_file "cubieboard" / "$site/index.html" "text/html; charset=utf-8"

  timeout 200 ab -q -n 1000 -c 8 -s 30 "$base/" > "$work/ab8.ab" 2>&1
  complete=$(sed -n 's/^Complete requests: *//p' "$work/ab8.ab")
  failures=$(sed -n 's/^Failed requests: *//p' "$work/ab8.ab")
  non2xx=$(sed -n 's/^Non-2xx responses: *//p' "$work/ab8.ab")
  rate=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$work/ab8.ab")
  check "cubieboard: ab -n 1000 -c 8: ${complete:-none} complete, ${failures:-none} failed, ${non2xx:-0} non-2xx (${rate:-?} req/s)" \
    test "${complete:-none} ${failures:-none} ${non2xx:-0}" = "1000 0 0"
  [ "${complete:-none} ${failures:-none} ${non2xx:-0}" = "1000 0 0" ] || sed 's/^/    | /' "$work/ab8.ab" | tail -n 30

  n=5242880
  expected=$(python3 -c '
import hashlib, sys
n = int(sys.argv[1]); period = bytes(range(251))
print(hashlib.sha256(period * (n // 251) + period[: n % 251]).hexdigest())' "$n")
  fetch_started=$(date +%s%N)
  code=$(FETCH_SECONDS=120 fetch bytes "$base/bytes/$n")
  elapsed=$(( ($(date +%s%N) - fetch_started) / 1000000 ))
  size=$(stat -c %s "$work/bytes.body" 2> /dev/null || echo 0)
  got=$(sha256sum < "$work/bytes.body" 2> /dev/null | cut -d' ' -f1)
  check "cubieboard: GET /bytes/$n: $code, $size bytes, sha256 of i mod 251 (${elapsed} ms, $(( elapsed > 0 ? n * 1000 / elapsed / 1024 : 0 )) KiB/s)" \
    test "$code $size $got" = "200 $n $expected"

  head -c $((5 << 20)) /dev/urandom > "$work/echo-payload.bin"
  expected=$(sha256sum < "$work/echo-payload.bin" | cut -d' ' -f1)
  code=$(FETCH_SECONDS=120 fetch echo "$base/echo" --data-binary @"$work/echo-payload.bin" -H 'Content-Type: application/octet-stream')
  got=$(sha256sum < "$work/echo.body" 2> /dev/null | cut -d' ' -f1)
  check "cubieboard: POST /echo of 5 MiB through the receive FIFO: $code, sha256 equal" test "$code $got" = "200 $expected"

  if [ "${QUICK:-0}" != 1 ]; then
    www_checks "cubieboard (www-checks)" "$base"
  fi
fi

check "QEMU still running (no halt, no panic)" kill -0 "$qemu_pid"
stop_qemu
tr -d '\r' < "$console" > "$work/console.txt"
check "no panic on the console" bash -c "! grep -q '^panic' '$work/console.txt'"
grep -q '^panic' "$work/console.txt" && sed 's/^/    | /' "$work/console.txt" | tail -n 20
finish

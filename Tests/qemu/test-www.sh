#!/usr/bin/env bash
# Boots `www` on qemu-virt with virtio-net on the legacy (virtio-mmio version 1) and modern
# (version 2) transports, QEMU user networking forwarding a free loopback port to port 80, and
# runs Tests/qemu/www-checks.sh against it: the site's files byte-exact with their media types,
# HEAD, 404, 431, ab with and without keep-alive, 20 MiB of /bytes, a 5 MiB POST /echo, and 50
# slow clients while a normal client is still served.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
image=$root/build/qemu-virt/www.bin
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
  command -v "$tool" > /dev/null || { echo "test-www: $tool is missing"; echo "0 passed, 1 failed"; exit 1; }
done
if [ ! -f "$image" ]; then
  make -C "$root" --no-print-directory image BOARD=qemu-virt APP=www > "$work/build.log" 2>&1 \
    || { cat "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }
fi


run_mode() { # run_mode legacy|modern
  local mode=$1 port transport extra=()
  port=$(free_port)
  if [ "$mode" = modern ]; then
    extra=(-global virtio-mmio.force-legacy=false); transport="version 2 (modern)"
  else
    transport="version 1 (legacy)"
  fi
  echo "www: $mode, http://127.0.0.1:$port/"
  local console=$work/console-$mode.txt
  : > "$console"
  timeout -k 5 900 qemu-system-arm -M virt -cpu cortex-a15 -m 128 -kernel "$image" -append "ip=dhcp" \
    -display none -monitor none -serial "file:$console" "${extra[@]}" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:80" -device virtio-net-device,netdev=n0 \
    -device virtio-rng-device < /dev/null > "$work/qemu-$mode.log" 2>&1 &
  qemu_pid=$!
  timeout 30 bash -c "until grep -q '^ip: 10.0.2.15/24' '$console' && grep -q '^listening on port 80' '$console'; do sleep 0.2; done"
  tr -d '\r' < "$console" > "$work/console.txt"
  sed 's/^/    | /' "$work/console.txt"
  check "$mode: virtio-net on a $transport transport" \
    grep -q "^virtio-net: mmio 0x[0-9a-f]\{8\} $transport\$" "$work/console.txt"
  check "$mode: DHCP lease ip: 10.0.2.15/24" has_line "$work/console.txt" "ip: 10.0.2.15/24"
  check "$mode: listening on port 80 (within 30 s)" has_line "$work/console.txt" "listening on port 80"
  if has_line "$work/console.txt" "listening on port 80"; then  # else every request would wait out its timeout
    www_checks "$mode" "http://127.0.0.1:$port"
  fi

  check "$mode: QEMU still running (no halt, no panic)" kill -0 "$qemu_pid"
  stop_qemu
  tr -d '\r' < "$console" > "$work/console.txt"
  check "$mode: no panic on the console" bash -c "! grep -q '^panic' '$work/console.txt'"
  grep -q '^panic' "$work/console.txt" && sed 's/^/    | /' "$work/console.txt" | tail -n 20
}

run_mode legacy
run_mode modern
finish

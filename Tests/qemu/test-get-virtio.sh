#!/usr/bin/env bash
# Boots `get` on qemu-virt with virtio-net (legacy and modern transports, DHCP from QEMU's user
# networking) to fetch 5 MiB from a Python HTTP server on the host (10.0.2.2 inside the guest),
# and compares the printed SHA-256 with the file's.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
image=$root/build/qemu-virt/get.bin
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/www"
head -c $((5 << 20)) /dev/urandom > "$work/www/file.bin"
expected=$(sha256sum "$work/www/file.bin" | cut -d' ' -f1)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" > "$work/server.log" 2>&1 &
server_pid=$!
timeout 10 bash -c "until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do sleep 0.1; done"

for transport in legacy modern; do
  extra=()
  [ "$transport" = modern ] && extra=(-global virtio-mmio.force-legacy=false)
  echo "get: $transport virtio"
  TIMEOUT=120 "$root/toolchain/boot.sh" qemu-virt "$image" "url=http://10.0.2.2:$port/file.bin" -- \
    -netdev user,id=net0 -device virtio-net-device,netdev=net0 -device virtio-rng-device "${extra[@]}" \
    > "$work/out.txt" 2>&1
  status=$?
  sed 's/^/    | /' "$work/out.txt"
  check "$transport: exit status 0 (got $status)" test "$status" -eq 0
  check "$transport: got 5242880 bytes, sha256 equal" has_line "$work/out.txt" "got 5242880 bytes sha256 $expected"
done
finish

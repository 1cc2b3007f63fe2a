#!/usr/bin/env bash
# The other networked apps on QEMU's cubieboard (Allwinner A10, EMAC on `-nic user`): `echo`
# returns 1 MiB over TCP byte for byte and a UDP datagram; `get` fetches 5 MiB from a Python
# HTTP server on the host (10.0.2.2 inside the guest) and prints the SHA-256 the test compares.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
work=$(mktemp -d)
qemu_pid="" server_pid=""
cleanup() {
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2> /dev/null && wait "$qemu_pid" 2> /dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT

for app in echo get; do
  # Always through make (incremental): a stale image would test old code.
  make -C "$root" --no-print-directory image BOARD=cubieboard APP=$app > "$work/build.log" 2>&1 \
    || { cat "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }
done
dtb=$("$root/toolchain/fetch-armhf.sh" --dtb sun4i-a10-cubieboard.dtb) \
  || { echo "test-cubieboard-apps: no sun4i-a10-cubieboard.dtb"; echo "0 passed, 1 failed"; exit 1; }

free_port() { # free_port tcp|udp: a port the kernel just handed out, so nobody else holds it
  python3 -c 'import socket, sys
kind = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET, kind); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "$1"
}

# echo: 1 MiB through TCP port 7, sent and read back concurrently; one UDP datagram.
head -c 1048576 /dev/urandom > "$work/payload.bin"
tcp_port=$(free_port tcp) udp_port=$(free_port udp)
console=$work/echo-console.txt
: > "$console"
echo "cubieboard echo: tcp $tcp_port, udp $udp_port"
timeout -k 5 180 qemu-system-arm -M cubieboard -m 512 -kernel "$root/build/cubieboard/echo.bin" -dtb "$dtb" \
  -append "ip=dhcp" -display none -monitor none -serial "file:$console" \
  -nic "user,hostfwd=tcp:127.0.0.1:$tcp_port-:7,hostfwd=udp:127.0.0.1:$udp_port-:7" \
  < /dev/null > "$work/qemu-echo.log" 2>&1 &
qemu_pid=$!
timeout 30 bash -c "until grep -q '^ip: 10.0.2.15/24' '$console'; do sleep 0.2; done"
tr -d '\r' < "$console" > "$work/console.txt"
sed 's/^/    | /' "$work/console.txt"
check "echo: DHCP lease ip: 10.0.2.15/24" has_line "$work/console.txt" "ip: 10.0.2.15/24"
expected=$(sha256sum < "$work/payload.bin" | cut -d' ' -f1)
started=$(date +%s%N)
result=$(timeout 60 python3 - "$tcp_port" "$work/payload.bin" 2>&1 << 'PYTHON'
import hashlib, socket, sys, threading
port, path = int(sys.argv[1]), sys.argv[2]
data = open(path, "rb").read()
connection = socket.create_connection(("127.0.0.1", port), timeout=30)
received = bytearray()
def read():
    while len(received) < len(data):
        chunk = connection.recv(65536)
        if not chunk:
            break
        received.extend(chunk)
reader = threading.Thread(target=read)
reader.start()
connection.sendall(data)
reader.join()
connection.close()
print(len(received), hashlib.sha256(received).hexdigest())
PYTHON
)
elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
check "echo: 1 MiB TCP echo, SHA-256 equal ($result, ${elapsed} ms)" test "$result" = "1048576 $expected"
result=$(timeout 20 python3 - "$udp_port" 2>&1 << 'PYTHON'
import os, socket, sys
port = int(sys.argv[1])
message = b"seal udp " + os.urandom(8).hex().encode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for attempt in range(5):
    s.sendto(message, ("127.0.0.1", port))
    try:
        reply, _ = s.recvfrom(2048)
    except socket.timeout:
        continue
    print("match" if reply == message else "mismatch")
    break
else:
    print("timeout")
PYTHON
)
check "echo: UDP datagram echoed ($result)" test "$result" = match
check "echo: QEMU still running, no panic" bash -c "kill -0 $qemu_pid && ! grep -q '^panic' '$console'"
kill "$qemu_pid" 2> /dev/null; wait "$qemu_pid" 2> /dev/null; qemu_pid=""

# get: 5 MiB from the host, through boot.sh (which stops QEMU at the halt marker).
mkdir -p "$work/www"
head -c $((5 << 20)) /dev/urandom > "$work/www/file.bin"
expected=$(sha256sum "$work/www/file.bin" | cut -d' ' -f1)
port=$(free_port tcp)
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" > "$work/server.log" 2>&1 &
server_pid=$!
timeout 10 bash -c "until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do sleep 0.1; done"
echo "cubieboard get: http://10.0.2.2:$port/file.bin"
TIMEOUT=120 "$root/toolchain/boot.sh" cubieboard "$root/build/cubieboard/get.bin" "url=http://10.0.2.2:$port/file.bin" -- \
  -nic user > "$work/out.txt" 2> "$work/get-stderr.txt"
status=$?
sed 's/^/    | /' "$work/out.txt"
check "get: exit status 0 (got $status)" test "$status" -eq 0
check "get: got 5242880 bytes, sha256 equal" has_line "$work/out.txt" "got 5242880 bytes sha256 $expected"
finish

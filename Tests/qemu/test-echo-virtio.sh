#!/usr/bin/env bash
# Boots `echo` on qemu-virt with virtio-net (QEMU user networking, DHCP) and virtio-rng, in the
# legacy (virtio-mmio version 1, with and without ANY_LAYOUT) and modern (version 2) transports, and checks the lease, a
# 1 MiB TCP echo compared by SHA-256, a UDP echo round trip, and that an idle guest sleeps.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
image=$root/build/qemu-virt/echo.bin
work=$(mktemp -d)
qemu_pid=""
cleanup() {
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2> /dev/null && wait "$qemu_pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "$image" ]; then
  make -C "$root" --no-print-directory image BOARD=qemu-virt APP=echo > "$work/build.log" 2>&1 \
    || { cat "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }
fi

free_port() { # free_port tcp|udp: a port the kernel just handed out, so nobody else holds it
  python3 -c 'import socket, sys
kind = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET, kind); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "$1"
}

head -c 1048576 /dev/urandom > "$work/payload.bin"

# TCP: send the payload while reading the echo back; print the echo's SHA-256.
tcp_echo() { # tcp_echo PORT
  python3 - "$1" "$work/payload.bin" << 'PYTHON'
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
}

udp_echo() { # udp_echo PORT: one datagram, retried a few times (UDP may be lost), printed back
  python3 - "$1" << 'PYTHON'
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
}

cpu_ticks() { # utime + stime of a process, in clock ticks
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2> /dev/null || echo 0
}

dhcp_transaction_id() { # dhcp_transaction_id PCAP: the xid of the first DHCP message the guest sent
  python3 - "$1" << 'PYTHON'
import struct, sys
data = open(sys.argv[1], "rb").read()
offset = 24  # pcap file header; then records of (seconds, microseconds, captured, original) + frame
while offset + 16 <= len(data):
    captured = struct.unpack_from("<I", data, offset + 8)[0]
    frame = data[offset + 16 : offset + 16 + captured]
    offset += 16 + captured
    if len(frame) < 14 + 20 + 8 + 8 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        continue
    ip_length = (frame[14] & 0x0F) * 4
    udp = 14 + ip_length
    source, destination = struct.unpack_from(">HH", frame, udp)
    if (source, destination) == (68, 67):
        print(frame[udp + 8 + 4 : udp + 8 + 8].hex())  # BOOTP: op, htype, hlen, hops, then xid
        break
PYTHON
}

transaction_ids=()

run_mode() { # run_mode legacy|modern|legacy-split|no-rng (legacy-split: legacy without ANY_LAYOUT)
  local mode=$1 transport device=virtio-net-device header="header 10 bytes" rng=(-device virtio-rng-device)
  local tcp_port udp_port; tcp_port=$(free_port tcp); udp_port=$(free_port udp)
  local console=$work/console-$mode.txt
  local extra=()
  if [ "$mode" = modern ] || [ "$mode" = no-rng ]; then
    extra=(-global virtio-mmio.force-legacy=false); transport="version 2 (modern)"; header="header 12 bytes"
  else
    transport="version 1 (legacy)"
  fi
  if [ "$mode" = legacy-split ]; then
    device=virtio-net-device,any_layout=off; header="header 10 bytes in its own descriptor"
  fi
  [ "$mode" = no-rng ] && rng=()
  echo "echo-virtio: $mode, tcp $tcp_port, udp $udp_port"
  : > "$console"
  timeout -k 5 180 qemu-system-arm -M virt -cpu cortex-a15 -m 128 -kernel "$image" -append "ip=dhcp" \
    -display none -monitor none -serial "file:$console" "${extra[@]}" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$tcp_port-:7,hostfwd=udp:127.0.0.1:$udp_port-:7" \
    -device "$device,netdev=n0" -object "filter-dump,id=dump0,netdev=n0,file=$work/$mode.pcap" \
    "${rng[@]}" < /dev/null > "$work/qemu-$mode.log" 2>&1 &
  qemu_pid=$!

  local booted; booted=$(date +%s%N)
  timeout 30 bash -c "until grep -q '^ip: 10.0.2.15/24' '$console'; do sleep 0.2; done"
  sed 's/^/    | /' "$console" | tr -d '\r'
  echo "    (lease after $(( ($(date +%s%N) - booted) / 1000000 )) ms)"
  tr -d '\r' < "$console" > "$work/console.txt"
  check "$mode: DHCP lease ip: 10.0.2.15/24" has_line "$work/console.txt" "ip: 10.0.2.15/24"
  check "$mode: virtio-net on a $transport transport" \
    grep -q "^virtio-net: mmio 0x[0-9a-f]\{8\} $transport\$" "$work/console.txt"
  if [ "$mode" = no-rng ]; then
    check "$mode: no virtio-rng" bash -c "! grep -q '^virtio-rng' '$work/console.txt'"
    check "$mode: entropy from the DTB seeds and timer jitter" \
      has_line "$work/console.txt" "entropy: rng-seed 32 bytes, kaslr-seed, timer jitter"
  else
    check "$mode: virtio-rng on a $transport transport" \
      grep -q "^virtio-rng: mmio 0x[0-9a-f]\{8\} $transport\$" "$work/console.txt"
    check "$mode: entropy from virtio-rng, the DTB seeds and timer jitter" \
      has_line "$work/console.txt" "entropy: virtio-rng 32 bytes, rng-seed 32 bytes, kaslr-seed, timer jitter"
  fi
  check "$mode: the device's MAC 52:54:00:12:34:56, $header" \
    grep -q "^virtio-net: mac 52:54:00:12:34:56, irq [0-9]*, $header\$" "$work/console.txt"

  local expected; expected=$(sha256sum < "$work/payload.bin" | cut -d' ' -f1)
  local started; started=$(date +%s%N)
  local result; result=$(timeout 60 bash -c "$(declare -f tcp_echo); work='$work'; tcp_echo $tcp_port" 2>&1)
  local elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
  check "$mode: 1 MiB TCP echo, SHA-256 equal ($result, ${elapsed} ms)" test "$result" = "1048576 $expected"

  result=$(timeout 20 bash -c "$(declare -f udp_echo); udp_echo $udp_port" 2>&1)
  check "$mode: UDP echo round trip ($result)" test "$result" = "match"

  # Idle means asleep in wfi until the next timer or frame: QEMU should use a few percent of
  # a core at most (a busy-polling guest keeps it at 100 %).
  local before; before=$(cpu_ticks "$qemu_pid"); started=$(date +%s%N)
  sleep 3
  local after; after=$(cpu_ticks "$qemu_pid")
  local ticks=$(( after - before )) hz; hz=$(getconf CLK_TCK)
  check "$mode: idle guest sleeps (QEMU used $ticks of $(( 3 * hz )) ticks in 3 s)" test "$ticks" -lt $(( 3 * hz / 4 ))

  check "$mode: QEMU still running (no halt, no panic)" kill -0 "$qemu_pid"
  started=$(date +%s%N)
  kill "$qemu_pid" 2> /dev/null; wait "$qemu_pid" 2> /dev/null; qemu_pid=""
  echo "    (QEMU stopped in $(( ($(date +%s%N) - started) / 1000000 )) ms)"
  local transaction; transaction=$(dhcp_transaction_id "$work/$mode.pcap")
  check "$mode: the guest's DHCP transaction id was captured (${transaction:-none})" test -n "$transaction"
  transaction_ids+=("$transaction")
  check "$mode: no panic on the console" bash -c "! grep -q '^panic' '$work/console.txt'"
}

run_mode legacy
run_mode modern
run_mode legacy-split
run_mode no-rng
# Every boot drew its DHCP transaction id from the entropy source: equal ids would mean a
# constant (or a seed that did not change between boots).
distinct=$(printf '%s\n' "${transaction_ids[@]}" | sort -u | grep -c .)
check "DHCP transaction ids differ across the ${#transaction_ids[@]} boots (${transaction_ids[*]})" \
  test "$distinct" -eq "${#transaction_ids[@]}"
finish

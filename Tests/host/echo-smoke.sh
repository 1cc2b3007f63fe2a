#!/usr/bin/env bash
# Smoke test for the host board's `echo` app, inside a throwaway network namespace (run as root):
# ping, 1 MiB through TCP echo (sha256 compared), TCP discard, one UDP echo datagram, four
# parallel echo connections, idle CPU, and ip=dhcp against dnsmasq (when installed).
# Build first: make image BOARD=host APP=echo (or set ECHO_BIN). Prints "N passed, M failed".
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${ECHO_BIN:-$ROOT/build/host/echo}
PYTHON=/usr/bin/python3
NS=sealtest$$
HOST_ADDRESS=10.0.7.1
SEAL_ADDRESS=10.0.7.2

if [ "$(id -u)" != 0 ]; then echo "echo-smoke: needs root (network namespaces, TAP devices)"; exit 2; fi
if [ ! -x "$BIN" ]; then echo "echo-smoke: $BIN missing: make image BOARD=host APP=echo"; exit 2; fi
for tool in ip ping timeout "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "echo-smoke: $tool not found"; exit 2; }
done

WORK=$(mktemp -d)
PID=
cleanup() {
    if [ -n "$PID" ]; then
        kill "$PID" 2>/dev/null
        timeout 5 tail --pid="$PID" -f /dev/null 2>/dev/null || kill -9 "$PID" 2>/dev/null
    fi
    ip netns del "$NS" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
in_ns() { ip netns exec "$NS" "$@"; }

ip netns add "$NS" || { echo "echo-smoke: cannot create namespace $NS"; exit 2; }
in_ns ip link set lo up
in_ns ip tuntap add dev tap0 mode tap
in_ns ip addr add "$HOST_ADDRESS/24" dev tap0
in_ns ip link set tap0 up

# `ip netns exec` execs the program, so $PID is the app itself.
ip netns exec "$NS" "$BIN" tap=tap0 ip="$SEAL_ADDRESS/24" >"$WORK/echo.log" 2>&1 &
PID=$!

if timeout 10 bash -c "until grep -q '^ip: $SEAL_ADDRESS/24\$' '$WORK/echo.log'; do sleep 0.1; done"; then
    pass "app announced ip: $SEAL_ADDRESS/24"
else
    fail "app did not announce its address within 10 s"
fi

if timeout 20 ip netns exec "$NS" ping -c 3 -W 2 "$SEAL_ADDRESS" >"$WORK/ping.log" 2>&1; then
    pass "ping: $(grep -o '[0-9]* received' "$WORK/ping.log"), $(grep -o 'rtt.*' "$WORK/ping.log")"
else
    fail "ping"; sed 's/^/  /' "$WORK/ping.log"
fi

cat >"$WORK/clients.py" <<'PYTHON'
import hashlib, os, socket, sys, threading, time

host, test = sys.argv[1], sys.argv[2]

def tcp_echo(size):
    data = os.urandom(size)
    s = socket.create_connection((host, 7), timeout=10)
    errors = []
    def sender():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            errors.append(e)
    start = time.monotonic()
    thread = threading.Thread(target=sender)
    thread.start()
    digest, count = hashlib.sha256(), 0
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        digest.update(chunk)
        count += len(chunk)
    thread.join()
    elapsed = time.monotonic() - start
    s.close()
    ok = not errors and count == size and digest.hexdigest() == hashlib.sha256(data).hexdigest()
    print(f"tcp echo: sent {size} received {count} bytes in {elapsed:.2f} s "
          f"({size / elapsed / 1e6:.1f} MB/s), sha256 {'matches' if ok else 'DIFFERS'} {errors or ''}")
    return ok

def tcp_discard(size):
    s = socket.create_connection((host, 9), timeout=10)
    s.sendall(os.urandom(size))
    s.shutdown(socket.SHUT_WR)
    rest = s.recv(1)  # the server closes after our FIN, sending nothing
    s.close()
    print(f"tcp discard: sent {size} bytes, got {len(rest)} back, then end of stream")
    return rest == b""

def udp_echo(size):
    data = os.urandom(size)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    for attempt in range(3):
        s.sendto(data, (host, 7))
        try:
            reply, source = s.recvfrom(65536)
        except socket.timeout:
            continue
        ok = reply == data and source == (host, 7)
        print(f"udp echo: {size} bytes, reply {len(reply)} bytes from {source[0]}:{source[1]}, "
              f"{'identical' if ok else 'DIFFERENT'} (attempt {attempt + 1})")
        return ok
    print("udp echo: no reply in 3 attempts")
    return False

def tcp_echo_parallel(count, size):
    results = [False] * count
    def one(index):
        try:
            results[index] = tcp_echo(size)
        except OSError as e:
            print(f"connection {index}: {e}")
    threads = [threading.Thread(target=one, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return all(results)

tests = {"tcp-echo": lambda: tcp_echo(1 << 20), "tcp-discard": lambda: tcp_discard(256 << 10),
         "udp-echo": lambda: udp_echo(1000), "tcp-echo-parallel": lambda: tcp_echo_parallel(4, 256 << 10)}
try:
    sys.exit(0 if tests[test]() else 1)
except OSError as e:
    print(f"{test}: {e}")
    sys.exit(1)
PYTHON

client() {  # client TEST ADDRESS
    local output
    if output=$(timeout 60 ip netns exec "$NS" "$PYTHON" "$WORK/clients.py" "$2" "$1" 2>&1); then
        pass "$output"
    else
        fail "$1: ${output:-timed out}"
    fi
}
for test in tcp-echo tcp-discard udp-echo tcp-echo-parallel; do client "$test" "$SEAL_ADDRESS"; done

# Idle must cost (nearly) nothing: the loop sleeps in poll(2) until a frame or a deadline.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
before=$(cpu_ticks "$PID"); sleep 3; after=$(cpu_ticks "$PID")
if [ $((after - before)) -le 3 ]; then
    pass "idle: $((after - before)) clock ticks of CPU in 3 s"
else
    fail "idle: $((after - before)) clock ticks of CPU in 3 s (busy loop?)"
fi

if kill -0 "$PID" 2>/dev/null; then
    pass "app still running after the tests"
else
    fail "app exited early"
fi

# ip=dhcp (the default) against dnsmasq on a second TAP device, when dnsmasq is installed.
if command -v dnsmasq >/dev/null; then
    in_ns ip tuntap add dev tap1 mode tap
    in_ns ip addr add 10.0.8.1/24 dev tap1
    in_ns ip link set tap1 up
    ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --interface=tap1 \
        --bind-interfaces --dhcp-range=10.0.8.50,10.0.8.60,255.255.255.0,1h \
        --dhcp-leasefile="$WORK/leases" --pid-file= >"$WORK/dnsmasq.log" 2>&1 &
    DNSMASQ_PID=$!
    ip netns exec "$NS" "$BIN" tap=tap1 >"$WORK/echo-dhcp.log" 2>&1 &
    DHCP_PID=$!
    if timeout 15 bash -c "until grep -q '^ip: 10\.0\.8\.[0-9]*/24\$' '$WORK/echo-dhcp.log'; do sleep 0.1; done"; then
        leased=$(sed -n 's|^ip: \(10\.0\.8\.[0-9]*\)/24$|\1|p' "$WORK/echo-dhcp.log" | head -1)
        pass "dhcp: app announced ip: $leased/24"
        client udp-echo "$leased"
    else
        fail "dhcp: no address within 15 s"; sed 's/^/  /' "$WORK/dnsmasq.log"
    fi
    kill "$DHCP_PID" "$DNSMASQ_PID" 2>/dev/null
    timeout 5 tail --pid="$DHCP_PID" -f /dev/null 2>/dev/null || kill -9 "$DHCP_PID" 2>/dev/null
    timeout 5 tail --pid="$DNSMASQ_PID" -f /dev/null 2>/dev/null || kill -9 "$DNSMASQ_PID" 2>/dev/null
    echo "--- app output (dhcp)"
    sed 's/^/  /' "$WORK/echo-dhcp.log"
else
    echo "SKIP dhcp: dnsmasq not installed"
fi

echo "--- app output"
sed 's/^/  /' "$WORK/echo.log"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

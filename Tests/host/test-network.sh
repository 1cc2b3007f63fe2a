#!/usr/bin/env bash
# The host board against Linux's own stack, inside a network namespace this test creates (root):
# ping; 20 MiB through TCP echo, clean and then over a lossy, delaying, reordering link; TCP
# discard; UDP echo; parallel connections; idle CPU; DHCP and DNS from dnsmasq; `get` fetching
# 5 MiB from Python's HTTP server by name. All traffic stays in the namespace.
#
# Topology: Linux's tap-linux (10.0.7.1) <- Tests/host/impair.py -> tap-seal, opened by the Seal
# process. The relay stands in for `tc qdisc … netem`, which this kernel lacks (no sch_netem).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
python=/usr/bin/python3
namespace=sealnet$$
linux_address=10.0.7.1
seal_address=10.0.7.2
work=$(mktemp -d)
source "$root/Tests/host/lib.sh"
trap host_cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "test-network: needs root"; echo "0 passed, 1 failed"; exit 1; }
client() { # client DESCRIPTION TIMEOUT TEST HOST [SIZE]
  local description=$1 limit=$2; shift 2
  local output
  output=$(timeout "$limit" ip netns exec "$namespace" "$python" "$root/Tests/host/clients.py" "$@" 2>&1)
  local status=$?
  echo "    $output"
  check "$description" test "$status" -eq 0
}

make_namespace

echo "network: clean link, ip=$seal_address/24"
start_relay "$linux_address"
start "$work/echo.log" "$root/build/host/echo" tap=tap-seal ip=$seal_address/24
echo_pid=$last_pid
check "echo announced ip: $seal_address/24" wait_for_line "$work/echo.log" "^ip: $seal_address/24\$" 10
check "ping answered 3 of 3" timeout 20 ip netns exec "$namespace" ping -c 3 -W 2 -q "$seal_address"
client "20 MiB through TCP echo, sha256 equal" 120 "$seal_address" tcp-echo $((20 << 20))
client "TCP discard takes 256 KiB and closes" 30 "$seal_address" tcp-discard
client "UDP echo returns the datagram" 20 "$seal_address" udp-echo
client "4 parallel TCP echo connections" 60 "$seal_address" tcp-echo-parallel
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
before=$(cpu_ticks "$echo_pid"); sleep 3; after=$(cpu_ticks "$echo_pid")
check "idle: $((after - before)) ticks of CPU in 3 s (at most 3)" test $((after - before)) -le 3
stop "$relay_pid"

echo "network: 3% loss, 5 ms delay, 10% reordered, both ways"
start_relay "$linux_address" --loss 0.03 --delay 0.005 --reorder 0.10 --seed $$
client "20 MiB through TCP echo over the lossy link, sha256 equal" 600 "$seal_address" tcp-echo $((20 << 20))
check "echo still running" kill -0 "$echo_pid"
stop "$echo_pid"; stop "$relay_pid"
grep impair "$work/relay.log" | sed 's/^/    /'

echo "network: dnsmasq (DHCP and DNS) and an HTTP server"
start_relay "$linux_address"
mkdir -p "$work/www"
head -c $((5 << 20)) /dev/urandom > "$work/www/file.bin"
expected=$(sha256sum "$work/www/file.bin" | cut -d' ' -f1)
start "$work/dnsmasq.log" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
  --interface=tap-linux --bind-interfaces --dhcp-range=10.0.7.50,10.0.7.60,255.255.255.0,1h \
  --dhcp-leasefile="$work/leases" --pid-file= --address=/files.seal.test/$linux_address --log-queries --log-facility=-
start "$work/http.log" "$python" -m http.server 8000 --bind "$linux_address" --directory "$work/www"
sleep 0.5
start "$work/echo-dhcp.log" "$root/build/host/echo" tap=tap-seal
dhcp_pid=$last_pid
if check "ip=dhcp: echo announced an address from dnsmasq's range" \
     wait_for_line "$work/echo-dhcp.log" '^ip: 10\.0\.7\.(5[0-9]|60)/24$' 20; then
  leased=$(sed -n 's|^ip: \(10\.0\.7\.[0-9]*\)/24$|\1|p' "$work/echo-dhcp.log" | head -n 1)
  client "UDP echo at the leased address $leased" 20 "$leased" udp-echo
fi
stop "$dhcp_pid"
timeout 120 ip netns exec "$namespace" "$root/build/host/get" tap=tap-seal url=http://files.seal.test:8000/file.bin \
  > "$work/get.log" 2>&1
status=$?
sed 's/^/    | /' "$work/get.log"
check "get exits 0 (got $status)" test "$status" -eq 0
check "get: 5 MiB by name through dnsmasq's DNS, sha256 equal" grep -qx "got 5242880 bytes sha256 $expected" "$work/get.log"
check "dnsmasq answered the query" grep -q "query\[A\] files.seal.test" "$work/dnsmasq.log"
finish

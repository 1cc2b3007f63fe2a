#!/usr/bin/env bash
# TCP echo throughput, 20 MiB through Tests/host/clients.py, inside a network namespace this
# script creates (root): Seal's `host` echo (build/host/echo) behind the topology of
# Tests/host/test-network.sh — Linux's tap-linux (10.0.7.1) <- Tests/host/impair.py (no
# impairment) -> tap-seal — and, in the same namespace, `socat TCP-LISTEN:7,fork,reuseaddr PIPE`
# on 10.0.7.1 (Linux talking to its own address: that is loopback, no tap and no relay).
# The Seal binary is $ECHO_BINARY (default build/host/echo).
# Prints key=value lines: seal_echo_mbps, socat_echo_mbps (MB/s, 10^6 bytes; n/a on failure).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_traps
root=$bench_root
python=/usr/bin/python3
size=$((20 << 20))
namespace=sealbench$$
linux_address=10.0.7.1
seal_address=10.0.7.2
work=$(mktemp -d); bench_dirs+=("$work")

if [ "$(id -u)" != 0 ]; then
  log "echo: needs root for the network namespace"
  echo "seal_echo_mbps=n/a"; echo "socat_echo_mbps=n/a"; exit 0
fi
cleanup() { bench_cleanup; ip netns del "$namespace" 2> /dev/null; }
trap cleanup EXIT

in_namespace() { ip netns exec "$namespace" "$@"; }
start() { # start LOG COMMAND...: runs in the namespace in the background
  local output=$1; shift
  ip netns exec "$namespace" "$@" > "$output" 2>&1 &
  last_pid=$!
  remember "$last_pid"
}
wait_for() { timeout "$2" bash -c "until $1; do sleep 0.1; done"; }
transfer() { # transfer HOST: prints MB/s of one 20 MiB TCP echo, or n/a
  local output
  output=$(timeout 300 ip netns exec "$namespace" "$python" "$root/Tests/host/clients.py" "$1" tcp-echo "$size" 2>&1)
  log "echo: $1: $output"
  if echo "$output" | grep -q "sha256 matches"; then
    echo "$output" | sed -n 's/.*(\([0-9.]*\) MB\/s).*/\1/p'
  else
    echo "n/a"
  fi
}

ip netns add "$namespace"
in_namespace ip link set lo up
in_namespace sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
in_namespace ip tuntap add dev tap-linux mode tap
in_namespace ip tuntap add dev tap-seal mode tap
in_namespace ip link set tap-seal up
start "$work/relay.log" "$python" "$root/Tests/host/impair.py" tap-linux tap-seal
relay_pid=$last_pid
sleep 0.5
in_namespace ip addr replace "$linux_address/24" dev tap-linux
in_namespace ip link set tap-linux up

seal=n/a
echo_binary=${ECHO_BINARY:-$root/build/host/echo}
if [ -x "$echo_binary" ]; then
  start "$work/echo.log" "$echo_binary" tap=tap-seal ip=$seal_address/24
  echo_pid=$last_pid
  if wait_for "grep -qx 'ip: $seal_address/24' '$work/echo.log'" 10; then
    seal=$(transfer "$seal_address")
  else
    log "echo: Seal did not announce its address: $(tail -n 3 "$work/echo.log" | tr '\n' ' ')"
  fi
  stop_pid "$echo_pid"
fi
stop_pid "$relay_pid"
echo "seal_echo_mbps=$seal"

start "$work/socat.log" socat TCP-LISTEN:7,bind=$linux_address,fork,reuseaddr PIPE
socat_pid=$last_pid
socat=n/a
if wait_for "ip netns exec $namespace ss -ltn | grep -q '$linux_address:7 '" 10; then
  socat=$(transfer "$linux_address")
fi
stop_pid "$socat_pid"
echo "socat_echo_mbps=$socat"

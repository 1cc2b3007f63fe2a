# Shared set-up for the host-board tests: a network namespace of the test's own, background
# processes that are always stopped, and the link between Linux's TAP device (tap-linux, owned
# by Tests/host/impair.py) and the one the Seal process opens (tap-seal).
# Needs: root, python (path), namespace (name), work (a scratch folder).
pids=()

host_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do timeout 5 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -9 "$pid" 2>/dev/null; done
  ip netns del "$namespace" 2>/dev/null
  rm -rf "$work"
}

in_namespace() { ip netns exec "$namespace" "$@"; }

start() { # start LOG COMMAND...: runs in the namespace in the background, remembers the pid in last_pid
  local log=$1; shift
  ip netns exec "$namespace" "$@" > "$log" 2>&1 &
  last_pid=$!
  pids+=("$last_pid")
}

stop() { kill "$1" 2>/dev/null; timeout 5 tail --pid="$1" -f /dev/null 2>/dev/null || kill -9 "$1" 2>/dev/null; }

wait_for_line() { timeout "$3" bash -c "until grep -sqE '$2' '$1'; do sleep 0.1; done"; }

# make_namespace: the namespace with loopback up, IPv6 off, and both TAP devices.
make_namespace() {
  ip netns add "$namespace"
  in_namespace ip link set lo up
  in_namespace sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  in_namespace ip tuntap add dev tap-linux mode tap
  in_namespace ip tuntap add dev tap-seal mode tap
  in_namespace ip link set tap-seal up
}

# start_relay LINUX_ADDRESS [impair.py options]: the relay between the two TAPs, then Linux's
# address on its side; the relay's pid is in relay_pid.
start_relay() {
  local address=$1; shift
  start "$work/relay.log" "$python" "$root/Tests/host/impair.py" tap-linux tap-seal "$@"
  relay_pid=$last_pid
  sleep 0.5
  in_namespace ip addr replace "$address/24" dev tap-linux
  in_namespace ip link set tap-linux up
}

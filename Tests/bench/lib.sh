# Shared helpers for the bench scripts (sourced). Measures only; nothing here asserts a timing.
# Every background process a script starts goes through `remember` and is killed by `bench_cleanup`
# (installed as the EXIT trap by `bench_traps`); every wait is bounded by `timeout` or a deadline.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench_pids=()
bench_dirs=()
guest_pid="" guest_wrapper="" guest_started=0 http_ms="n/a"

remember() { bench_pids+=("$@"); }
# Drops a pid that has been reaped, so the exit trap never signals a recycled pid.
forget() {
  local keep=() pid
  for pid in "${bench_pids[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
  bench_pids=("${keep[@]}")
}

bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do kill "$pid" 2> /dev/null; done
  for pid in "${bench_pids[@]}"; do
    timeout 5 tail --pid="$pid" -f /dev/null 2> /dev/null || kill -9 "$pid" 2> /dev/null
  done
  for dir in "${bench_dirs[@]}"; do rm -rf "$dir"; done
}

bench_traps() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

log() { echo "bench: $*" >&2; }

now_ns() { date +%s%N; }

# The median of the numbers on stdin ("n/a" when there are none).
median() { grep -E '^[0-9.]+$' | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else print v[int((NR + 1) / 2)] }'; }

# A TCP port on 127.0.0.1 the kernel just handed out, so nobody else holds it.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# user time + system time of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2> /dev/null || echo 0; }

# Stops one process: TERM, then KILL if it is still there after 5 s.
stop_pid() {
  [ -n "${1:-}" ] || return 0
  kill "$1" 2> /dev/null
  timeout 5 tail --pid="$1" -f /dev/null 2> /dev/null || kill -9 "$1" 2> /dev/null
  wait "$1" 2> /dev/null
  forget "$1"
  return 0
}

# start_guest MEMORY KERNEL INITRD APPEND PORT CONSOLE LIMIT
# Boots one qemu-virt guest in the background with the one command line both Seal and Linux get
# (INITRD may be empty), forwarding 127.0.0.1:PORT to the guest's port 80. Sets guest_pid (the
# QEMU process itself, not `timeout`), guest_wrapper (the `timeout` around it, which ends QEMU
# after LIMIT seconds in any case) and guest_started (ns, taken just before QEMU is started).
start_guest() {
  local memory=$1 kernel=$2 initrd=$3 append=$4 port=$5 console=$6 limit=$7
  local initrd_args=()
  [ -n "$initrd" ] && initrd_args=(-initrd "$initrd")
  : > "$console"
  guest_started=$(now_ns)
  # GUEST_BOARD=cubieboard: QEMU's Allwinner A10 (-m 512 or 1024 only), its EMAC, GUEST_DTB.
  local machine=(-M virt -cpu cortex-a15 -m "$memory")
  local network=(-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:80" -device virtio-net-device,netdev=n0)
  if [ "${GUEST_BOARD:-qemu-virt}" = cubieboard ]; then
    machine=(-M cubieboard -m 512 -dtb "$GUEST_DTB")
    network=(-nic "user,hostfwd=tcp:127.0.0.1:$port-:80")
  fi
  timeout -k 2 "$limit" qemu-system-arm "${machine[@]}" -kernel "$kernel" \
    "${initrd_args[@]}" -append "$append" "${network[@]}" \
    -display none -serial "file:$console" -monitor none < /dev/null > "$console.qemu" 2>&1 &
  guest_wrapper=$!
  remember "$guest_wrapper"
  guest_pid=""
  local tries
  for tries in $(seq 100); do
    guest_pid=$(pgrep -P "$guest_wrapper" | head -n 1)
    [ -n "$guest_pid" ] && break
    sleep 0.01
  done
  [ -n "$guest_pid" ] && remember "$guest_pid"
}

stop_guest() {
  stop_pid "$guest_pid"
  stop_pid "$guest_wrapper"
  guest_pid="" guest_wrapper=""
}

# wait_http PORT PATH LIMIT CONSOLE: polls http://127.0.0.1:PORT/PATH every 20 ms until one
# answer is 200 and sets http_ms to the milliseconds from guest_started to that answer, or "n/a" after
# LIMIT seconds or once the guest is gone or its console shows a kernel panic.
# Polls overlap (each curl is bounded to 1 s): QEMU's user network accepts the host side of a
# connection at once and then retransmits its SYN to a guest that is not up yet, so a poll
# started too early would otherwise hide the moment the guest starts answering.
wait_http() {
  local port=$1 path=$2 limit=$3 console=$4
  local marker deadline pollers=() result="n/a"
  marker=$(mktemp)
  deadline=$(( $(now_ns) + limit * 1000000000 ))
  while [ "$(now_ns)" -lt "$deadline" ]; do
    if [ -s "$marker" ]; then
      result=$(( ($(sort -n "$marker" | head -n 1) - guest_started) / 1000000 ))
      break
    fi
    if [ -z "$guest_pid" ] || ! kill -0 "$guest_pid" 2> /dev/null; then break; fi
    if [ -n "$console" ] && grep -q "Kernel panic" "$console" 2> /dev/null; then break; fi
    ( code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port$path" 2> /dev/null)
      [ "$code" = 200 ] && now_ns >> "$marker" ) &
    pollers+=($!)
    sleep 0.02
  done
  # A poll that already succeeded may not have been read yet.
  if [ "$result" = "n/a" ] && [ -s "$marker" ]; then
    result=$(( ($(sort -n "$marker" | head -n 1) - guest_started) / 1000000 ))
  fi
  for pid in "${pollers[@]}"; do timeout 3 tail --pid="$pid" -f /dev/null 2> /dev/null || kill "$pid" 2> /dev/null; done
  wait "${pollers[@]}" 2> /dev/null
  rm -f "$marker"
  http_ms=$result
}

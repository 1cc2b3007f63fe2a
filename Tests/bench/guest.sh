#!/usr/bin/env bash
# Measures one web-serving qemu-virt guest, booted by start_guest (lib.sh) — the same QEMU command
# line for Seal and Linux — and prints key=value lines:
#   boot_ms       QEMU start -> first HTTP 200 for / (median of RUNS boots, curl polls every 20 ms)
#   boots         the single boot times, comma-separated
#   idle_cpu      % of one host core QEMU used over IDLE_SECONDS with the guest idle after boot
#   rps, failed   `ab -n 5000 -c 8` requests/s on / and its failed plus non-2xx requests
#   mbps          MB/s (10^6 bytes) of one GET of BIG_PATH (curl's speed_download), big_bytes its size
#   min_memory    smallest -m of MEMORIES (searched downward, stopping at the first failure)
#                 with which / still answers 200; first_failed_memory the one that did not
#   Tests/bench/guest.sh NAME KERNEL INITRD APPEND BIG_PATH [MEMORY_INITRD]
# INITRD may be empty; MEMORY_INITRD (default INITRD) is the initrd for the -m search.
# Environment: RUNS (5), MEMORY (256), BOOT_LIMIT (s, 60), IDLE_SECONDS (10), REQUESTS (5000),
# MEMORIES ("256 128 96 64 56 48 32 24 16 12 8").
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_traps
name=$1 kernel=$2 initrd=$3 append=$4 big_path=$5 memory_initrd=${6:-$3}
runs=${RUNS:-5} memory=${MEMORY:-256} boot_limit=${BOOT_LIMIT:-60} idle_seconds=${IDLE_SECONDS:-10}
requests=${REQUESTS:-5000}
memories=${MEMORIES-256 128 96 64 56 48 32 24 16 12 8}  # set but empty: no search
work=$(mktemp -d); bench_dirs+=("$work")
console=$work/console
# A guest gets boot_limit to answer, plus room for the measurements that follow on the last boot.
guest_limit=$((boot_limit + 600))

boot() { # boot MEMORY INITRD: starts the guest; sets http_ms to the ms to the first 200 (or n/a)
  local port
  port=$(free_port)
  guest_port=$port
  start_guest "$1" "$kernel" "$2" "$append" "$port" "$console" "$guest_limit"
  wait_http "$port" / "$boot_limit" "$console"
}

times=()
for run in $(seq "$runs"); do
  boot "$memory" "$initrd"; ms=$http_ms
  times+=("$ms")
  log "$name: boot $run: $ms ms"
  if [ "$run" -lt "$runs" ] || [ "$ms" = "n/a" ]; then stop_guest; fi
done
echo "boot_ms=$(printf '%s\n' "${times[@]}" | median)"
echo "boots=$(IFS=,; echo "${times[*]}")"

if [ "${times[-1]}" != "n/a" ]; then
  # The last boot stays up: idle first (nothing has touched it but the boot poll), then load.
  sleep 2
  ticks_per_second=$(getconf CLK_TCK)
  before=$(cpu_ticks "$guest_pid"); sleep "$idle_seconds"; after=$(cpu_ticks "$guest_pid")
  if kill -0 "$guest_pid" 2> /dev/null; then
    echo "idle_cpu=$(awk -v t=$((after - before)) -v s="$idle_seconds" -v hz="$ticks_per_second" \
      'BEGIN { printf "%.1f", 100 * t / (s * hz) }')"
  else
    echo "idle_cpu=n/a"
  fi
  log "$name: idle: $((after - before)) ticks in $idle_seconds s"

  timeout 600 ab -n "$requests" -c 8 "http://127.0.0.1:$guest_port/" > "$work/ab.log" 2>&1
  rps=$(awk '/^Requests per second:/ { print $4 }' "$work/ab.log")
  completed=$(awk '/^Complete requests:/ { print $3 }' "$work/ab.log")
  failed=$(awk '/^Failed requests:/ { print $3 }' "$work/ab.log")
  non2xx=$(awk '/^Non-2xx responses:/ { print $3 }' "$work/ab.log")
  if [ -z "$rps" ]; then
    log "$name: ab did not finish: $(tail -n 2 "$work/ab.log" | tr '\n' ' ')"
    echo "rps=n/a"; echo "failed=ab aborted"
  else
    echo "rps=$rps"
    echo "failed=$(( ${failed:-0} + ${non2xx:-0} + requests - ${completed:-0} ))"
  fi
  log "$name: ab: $rps requests/s, failed ${failed:-?}, non-2xx ${non2xx:-0}"

  read -r code size speed < <(timeout 300 curl -s -o /dev/null --max-time 280 \
    -w '%{http_code} %{size_download} %{speed_download}\n' "http://127.0.0.1:$guest_port$big_path")
  if [ "${code:-}" = 200 ]; then
    echo "mbps=$(awk -v s="$speed" 'BEGIN { printf "%.1f", s / 1e6 }')"
  else
    echo "mbps=n/a"
  fi
  echo "big_bytes=${size:-0}"
  log "$name: GET $big_path: status ${code:-none}, $size bytes at $speed B/s"
  stop_guest
fi

smallest=n/a first_failed=none
for m in $memories; do
  boot "$m" "$memory_initrd"; ms=$http_ms
  stop_guest
  log "$name: -m $m: ${ms} ms to the first 200"
  if [ "$ms" = "n/a" ]; then first_failed=$m; break; fi
  smallest=$m
done
echo "min_memory=$smallest"
echo "first_failed_memory=$first_failed"

#!/usr/bin/env bash
# `make bench`: one table of what Seal costs, side by side with Linux, measured in one run on this
# machine (everything sequential). Measures and prints only; never asserts a timing.
#   hello.sh     the `hello` image: bytes, QEMU start -> console lines
#   guest.sh     a web-serving qemu-virt guest: Seal `www` and a Debian armmp Linux running busybox
#                httpd (linux-guest.sh assembles it), booted by the same QEMU command line
#   echo.sh      20 MiB TCP echo: Seal's `host` board vs socat, in a network namespace
# Environment: RUNS (boots per median, 5), REQUESTS (ab requests, 5000), MEMORY (-m of the
# measuring boots, 256 MiB for both guests; the smallest -m that serves is searched separately).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_traps
root=$bench_root
cd "$root"
bench=$root/Tests/bench
mkdir -p build/bench
started=$(date +%s)
declare -A r=()
export MEMORY=${MEMORY:-256}

collect() { # collect PREFIX COMMAND...: runs a measuring script, keeps its key=value lines as r[PREFIXkey]
  local prefix=$1 line; shift
  while IFS= read -r line; do
    case "$line" in *=*) r[$prefix${line%%=*}]=${line#*=} ;; esac
  done < <("$@")
}

build() { # build BOARD APP: prints nothing; returns the build's status, its log under build/bench/
  local log=build/bench/image-$1-$2.log
  log "building $2 for $1"
  if ! make --no-print-directory image BOARD="$1" APP="$2" > "$log" 2>&1; then
    log "make image BOARD=$1 APP=$2 failed; last lines of $log:"; tail -n 15 "$log" >&2
    return 1
  fi
}

# 1. hello
if build qemu-virt hello; then collect "" "$bench/hello.sh"; fi

# 2. www: Seal vs Linux on qemu-virt
seal_append="ip=10.0.2.15/24,10.0.2.2"
linux_append="console=ttyAMA0 quiet"
if build qemu-virt www; then
  # A copy, so that a concurrent `make image` neither changes it under the bench nor finds it busy.
  cp build/qemu-virt/www.bin build/bench/www.bin
  r[seal_bytes]=$(stat -c %s build/bench/www.bin)
  log "measuring Seal www"
  BOOT_LIMIT=20 collect seal_ "$bench/guest.sh" seal build/bench/www.bin "" "$seal_append" /bytes/20971520
fi
log "assembling the Linux guest"
if collect linux_guest_ "$bench/linux-guest.sh" build/bench/linux && [ -n "${r[linux_guest_kernel]:-}" ]; then
  kernel=${r[linux_guest_kernel]} initrd=${r[linux_guest_initrd]}
  r[linux_kernel_bytes]=$(stat -c %s "$kernel")
  r[linux_initrd_bytes]=$(stat -c %s "$initrd")
  r[linux_bytes]=$(( r[linux_kernel_bytes] + r[linux_initrd_bytes] ))
  log "measuring Linux (${r[linux_guest_kernel_package]})"
  BOOT_LIMIT=60 collect linux_ "$bench/guest.sh" linux "$kernel" "$initrd" "$linux_append" /bytes20 \
    "${r[linux_guest_initrd_site]}"
else
  log "could not assemble the Linux guest"
fi

# 3. Storage on virtio-blk: Seal's diskbench (FAT, KV) vs Linux's dd
if build qemu-virt diskbench; then
  cp build/qemu-virt/diskbench.bin build/bench/diskbench.bin
  collect "" "$bench/disk.sh" build/bench/diskbench.bin "${r[linux_guest_kernel]:-}" "${r[linux_guest_initrd_disk]:-}"
fi

# 4. www on the Cubieboard: QEMU -M cubieboard with its Debian DTB and the EMAC, Seal vs the same
# Linux kernel with the EMAC's modules (QEMU takes only -m 512 or 1024 there: no -m search).
cubieboard_dtb=$(toolchain/fetch-armhf.sh --dtb sun4i-a10-cubieboard.dtb 2> /dev/null)
if [ -f "$cubieboard_dtb" ] && build cubieboard www; then
  cp build/cubieboard/www.bin build/bench/www-cubieboard.bin
  r[cubieboard_seal_bytes]=$(stat -c %s build/bench/www-cubieboard.bin)
  log "measuring Seal www on the Cubieboard"
  GUEST_BOARD=cubieboard GUEST_DTB=$cubieboard_dtb MEMORIES="" BOOT_LIMIT=30 \
    collect cubieboard_seal_ "$bench/guest.sh" seal build/bench/www-cubieboard.bin "" "$seal_append" /bytes/20971520
  if [ -f "${r[linux_guest_initrd_cubieboard]:-}" ]; then
    r[cubieboard_linux_bytes]=$(( r[linux_kernel_bytes] + $(stat -c %s "${r[linux_guest_initrd_cubieboard]}") ))
    log "measuring Linux on the Cubieboard"
    GUEST_BOARD=cubieboard GUEST_DTB=$cubieboard_dtb MEMORIES="" BOOT_LIMIT=120 \
      collect cubieboard_linux_ "$bench/guest.sh" linux "${r[linux_guest_kernel]}" "${r[linux_guest_initrd_cubieboard]}" \
      "console=ttyS0 quiet" /bytes20
  fi
fi

# 5. Xen: `xl create` -> first HTTP 200 from dom0, Seal www (xen-arm) vs a Linux domU running
# busybox httpd, on the same Xen 4.17 + Linux dom0 rig (Tests/xen/).
if build xen-arm www; then
  r[xen_seal_bytes]=$(stat -c %s build/xen-arm/www.zImage)
  log "measuring xl create -> first HTTP 200 under Xen (Seal www and a Linux busybox httpd domU)"
  collect "" "$bench/xen.sh" build/xen-arm/www.zImage
fi

# 6. TCP echo on the host board vs socat
# build/host/echo may be running in another test ("Text file busy" for make's cp): then the binary
# swift just linked is used. The bench runs its own copy, so it never holds build/host/echo busy.
rm -f build/bench/host-echo
if build host echo; then
  cp build/host/echo build/bench/host-echo
elif grep -q "Text file busy" build/bench/image-host-echo.log; then
  log "build/host/echo is busy; using the freshly linked build/host/.swiftpm/echo/release/Image"
  cp build/host/.swiftpm/echo/release/Image build/bench/host-echo
fi
[ -x build/bench/host-echo ] && ECHO_BINARY=$root/build/bench/host-echo collect "" "$bench/echo.sh"

# The table.
v() { local value=${r[$1]:-}; echo "${value:-n/a}"; }
number() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.1f", a / b }'; }
verdict() { # verdict CONDITION-AS-AWK A B [NOTE]: yes/no when A and B are numbers, else n/a
  local condition=$1 a=$2 b=$3 note=${4:-}
  if number "$a" && number "$b"; then
    if awk -v a="$a" -v b="$b" "BEGIN { exit !($condition) }"; then echo "yes$note"; else echo "no$note"; fi
  else
    echo "n/a"
  fi
}
line() { printf '| %-53s | %10s | %21s | %14s | %13s |\n' "$@"; }
rule() { printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..55})" "$(printf -- '-%.0s' {1..12})" \
  "$(printf -- '-%.0s' {1..23})" "$(printf -- '-%.0s' {1..16})" "$(printf -- '-%.0s' {1..15})"; }

runs=${RUNS:-5}
seal_boot=$(v seal_boot_ms) linux_boot=$(v linux_boot_ms)
seal_rps=$(v seal_rps) linux_rps=$(v linux_rps)
seal_mbps=$(v seal_mbps) linux_mbps=$(v linux_mbps)
boot_ratio="" rps_ratio=""
number "$seal_boot" && number "$linux_boot" && [ "$seal_boot" != 0 ] && boot_ratio=" $(ratio "$linux_boot" "$seal_boot")x"
number "$seal_rps" && number "$linux_rps" && rps_ratio=" $(ratio "$seal_rps" "$linux_rps")x"
linux_bytes=$(v linux_bytes)
seal_failed=$(v seal_failed) linux_failed=$(v linux_failed)
seal_memory=$(v seal_min_memory) linux_memory=$(v linux_min_memory)

echo
line "measure" "Seal" "Linux" "Seal target" "Seal met"
rule
line "hello: image bytes (hello.bin)" "$(v hello_bytes)" "" "<= 16384" "$(verdict 'a <= 16384' "$(v hello_bytes)" 0)"
line "hello:   of which .text" "$(v hello_text)" "" "" ""
line "hello: QEMU start -> 'sealed: yes' (ms, median of $runs)" "$(v hello_sealed_ms)" "" "" ""
line "hello: QEMU start -> 'tick 1' (ms, incl. 1 s wait)" "$(v hello_tick_ms)" "" "" ""
line "www: image bytes (Linux: zImage + initramfs)" "$(v seal_bytes)" "$linux_bytes" "<= 131072" \
  "$(verdict 'a <= 131072' "$(v seal_bytes)" 0)"
line "www: QEMU start -> first HTTP 200 (ms, median $runs)" "$seal_boot" "$linux_boot" ">= 30x faster" \
  "$(verdict 'a * 30 <= b' "$seal_boot" "$linux_boot" "$boot_ratio")"
line "www: requests/s (ab -n $(( ${REQUESTS:-5000} )) -c 8, GET /)" "$seal_rps" "$linux_rps" ">= 2x Linux" \
  "$(verdict 'a >= 2 * b' "$seal_rps" "$linux_rps" "$rps_ratio")"
line "www:   failed requests (ab failed + non-2xx)" "$seal_failed" "$linux_failed" "0" \
  "$(verdict 'a == 0' "$seal_failed" 0)"
line "www: MB/s, one GET of 20 MiB (curl)" "$seal_mbps" "$linux_mbps" ">= Linux" \
  "$(verdict 'a >= b' "$seal_mbps" "$linux_mbps")"
line "www: smallest -m (MiB) still serving /" "$seal_memory" "$linux_memory" "8" \
  "$(verdict 'a <= 8' "$seal_memory" 0)"
line "www:   first -m tried that did not serve" "$(v seal_first_failed_memory)" "$(v linux_first_failed_memory)" "" ""
line "www: host CPU of the idle guest (% of a core, 10 s)" "$(v seal_idle_cpu)" "$(v linux_idle_cpu)" "<= 1" \
  "$(verdict 'a <= 1' "$(v seal_idle_cpu)" 0)"
line "disk: 64 MiB sequential write + sync (MB/s)" "$(v seal_fat_write_mbps) FAT" "$(v linux_dd_write_mbps) dd" "" ""
line "disk: 64 MiB sequential read (MB/s)" "$(v seal_fat_read_mbps) FAT" "$(v linux_dd_read_mbps) dd" "" ""
line "disk: KV puts/s, 100-byte values, sync every 100" "$(v seal_kv_puts_per_second)" "" "" ""
line "cubieboard www: image bytes (Linux: kernel + initrd)" "$(v cubieboard_seal_bytes)" "$(v cubieboard_linux_bytes)" "" ""
line "cubieboard www: QEMU start -> first HTTP 200 (ms)" "$(v cubieboard_seal_boot_ms)" "$(v cubieboard_linux_boot_ms)" "" ""
line "cubieboard www: requests/s (ab -c 8, GET /)" "$(v cubieboard_seal_rps)" "$(v cubieboard_linux_rps)" "" ""
line "cubieboard www:   failed requests" "$(v cubieboard_seal_failed)" "$(v cubieboard_linux_failed)" "" ""
line "cubieboard www: MB/s, one GET of 20 MiB (curl)" "$(v cubieboard_seal_mbps)" "$(v cubieboard_linux_mbps)" "" ""
line "cubieboard www: host CPU of the idle guest (%)" "$(v cubieboard_seal_idle_cpu)" "$(v cubieboard_linux_idle_cpu)" "" ""
line "xen domU www: image bytes (www.zImage)" "$(v xen_seal_bytes)" "" "" ""
line "xen domU www: xl create -> first HTTP 200 (ms, median)" "$(v xen_seal_http_ms)" "$(v xen_linux_http_ms)" "" ""
line "xen domU www:   of which xl create itself (ms)" "$(v xen_seal_create_ms)" "$(v xen_linux_create_ms)" "" ""
line "host: TCP echo, 20 MiB (MB/s)" "$(v seal_echo_mbps)" "$(v socat_echo_mbps) (loopback)" "" ""
echo
echo "Seal: build/qemu-virt/{hello,www}.bin, build/host/echo (run from copies under build/bench/); www booted with -append \"$seal_append\"."
echo "Linux: ${r[linux_guest_kernel_package]:-?} zImage ($(v linux_kernel_bytes) bytes) + busybox-static initramfs"
echo "  ($(v linux_initrd_bytes) bytes, gzip; holds bytes20, the 20 MiB file) with -append \"$linux_append\";"
echo "  its -m search boots the same initramfs without bytes20, which would otherwise take 20 MiB of RAM."
echo "Same QEMU line for both: qemu-system-arm -M virt -cpu cortex-a15 -m $MEMORY -kernel … [-initrd …] -append …"
echo "  -netdev user,hostfwd=tcp:127.0.0.1:PORT-:80 -device virtio-net-device; boot times: Seal $(v seal_boots), Linux $(v linux_boots) ms."
echo "Disk: a 192 MiB raw image on virtio-blk (cache=writethrough), -m 256; Seal's diskbench writes and reads"
echo "  /bench.bin through FAT32 on partition 1 and puts into KV on partition 2; Linux runs busybox dd on"
echo "  /dev/vda1 (bs=64k, conv=fsync; caches dropped before the read)."
echo "Cubieboard: qemu-system-arm -M cubieboard -m 512 -dtb sun4i-a10-cubieboard.dtb (Debian's) -nic user,hostfwd=…;"
echo "  Linux gets the same zImage with sun4i-emac and mdio-sun4i in its initramfs, -append \"console=ttyS0 quiet\"."
echo "TCP echo: Seal through Tests/host/impair.py (tap-linux <-> tap-seal, no impairment); socat PIPE on"
echo "  10.0.7.1 in the same namespace — Linux talking to its own address, i.e. loopback, no tap or relay."
echo "bench took $(( $(date +%s) - started )) s"

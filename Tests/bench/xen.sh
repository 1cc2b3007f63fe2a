#!/usr/bin/env bash
# `make bench`, Xen part: one boot of the Linux dom0 rig (Tests/xen/boot-dom0.sh) that measures, in
# dom0 with dom0's clock, domU `xl create` -> first HTTP 200 on GET / for Seal's `www` (xen-arm)
# and for a Linux domU running busybox httpd (the rig's armmp-lpae zImage with
# Tests/xen/httpd-domU-init.sh), each created XEN_RUNS times (default 3) and destroyed in between.
# Measures and prints only; never asserts a timing.
#   Tests/bench/xen.sh [SEAL_WWW_ZIMAGE]   (default build/xen-arm/www.zImage; missing: Seal n/a)
# Prints key=value lines (for bench.sh's `collect "" Tests/bench/xen.sh`): xen_seal_http_ms,
# xen_linux_http_ms (medians of xl create started -> first 200), xen_seal_create_ms,
# xen_linux_create_ms (xl create's own time), xen_seal_answer_ms, xen_linux_answer_ms (xl create
# returned -> first 200), xen_runs, xen_dom0_ready_s; progress on stderr; the console in
# build/bench/xen.log.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
root=$bench_root
runs=${XEN_RUNS:-3}
seal_image=${1:-$root/build/xen-arm/www.zImage}
test_dir=$root/build/bench/xen-test
log_file=$root/build/bench/xen.log
rm -rf "$test_dir"
mkdir -p "$test_dir"

rig=$("$root/Tests/xen/build-dom0.sh") || { log "xen: build-dom0.sh failed"; exit 1; }
cp "$root/Tests/xen/bench-domU/run.sh" "$root/Tests/xen/dom0-lib.sh" "$test_dir/"
mv "$test_dir/dom0-lib.sh" "$test_dir/lib.sh"
printf 'RUNS=%s\nLIMIT=%s\nADDRESS=10.0.0.2\n' "$runs" "${XEN_LIMIT:-120}" > "$test_dir/bench.env"
: > "$test_dir/bench.list"
if [ -f "$seal_image" ]; then
  cp "$seal_image" "$test_dir/www.zImage"
  "$root/toolchain/xl-config.sh" www /test/www.zImage --extra "ip=10.0.0.2/24,10.0.0.1" > "$test_dir/seal.xl"
  echo "seal /test/seal.xl" >> "$test_dir/bench.list"
else
  log "xen: no Seal image $seal_image; measuring Linux only"
fi
cp "$(sed -n 's/^kernel=//p' <<< "$rig")" "$test_dir/linux.zImage"
cp "$(sed -n 's/^httpd_initramfs=//p' <<< "$rig")" "$test_dir/httpd-initramfs.cpio.gz"
"$root/toolchain/xl-config.sh" www /test/linux.zImage --name httpd --ramdisk /test/httpd-initramfs.cpio.gz \
  --memory 128 --extra "console=hvc0 rdinit=/init ip=10.0.0.2/24" > "$test_dir/linux.xl"
echo "linux /test/linux.xl" >> "$test_dir/bench.list"

log "xen: booting the dom0 rig ($runs creates of each guest)"
TIMESTAMPS=1 LOG=$log_file TIMEOUT=${XEN_TIMEOUT:-1200} "$root/Tests/xen/boot-dom0.sh" "$test_dir" > /dev/null 2>&1
status=$?
[ "$status" = 0 ] || log "xen: the dom0 run ended with status $status (see $log_file)"
values() { sed -n "s/.*result: $1=\([0-9]*\)\$/\1/p" "$log_file"; }
for kind in seal linux; do
  for measure in http create answer; do
    echo "xen_${kind}_${measure}_ms=$(values "${kind}_${measure}_ms" | median)"
  done
  log "xen: $kind create -> first 200 (ms): $(values "${kind}_http_ms" | tr '\n' ' ')"
done
echo "xen_runs=$runs"
echo "xen_dom0_ready_s=$(sed -n 's/^\[\([0-9.]*\)\] dom0: xl ready.*/\1/p' "$log_file" | head -n 1)"

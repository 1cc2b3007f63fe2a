#!/usr/bin/env bash
# Proves the dom0 rig with a Linux domU: bakes Tests/xen/linux-domU/ (run.sh, domU.xl), the LPAE
# zImage and the busybox domU initramfs into dom0's /test, boots Xen + dom0, and checks that
# `xl create` started the guest with a connected blkback disk and netback vif and that it
# answered ping. Prints the console, the checks and `N passed, M failed`.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
rig=$("$root/Tests/xen/build-dom0.sh") || { echo "0 passed, 1 failed"; exit 1; }
kernel=$(sed -n 's/^kernel=//p' <<< "$rig")
domU_initramfs=$(sed -n 's/^domU_initramfs=//p' <<< "$rig")
test_dir=$root/build/xen/linux-domU-test
rm -rf "$test_dir"
mkdir -p "$test_dir"
cp "$root"/Tests/xen/linux-domU/* "$test_dir/"
cp "$kernel" "$test_dir/zImage"
cp "$domU_initramfs" "$test_dir/domU-initramfs.cpio.gz"

log=$root/build/xen/test-dom0-linux.log
TIMESTAMPS=1 LOG=$log TIMEOUT=${TIMEOUT:-300} "$root/Tests/xen/boot-dom0.sh" "$test_dir"
status=$?
check "dom0 test status 0 (got $status)" test "$status" -eq 0
for line in "ok   xl create" "ok   blkback connected" "ok   netback connected" \
  "ok   domU read the disk through blkfront" "ok   domU answers ping" "ok   xl destroy"; do
  check "${line#ok   }" grep -qF -- "] $line" "$log"
done
finish

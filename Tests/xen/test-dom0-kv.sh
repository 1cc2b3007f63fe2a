#!/usr/bin/env bash
# Seal's `kv` as a domU on a blkback disk, checked from the Linux dom0 (issue 8): bakes
# Tests/xen/kv-domU/run.sh, the image and its .xl (toolchain/xl-config.sh, disk /tmp/kv-disk.img,
# a blank 16 MiB file run.sh makes) into dom0's /test, boots Xen + dom0, and checks what dom0
# saw with curl: the blank disk formatted, KV_SYNCED keys (40) PUT and synced, KV_UNSYNCED (10)
# more PUT, `xl destroy`, `xl create` again, every synced key there with its value.
#   Tests/xen/test-dom0-kv.sh [SEAL_KV_ZIMAGE]   (default build/xen-arm/kv.zImage)
# (No Linux stand-in: busybox httpd takes no PUT. Tests/xen/README.md says how run.sh was proven.)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
source "$root/Tests/xen/web-guest.sh"
test_dir=$root/build/xen/kv-domU-test
rm -rf "$test_dir"
mkdir -p "$test_dir"
cp "$root/Tests/xen/kv-domU/run.sh" "$test_dir/"
# run.sh reads KV_SYNCED and KV_UNSYNCED from guest.env.
GUEST=seal prepare_guest kv "${1:-}" "$test_dir" --disk /tmp/kv-disk.img || { echo "0 passed, 1 failed"; exit 1; }
printf 'KV_SYNCED=%s\nKV_UNSYNCED=%s\n' "${KV_SYNCED:-40}" "${KV_UNSYNCED:-10}" >> "$test_dir/guest.env"

log=$root/build/xen/test-dom0-kv.log
boot_rig "$test_dir" "$log"
status=$?
check "dom0 test status 0 (got $status)" test "$status" -eq 0
dom0_checks "$log" "xl create of seal kv with a blank blkback disk (first boot)" "first HTTP 200 (first boot)" \
  "the first boot formatted the blank disk" "PUT of ${KV_SYNCED:-40} new keys" "POST /sync: 204" "PUT of ${KV_UNSYNCED:-10} more keys" \
  "GET of a key before the destroy" "xl destroy (first boot)" \
  "xl create of seal kv with a blank blkback disk (second boot)" "first HTTP 200 (second boot)" \
  "the second boot opened the store" "after xl destroy and re-create, every synced key is there" \
  "GET /kv/?prefix=synced/ lists all" "unsynced keys present after the destroy hold their values" \
  "the re-created store takes writes" "xl destroy (second boot)"
finish

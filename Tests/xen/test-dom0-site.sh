#!/usr/bin/env bash
# Seal's `site` as a domU serving a blkback disk, checked from the Linux dom0 (issue 8): builds a
# 64 MiB FAT disk on the host (toolchain/make-disk.sh, the tree of Tests/qemu/site-checks.sh),
# bakes it with Tests/xen/site-domU/run.sh, the image, its .xl and a manifest of the files'
# digests into dom0's /test, boots Xen + dom0, and checks that curl in dom0 got every file
# byte-exact, also after `xl destroy` and re-create (and, from Seal, that a PUT survives them).
#   Tests/xen/test-dom0-site.sh [SEAL_SITE_ZIMAGE]   (default build/xen-arm/site.zImage)
#   GUEST=linux Tests/xen/test-dom0-site.sh          the busybox httpd domU (vfat) instead of Seal
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
source "$root/Tests/qemu/site-checks.sh"
source "$root/Tests/xen/web-guest.sh"
test_dir=$root/build/xen/site-domU-test
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$test_dir"
mkdir -p "$test_dir"
cp "$root/Tests/xen/site-domU/run.sh" "$test_dir/"
make_site_tree "$work/tree"
"$root/toolchain/make-disk.sh" "$work/tree" "$test_dir/disk.img" 64 > "$work/make-disk.log" 2>&1
check "make-disk.sh built a 64 MiB partitioned image" test -s "$test_dir/disk.img"
(cd "$work/tree" && find . -type f | LC_ALL=C sort) | while IFS= read -r file; do
  relative=${file#.}
  printf '%s %s %s\n' "$(sha256sum < "$work/tree/$relative" | cut -d' ' -f1)" \
    "$(stat -c %s "$work/tree/$relative")" "$(url_path "$relative")"
done > "$test_dir/manifest"
SEAL_EXTRA=rw prepare_guest site "${1:-}" "$test_dir" --disk /test/disk.img || { echo "0 passed, 1 failed"; exit 1; }

log=$root/build/xen/test-dom0-site.log
boot_rig "$test_dir" "$log"
status=$?
check "dom0 test status 0 (got $status)" test "$status" -eq 0
checks=("xl create of $guest_kind site with a blkback disk (first boot)" "first HTTP 200 (first boot)"
  "blkback connected (first boot" "every file of the disk byte-exact" "GET / serves index.html"
  "GET of a missing file: 404")
if [ "$guest_kind" = seal ]; then checks+=("PUT of 1 MiB" "GET of the uploaded file"); fi
checks+=("xl destroy (first boot)" "xl create of $guest_kind site with a blkback disk (second boot)"
  "first HTTP 200 (second boot)" "blkback connected (second boot" "after xl destroy and re-create, the 3 MB file")
if [ "$guest_kind" = seal ]; then checks+=("after xl destroy and re-create, the uploaded file"); fi
checks+=("xl destroy (second boot)")
dom0_checks "$log" "${checks[@]}"
finish

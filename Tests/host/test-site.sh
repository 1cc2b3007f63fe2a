#!/usr/bin/env bash
# The host board's `site` on a disk image made by toolchain/make-disk.sh (sfdisk, mkfs.fat,
# mcopy), against Linux's curl over TAP in a namespace this test creates: every file byte-exact,
# folder indexes, Range, 404; with `rw`, PUT and DELETE, then fsck.fat and mtools on the image;
# without it, PUT refused with 405.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
python=/usr/bin/python3
namespace=sealsite$$
linux_address=10.0.9.1
seal_address=10.0.9.2
image=$root/build/host/site
work=$(mktemp -d)
source "$root/Tests/host/lib.sh"
trap host_cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "test-site: needs root"; echo "0 passed, 1 failed"; exit 1; }
make -C "$root" --no-print-directory image BOARD=host APP=site > "$work/build.log" 2>&1 \
  || { cat "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }

on_client=(ip netns exec "$namespace")
source "$root/Tests/qemu/www-checks.sh"
source "$root/Tests/qemu/site-checks.sh"
make_site_tree "$work/tree"
"$root/toolchain/make-disk.sh" "$work/tree" "$work/disk.img" 64 > "$work/make-disk.log" 2>&1
check "make-disk.sh built a 64 MiB partitioned image" test -s "$work/disk.img"

make_namespace
start_relay "$linux_address"

for mode in rw ro; do
  echo "site: host board, $mode, http://$seal_address/ in namespace $namespace"
  words=(tap=tap-seal ip=$seal_address/24 disk=$work/disk.img)
  if [ "$mode" = rw ]; then words+=(rw); else words+=(partition=1); fi  # partition=N picks the volume explicitly
  start "$work/site-$mode.log" "$image" "${words[@]}"
  site_pid=$last_pid
  wait_for_line "$work/site-$mode.log" '^listening on port 80$' 10
  wait_for_line "$work/site-$mode.log" "^ip: $seal_address/24\$" 10
  sed 's/^/    | /' "$work/site-$mode.log"
  check "$mode: FAT32 volume found on the first partition" \
    grep -q "^site: FAT32 volume, [0-9]* sectors from sector 2048, read-$([ $mode = rw ] && echo write || echo only)\$" "$work/site-$mode.log"
  has_line "$work/site-$mode.log" "listening on port 80" && site_checks "$mode" "http://$seal_address" "$work/tree" "$mode"
  check "$mode: site still running" kill -0 "$site_pid"
  stop "$site_pid"
  check "$mode: no panic in site's output" bash -c "! grep -q '^panic' '$work/site-$mode.log'"
  [ "$mode" = rw ] && site_disk_checks "$mode" "$work/disk.img"
done
finish

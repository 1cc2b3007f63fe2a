#!/usr/bin/env bash
# Boots `site` on qemu-virt with a virtio-blk disk made by toolchain/make-disk.sh: on the legacy
# transport with `rw` (every file byte-exact, indexes, Range, PUT and DELETE, then fsck.fat and
# mtools on the image), and on the modern transport with a read-only drive (PUT refused).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
image=$root/build/qemu-virt/site.bin
work=$(mktemp -d)
qemu_pid=""
cleanup() { stop_qemu; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
on_client=()
source "$root/Tests/qemu/www-checks.sh"
source "$root/Tests/qemu/site-checks.sh"

if [ ! -f "$image" ]; then
  make -C "$root" --no-print-directory image BOARD=qemu-virt APP=site > "$work/build.log" 2>&1 \
    || { cat "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }
fi
make_site_tree "$work/tree"
"$root/toolchain/make-disk.sh" "$work/tree" "$work/disk.img" 64 > "$work/make-disk.log" 2>&1
check "make-disk.sh built a 64 MiB partitioned image" test -s "$work/disk.img"

run_mode() { # run_mode legacy|modern rw|ro
  local transport=$1 mode=$2 port extra=() drive=cache=writethrough append="ip=dhcp"
  port=$(free_port)
  [ "$transport" = modern ] && extra=(-global virtio-mmio.force-legacy=false)
  if [ "$mode" = rw ]; then append="ip=dhcp rw"; else drive=readonly=on; fi
  echo "site: $transport, $mode, http://127.0.0.1:$port/"
  local console=$work/console-$transport.txt label="$transport $mode"
  : > "$console"
  timeout -k 5 600 qemu-system-arm -M virt -cpu cortex-a15 -m 128 -kernel "$image" -append "$append" \
    -display none -monitor none -serial "file:$console" "${extra[@]}" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:80" -device virtio-net-device,netdev=n0 \
    -drive "file=$work/disk.img,if=none,format=raw,id=d0,$drive" -device virtio-blk-device,drive=d0 \
    < /dev/null > "$work/qemu-$transport.log" 2>&1 &
  qemu_pid=$!
  timeout 30 bash -c "until grep -q '^ip: 10.0.2.15/24' '$console' && grep -q '^listening on port 80' '$console'; do sleep 0.2; done"
  tr -d '\r' < "$console" > "$work/console.txt"
  sed 's/^/    | /' "$work/console.txt"
  check "$label: virtio-blk found, $([ $mode = ro ] && echo read-only || echo with flush)" \
    grep -q "^virtio-blk: 131072 sectors of 512 bytes$([ $mode = ro ] && echo ', read-only'), flush" "$work/console.txt"
  check "$label: FAT32 volume on the first partition" \
    grep -q "^site: FAT32 volume, 129024 sectors from sector 2048, read-$([ $mode = rw ] && echo write || echo only)\$" "$work/console.txt"
  if has_line "$work/console.txt" "listening on port 80"; then
    site_checks "$label" "http://127.0.0.1:$port" "$work/tree" "$mode"
  fi
  check "$label: QEMU still running (no halt, no panic)" kill -0 "$qemu_pid"
  stop_qemu
  tr -d '\r' < "$console" > "$work/console.txt"
  check "$label: no panic on the console" bash -c "! grep -q '^panic' '$work/console.txt'"
  grep -q '^panic' "$work/console.txt" && sed 's/^/    | /' "$work/console.txt" | tail -n 20
  [ "$mode" = rw ] && site_disk_checks "$label" "$work/disk.img"
}

run_mode legacy rw
run_mode modern ro
finish

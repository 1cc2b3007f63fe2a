#!/usr/bin/env bash
# Storage on virtio-blk, Seal vs Linux, the same QEMU line and the same kind of disk (raw file,
# cache=writethrough): Seal's `diskbench` writes then reads a 64 MiB file through FAT (write
# includes the sync) and times KV puts with a sync every 100; Linux's busybox dd writes 64 MiB to
# the first partition with conv=fsync and reads it back after dropping its caches.
#   disk.sh SEAL_IMAGE LINUX_KERNEL LINUX_DISK_INITRD
# Prints seal_fat_write_mbps= seal_fat_read_mbps= seal_kv_puts_per_second= linux_dd_write_mbps= linux_dd_read_mbps=
set -uo pipefail
source "$(dirname "$0")/lib.sh"
seal_image=$1 kernel=${2:-} initrd=${3:-}
work=$bench_root/build/bench/disk
mkdir -p "$work"

make_disk() { # a 192 MiB disk: 128 MiB FAT32 from 1 MiB, then a 32 MiB raw partition for KV
  rm -f "$work/disk.img"
  truncate -s 192M "$work/disk.img"
  printf 'label: dos\nstart=2048, size=262144, type=c\nstart=264192, size=65536, type=83\n' \
    | /usr/sbin/sfdisk -q "$work/disk.img"
  /usr/sbin/mkfs.fat -F 32 --offset 2048 -h 2048 "$work/disk.img" 131072 > /dev/null 2>&1
}

run_guest() { # run_guest KERNEL APPEND [INITRD]: boots to power-off (bounded), console to $work/console.txt
  local kernel=$1 append=$2 initrd_args=()
  [ -n "${3:-}" ] && initrd_args=(-initrd "$3")
  timeout -k 2 180 qemu-system-arm -M virt -cpu cortex-a15 -m 256 -kernel "$kernel" "${initrd_args[@]}" \
    -append "$append" -drive "file=$work/disk.img,if=none,format=raw,id=d0,cache=writethrough" \
    -device virtio-blk-device,drive=d0 -display none -monitor none -serial "file:$work/console.txt" \
    < /dev/null > /dev/null 2>&1
}

make_disk
log "diskbench: Seal, FAT on virtio-blk"
run_guest "$seal_image" ""
for name in fat_write_mbps fat_read_mbps kv_puts_per_second; do
  echo "seal_$name=$(tr -d '\r' < "$work/console.txt" | sed -n "s/^diskbench: $name=//p" | head -n 1)"
done

if [ -n "$kernel" ] && [ -f "$initrd" ]; then
  make_disk
  log "diskbench: Linux, dd on virtio-blk"
  run_guest "$kernel" "console=ttyAMA0 quiet" "$initrd"
  # The guest prints "linux-disk: write 67108864 bytes in N cs" (timed with /proc/uptime).
  for direction in write read; do
    echo "linux_dd_${direction}_mbps=$(tr -d '\r' < "$work/console.txt" | sed -n "s/^linux-disk: $direction //p" \
      | awk '$4 > 0 { printf "%.1f", $1 / ($4 / 100) / 1e6 }')"
  done
fi

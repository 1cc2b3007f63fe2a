#!/usr/bin/env bash
# Builds an MBR disk image with one FAT partition holding a host folder's files:
# toolchain/make-disk.sh DIR OUTPUT [SIZE_MIB]. No root, loop devices or mounting: sfdisk,
# mkfs.fat --offset and mtools all work on the image file. Default size: the larger of 64 MiB
# and twice the folder's size.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

die() { echo "make-disk: $*" >&2; exit 1; }
source "$(dirname "$0")/fat-partition.sh"
[ $# -ge 2 ] && [ $# -le 3 ] || die "usage: $0 DIR OUTPUT [SIZE_MIB]"
dir=$1
output=$2
[ -d "$dir" ] || die "$dir is not a directory"
for tool in sfdisk mkfs.fat mcopy; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install fdisk dosfstools mtools)"
done

# The folder's size in MiB, rounded up (du counts whole blocks, so small files weigh a little more,
# which is roughly what FAT's clusters cost them too).
folder_kib=$(du -sk "$dir" | cut -f1)
folder_mib=$(( (folder_kib + 1023) / 1024 ))
if [ $# -eq 3 ]; then
  [[ $3 =~ ^[0-9]+$ ]] && [ "$3" -ge 2 ] || die "SIZE_MIB must be a whole number of MiB, at least 2"
  size_mib=$3
else
  size_mib=$(( 2 * folder_mib > 64 ? 2 * folder_mib : 64 ))
fi

# The partition starts at 1 MiB (sector 2048, the usual alignment) and runs to the end of the disk.
partition_kib=$(( (size_mib - 1) * 1024 ))
# FAT32 needs at least 65525 clusters: with 512-byte clusters that is 32 MiB, so use it from
# 40 MiB up; below, mkfs.fat picks FAT12 or FAT16 for the size.
fat_options=()
[ "$size_mib" -ge 40 ] && fat_options=(-F 32)

mkdir -p "$(dirname "$output")"
work="$output.partial"
trap 'rm -f "$work"' EXIT
rm -f "$work"
truncate -s "${size_mib}M" "$work"
printf 'label: dos\nstart=2048, type=c\n' | sfdisk -q "$work"
format_fat "$work" 2048 "$partition_kib" SEAL "${fat_options[@]}"
copy_tree "$work" 1 "$dir"
mv "$work" "$output"
trap - EXIT

files=$(find "$dir" -type f | wc -l)
echo "$output: ${size_mib} MiB, MBR with a FAT$([ "$size_mib" -ge 40 ] && echo 32 || echo 12/16) partition (type 0x0c) at 1 MiB, $files files from $dir"

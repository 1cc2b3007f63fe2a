#!/usr/bin/env bash
# Builds an MBR disk image with one FAT partition holding a host folder's files:
# toolchain/make-disk.sh DIR OUTPUT [SIZE_MIB]. No root, loop devices or mounting: sfdisk,
# mkfs.fat --offset and mtools all work on the image file. Default size: the larger of 64 MiB
# and twice the folder's size.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

die() { echo "make-disk: $*" >&2; exit 1; }
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
# -h: the boot sector records the 2048 sectors before it (mkfs.fat --offset does not).
mkfs.fat --offset 2048 -h 2048 "${fat_options[@]}" -n SEAL "$work" "$partition_kib" >/dev/null

# FAT names ignore case: two host names that differ only in case cannot both be copied.
clashes=$(cd "$dir" && find . -mindepth 1 | tr '[:upper:]' '[:lower:]' | sort | uniq -d)
[ -z "$clashes" ] || die "names that differ only in case: $(echo "$clashes" | head -3 | tr '\n' ' ')"

# Every top-level entry, dotfiles included; an empty folder gives an empty file system.
entries=()
while IFS= read -r -d '' entry; do entries+=("$entry"); done \
  < <(find "$dir" -mindepth 1 -maxdepth 1 -print0 | sort -z)
if [ ${#entries[@]} -gt 0 ]; then
  # -s recursive (empty subfolders too), -m keep modification times, -Q stop at the first error
  # (a full disk, say); no questions asked (-D s, stdin closed). Not -b: with an offset image,
  # mtools 4.0.32's batch mode fails ("Internal error, size too big").
  MTOOLS_SKIP_CHECK=1 mcopy -s -m -Q -D s -i "$work@@1M" "${entries[@]}" ::/ </dev/null \
    || die "copying $dir failed (is SIZE_MIB ${size_mib} large enough?)"
fi
mv "$work" "$output"
trap - EXIT

files=$(find "$dir" -type f | wc -l)
echo "$output: ${size_mib} MiB, MBR with a FAT$([ "$size_mib" -ge 40 ] && echo 32 || echo 12/16) partition (type 0x0c) at 1 MiB, $files files from $dir"

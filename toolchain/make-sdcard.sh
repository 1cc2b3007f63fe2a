#!/usr/bin/env bash
# Builds a flashable SD card image for an Allwinner board: U-Boot (SPL and proper) at 8 KiB, an MBR,
# a FAT boot partition holding zImage, the DTB and boot.scr, and for storage apps a FAT data partition.
#   toolchain/make-sdcard.sh BOARD APP
# Writes build/<board>/<app>-sd.img (OUTPUT=… to choose). No root, loop devices or mounting: dd,
# sfdisk, mkfs.fat --offset and mtools all work on the image file.
#
# Environment:
#   KERNEL=path     the zImage to boot (default build/<board>/<app>.bin, what `make image` wrote)
#   DTB=path        the device tree (default Debian armmp's sun4i-a10-cubieboard.dtb, fetched)
#   BOOTARGS=words  the kernel command line boot.scr sets (Seal's vocabulary: ip=…, dns=…, rw);
#                   storage apps always get `partition=2` too, so they use the data partition
#   SITE=folder     for APP=site: the files to put on the data partition
#   SIZE_MIB=n      the whole card (default 64, 128 for storage apps); rounded up to a power of two,
#                   which QEMU's SD card model requires
#
# Layout (Allwinner boot ROM: the SPL is read from sector 16; U-Boot's sunxi "8 KiB" offset):
#   0            MBR
#   8 KiB        u-boot-sunxi-with-spl.bin (SPL, then U-Boot proper's legacy image at +32 KiB)
#   1 MiB        partition 1, FAT, bootable: zImage, sun4i-a10-cubieboard.dtb, boot.scr
#   32 MiB       partition 2 (storage apps only): for site FAT holding SITE's files; for kv raw and
#                all zero (type 0xda, "non-FS data"), which kv formats as its store on first start
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
root=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "make-sdcard: $*" >&2; exit 1; }
source "$root/toolchain/fat-partition.sh"
[ $# -eq 2 ] || die "usage: $0 BOARD APP"
board=$1 app=$2
case "$board" in
  cubieboard) uboot_board=Cubieboard dtb_name=sun4i-a10-cubieboard.dtb ;;
  *) die "no SD card layout for board $board (known: cubieboard)" ;;
esac
for tool in dd sfdisk mkfs.fat mcopy mkimage; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install coreutils fdisk dosfstools mtools u-boot-tools)"
done

kernel=${KERNEL:-$root/build/$board/$app.bin}
[ -f "$kernel" ] || die "$kernel is missing (make image BOARD=$board APP=$app)"
output=${OUTPUT:-$root/build/$board/$app-sd.img}

# U-Boot for the board, from Debian's u-boot-sunxi (armhf, unpacked under build/armhf, never installed).
uboot_package=$("$root/toolchain/fetch-armhf.sh" u-boot-sunxi | tail -n 1)
uboot=$uboot_package/usr/lib/u-boot/$uboot_board/u-boot-sunxi-with-spl.bin
[ -f "$uboot" ] || die "$uboot is missing from u-boot-sunxi"

# The device tree: Debian's armmp kernel package ships the mainline one.
dtb=${DTB:-$("$root/toolchain/fetch-armhf.sh" --dtb "$dtb_name")} || die "no $dtb_name (set DTB=…)"
[ -f "$dtb" ] || die "$dtb_name not found (set DTB=…)"

storage=no
case "$app" in site|kv) storage=yes ;; esac
if [ "$app" = site ] && [ -n "${SITE:-}" ]; then
  [ -d "$SITE" ] || die "SITE=$SITE is not a directory"
fi

# Sizes in MiB. The boot partition is 1–32 MiB; the data partition, if any, the rest.
boot_start_mib=1 data_start_mib=32
size_mib=${SIZE_MIB:-}
if [ -z "$size_mib" ]; then
  size_mib=64
  if [ "$storage" = yes ]; then
    size_mib=128
    if [ "$app" = site ] && [ -n "${SITE:-}" ]; then
      site_mib=$(( ($(du -sk "$SITE" | cut -f1) + 1023) / 1024 ))
      if [ $(( data_start_mib + 2 * site_mib )) -gt "$size_mib" ]; then size_mib=$(( data_start_mib + 2 * site_mib )); fi
    fi
  fi
fi
[[ $size_mib =~ ^[0-9]+$ ]] || die "SIZE_MIB must be a whole number"
minimum=$data_start_mib
if [ "$storage" = yes ]; then minimum=$(( data_start_mib + 8 )); fi
[ "$size_mib" -ge "$minimum" ] || size_mib=$minimum
power=1
while [ "$power" -lt "$size_mib" ]; do power=$(( power * 2 )); done
size_mib=$power

boot_size_mib=$(( data_start_mib - boot_start_mib ))
kernel_bytes=$(stat -c %s "$kernel")
[ $(( kernel_bytes + $(stat -c %s "$dtb") + 65536 )) -lt $(( boot_size_mib * 1048576 )) ] \
  || die "$kernel does not fit the ${boot_size_mib} MiB boot partition"
uboot_bytes=$(stat -c %s "$uboot")
[ $(( 8192 + uboot_bytes )) -le $(( boot_start_mib * 1048576 )) ] || die "U-Boot overlaps the first partition"

mkdir -p "$(dirname "$output")"
work="$output.partial"
staging=$(mktemp -d)
trap 'rm -rf "$work" "$staging"' EXIT
rm -f "$work"
truncate -s "${size_mib}M" "$work"

# The partition table first (sfdisk leaves sectors 1.. alone), then U-Boot into the gap before 1 MiB.
{
  echo "label: dos"
  echo "start=$(( boot_start_mib * 2048 )), size=$(( boot_size_mib * 2048 )), type=e, bootable"
  if [ "$app" = kv ]; then echo "start=$(( data_start_mib * 2048 )), type=da"
  elif [ "$storage" = yes ]; then echo "start=$(( data_start_mib * 2048 )), type=c"; fi
} | sfdisk -q "$work"
dd if="$uboot" of="$work" bs=1024 seek=8 conv=notrunc status=none

bootargs=${BOOTARGS:-}
[ "$storage" = yes ] && bootargs="partition=2${bootargs:+ $bootargs}"
# boot.scr: U-Boot's distro boot runs /boot.scr from the first bootable partition it finds.
cat > "$staging/boot.cmd" <<EOF
# Seal: boot the zImage on this partition with the board's device tree (made by toolchain/make-sdcard.sh).
setenv bootargs "$bootargs"
load mmc 0:1 \${kernel_addr_r} zImage
load mmc 0:1 \${fdt_addr_r} $dtb_name
bootz \${kernel_addr_r} - \${fdt_addr_r}
EOF
mkimage -A arm -O linux -T script -C none -n "Seal $app" -d "$staging/boot.cmd" "$staging/boot.scr" >/dev/null
cp "$kernel" "$staging/zImage"
cp "$dtb" "$staging/$dtb_name"

format_fat "$work" $(( boot_start_mib * 2048 )) $(( boot_size_mib * 1024 )) SEALBOOT
MTOOLS_SKIP_CHECK=1 mcopy -m -Q -D s -i "$work@@${boot_start_mib}M" \
  "$staging/zImage" "$staging/$dtb_name" "$staging/boot.scr" ::/ </dev/null || die "copying the boot files failed"

if [ "$storage" = yes ] && [ "$app" != kv ]; then
  data_kib=$(( (size_mib - data_start_mib) * 1024 ))
  # FAT32 needs at least 65525 clusters: from 40 MiB up; below, mkfs.fat picks FAT12 or FAT16.
  fat_options=()
  if [ $(( size_mib - data_start_mib )) -ge 40 ]; then fat_options=(-F 32); fi
  format_fat "$work" $(( data_start_mib * 2048 )) "$data_kib" SEALDATA "${fat_options[@]}"
  if [ "$app" = site ] && [ -n "${SITE:-}" ]; then copy_tree "$work" "$data_start_mib" "$SITE"; fi
fi

mv "$work" "$output"
echo "$output: ${size_mib} MiB (U-Boot $uboot_bytes bytes at 8 KiB, zImage $kernel_bytes bytes)"

#!/usr/bin/env bash
# The Cubieboard SD card end to end: `make sdcard`'s layout checked byte for byte, then U-Boot proper
# (QEMU cannot run the SPL) boots the image in `qemu-system-arm -M cubieboard`, finds boot.scr on the
# FAT boot partition and starts the zImage: Seal's `hello` when the board builds, else Debian's
# armmp Linux (SDCARD_KERNEL=linux forces that).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
cd "$root"
export PATH="$PATH:/usr/sbin:/sbin"
work=$(mktemp -d)
qemu_pid=""
cleanup() { [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

uboot=$(toolchain/fetch-armhf.sh u-boot-sunxi | tail -n 1)/usr/lib/u-boot/Cubieboard/u-boot-sunxi-with-spl.bin

# What to boot: Seal's hello if the board is there and builds, otherwise the armmp kernel.
mode=${SDCARD_KERNEL:-seal}
if [ "$mode" = seal ] && { [ ! -d Boards/cubieboard ] || ! build_images cubieboard hello > "$work/build.log" 2>&1; }; then
  echo "sdcard: Boards/cubieboard does not build (yet): booting Debian's armmp Linux instead"
  tail -n 5 "$work/build.log" 2>/dev/null | sed 's/^/    | /'
  mode=linux
fi
if [ "$mode" = linux ]; then
  kernel_package=$(apt-cache depends linux-image-armmp:armhf 2>/dev/null \
    | sed -n 's/.*Depends: \(linux-image-[0-9.]*-[0-9]*-armmp\):armhf/\1/p' | head -n 1)
  kernel_folder=$(ls -d build/armhf/linux-image-*-armmp 2>/dev/null | head -n 1)
  [ -n "$kernel_folder" ] || kernel_folder=$(toolchain/fetch-armhf.sh "$kernel_package" | tail -n 1)
  kernel=$(ls "$kernel_folder"/boot/vmlinuz-* | head -n 1)
  image=$work/linux-sd.img
  KERNEL=$kernel BOOTARGS="console=ttyS0,115200 earlycon seal-sdcard-test" OUTPUT=$image \
    toolchain/make-sdcard.sh cubieboard hello > "$work/make.log" 2>&1
  status=$?
else
  kernel=build/cubieboard/hello.bin
  image=build/cubieboard/hello-sd.img
  rm -f "$image"
  make --no-print-directory sdcard BOARD=cubieboard APP=hello BOOTARGS="seal-sdcard-test" > "$work/make.log" 2>&1
  status=$?
fi
sed 's/^/    | /' "$work/make.log"
check "make-sdcard exits 0 ($mode)" test "$status" -eq 0
[ -f "$image" ] || { finish; exit 1; }

# The layout.
image_bytes=$(stat -c %s "$image")
check "image size $image_bytes is a power of two (QEMU's SD model needs one)" \
  test $(( image_bytes & (image_bytes - 1) )) -eq 0
uboot_bytes=$(stat -c %s "$uboot")
check "SPL + U-Boot at byte 8192 equal the package's file ($uboot_bytes bytes)" \
  cmp -s -n "$uboot_bytes" -i 8192:0 "$image" "$uboot"
check "the gap between the MBR and U-Boot is zero" \
  cmp -s -n $(( 8192 - 512 )) -i 512:0 "$image" /dev/zero
sfdisk -d "$image" > "$work/table.txt" 2>/dev/null
check "partition 1: FAT, bootable, from 1 MiB" grep -qE 'img1 : start= *2048, size= *[0-9]+, type=e, bootable' "$work/table.txt"
check "no data partition for hello" test "$(grep -c 'img[0-9] :' "$work/table.txt")" -eq 1
mcopy_out() { MTOOLS_SKIP_CHECK=1 mcopy -n -i "$image@@1M" "::/$1" "$work/$1" 2>/dev/null; }
mcopy_out zImage; mcopy_out sun4i-a10-cubieboard.dtb; mcopy_out boot.scr
check "zImage on the boot partition equals $kernel" cmp -s "$work/zImage" "$kernel"
check "the DTB is a flattened device tree with the Cubieboard's model" \
  test "$(fdtget -t s "$work/sun4i-a10-cubieboard.dtb" / model 2>/dev/null)" = "Cubietech Cubieboard"
mkimage -l "$work/boot.scr" > "$work/scr.txt" 2>&1
check "boot.scr is a legacy script image" grep -q 'Script' "$work/scr.txt"
check "boot.scr loads zImage and the DTB and runs bootz" \
  grep -qF 'bootz ${kernel_addr_r} - ${fdt_addr_r}' "$work/boot.scr"

# Storage apps get a data partition from 32 MiB: site's is FAT with SITE's files, kv's raw and zero.
mkdir -p "$work/site/docs"
head -c 300000 /dev/urandom > "$work/site/docs/blob.bin"
echo '<h1>seal</h1>' > "$work/site/index.html"
KERNEL=$kernel SITE=$work/site OUTPUT=$work/site-sd.img toolchain/make-sdcard.sh cubieboard site > /dev/null 2>&1
sfdisk -d "$work/site-sd.img" > "$work/site-table.txt" 2>/dev/null
check "site: partition 2 from 32 MiB" grep -qE 'img2 : start= *65536, size= *[0-9]+, type=c' "$work/site-table.txt"
MTOOLS_SKIP_CHECK=1 mcopy -n -i "$work/site-sd.img@@32M" ::/docs/blob.bin "$work/blob.bin" 2>/dev/null
check "site: the data partition holds SITE's files byte-exact" cmp -s "$work/blob.bin" "$work/site/docs/blob.bin"
check "site: fsck.fat finds the data partition clean" \
  bash -c "dd if='$work/site-sd.img' of='$work/data.img' bs=1M skip=32 status=none && fsck.fat -n '$work/data.img' > /dev/null"
KERNEL=$kernel OUTPUT=$work/kv-sd.img toolchain/make-sdcard.sh cubieboard kv > /dev/null 2>&1
sfdisk -d "$work/kv-sd.img" > "$work/kv-table.txt" 2>/dev/null
check "kv: partition 2 from 32 MiB, type da (non-FS data)" \
  grep -qE 'img2 : start= *65536, size= *[0-9]+, type=da' "$work/kv-table.txt"
check "kv: partition 2 is all zero (kv formats a blank disk)" \
  cmp -s -n $(( 96 << 20 )) -i $(( 32 << 20 )):0 "$work/kv-sd.img" /dev/zero

# Boot it: U-Boot proper is the payload of the legacy image header at 32 KiB (64-byte header,
# payload size big-endian at offset 12), loaded where its header says (0x4a000000).
payload=$(od -An -tu4 --endian=big -j $(( 32768 + 12 )) -N 4 "$uboot" | tr -d ' ')
dd if="$uboot" of="$work/u-boot-dtb.bin" bs=1 skip=$(( 32768 + 64 )) count="$payload" status=none
check "U-Boot proper extracted ($payload bytes)" test "$(stat -c %s "$work/u-boot-dtb.bin")" -eq "$payload"

if [ "$mode" = linux ]; then marker='Kernel command line: .*seal-sdcard-test'; else marker='^tick 3$'; fi
log=$work/boot.log
qemu-system-arm -M cubieboard -m 1G -device loader,file="$work/u-boot-dtb.bin",addr=0x4a000000,cpu-num=0,force-raw=on \
  -drive if=sd,format=raw,file="$image" -display none -monitor none -serial stdio < /dev/null > "$log" 2>&1 &
qemu_pid=$!
deadline=$(( $(date +%s) + ${BOOT_TIMEOUT:-90} ))
while [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$qemu_pid" 2>/dev/null; do
  tr -d '\r' < "$log" | grep -qE "$marker" && break
  sleep 0.5
done
sleep 1
kill "$qemu_pid" 2>/dev/null; wait "$qemu_pid" 2>/dev/null; qemu_pid=""
tr -d '\r' < "$log" > "$work/out.txt"
grep -vE '^\[ *[0-9]+\.[0-9]+\] ' "$work/out.txt" | sed 's/^/    | /' | tail -n 60
check "U-Boot proper starts" grep -q '^U-Boot 20' "$work/out.txt"
check "U-Boot finds the SD card" grep -q 'MMC:   mmc@1c0f000: 0' "$work/out.txt"
check "U-Boot finds /boot.scr" grep -q 'Found U-Boot script /boot.scr' "$work/out.txt"
check "U-Boot loads the zImage ($(stat -c %s "$kernel") bytes)" grep -q "^$(stat -c %s "$kernel") bytes read" "$work/out.txt"
check "U-Boot starts the kernel" grep -q '^Starting kernel' "$work/out.txt"
if [ "$mode" = linux ]; then
  check "Linux runs on the Cubieboard DTB" grep -q 'Machine model: Cubietech Cubieboard' "$work/out.txt"
  check "Linux got boot.scr's bootargs" grep -qE 'Kernel command line: console=ttyS0,115200 earlycon seal-sdcard-test' "$work/out.txt"
else
  check "Seal: model: Cubietech Cubieboard" has_line "$work/out.txt" "model: Cubietech Cubieboard"
  check "Seal: bootargs from boot.scr" has_line "$work/out.txt" "bootargs: seal-sdcard-test"
  check "Seal: sealed: yes" has_line "$work/out.txt" "sealed: yes"
  check "Seal: tick 1, 2, 3 in order" \
    test "$(grep -E '^tick [0-9]+$' "$work/out.txt" | head -n 3 | tr '\n' ' ')" = "tick 1 tick 2 tick 3 "
fi

# The whole path once more with `www`: U-Boot boots the SD image and Seal serves HTTP over the EMAC.
if [ "$mode" = seal ]; then
  make --no-print-directory sdcard BOARD=cubieboard APP=www > "$work/make-www.log" 2>&1
  check "make sdcard APP=www" test -f build/cubieboard/www-sd.img
  port=$(free_port)
  log=$work/www-boot.log
  qemu-system-arm -M cubieboard -m 1G -device loader,file="$work/u-boot-dtb.bin",addr=0x4a000000,cpu-num=0,force-raw=on \
    -drive if=sd,format=raw,file=build/cubieboard/www-sd.img -nic "user,hostfwd=tcp:127.0.0.1:$port-:80" \
    -display none -monitor none -serial stdio < /dev/null > "$log" 2>&1 &
  qemu_pid=$!
  timeout "${BOOT_TIMEOUT:-90}" bash -c "until tr -d '\r' < '$log' | grep -q '^ip: '; do sleep 0.5; done"
  code=$(curl -s -o "$work/index.html" -w '%{http_code}' --max-time 20 "http://127.0.0.1:$port/" || true)
  kill "$qemu_pid" 2>/dev/null; wait "$qemu_pid" 2>/dev/null; qemu_pid=""
  tr -d '\r' < "$log" | grep -E '^(Found U-Boot script|Starting kernel|listening|ip:)' | sed 's/^/    | /'
  check "www booted by U-Boot from the SD card serves / ($code), byte-exact" \
    bash -c "[ '$code' = 200 ] && cmp -s '$work/index.html' Apps/www/site/index.html"
fi
finish

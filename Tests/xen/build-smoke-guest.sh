#!/usr/bin/env bash
# Assembles Tests/xen/smoke-guest.S into a zImage, build/xen/smoke-guest.zImage (rebuilt only
# when the source is newer), and prints its path.
#   Tests/xen/build-smoke-guest.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source_file=$root/Tests/xen/smoke-guest.S
out=$root/build/xen
image=$out/smoke-guest.zImage
mkdir -p "$out"
if [ ! -f "$image" ] || [ "$source_file" -nt "$image" ]; then
  arm-none-eabi-gcc -c -o "$out/smoke-guest.o" "$source_file"
  # Linked at 0: the code is position-independent (pc-relative `adr` only), as Xen may load it anywhere.
  arm-none-eabi-ld -Ttext=0 -e _start -o "$out/smoke-guest.elf" "$out/smoke-guest.o"
  arm-none-eabi-objcopy -O binary "$out/smoke-guest.elf" "$image.tmp"
  mv "$image.tmp" "$image"
fi
echo "$image"

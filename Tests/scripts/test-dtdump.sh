#!/usr/bin/env bash
# `make test-dtdump`: dtdump against the libfdt dump, property for property, on real-world
# device trees — the checked-in fixtures, the trees QEMU generates for several virt
# configurations, and every DTB Debian's armmp kernel package ships.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
work=$root/build/dtdump
rm -rf "$work"; mkdir -p "$work"

for machine in virt virt,highmem=off virt,virtualization=on virt,secure=on; do
  for memory in 128 1024; do
    qemu-system-arm -M "$machine,dumpdtb=$work/qemu-${machine//[,=]/-}-$memory.dtb" -cpu cortex-a15 -smp 2 \
      -m "$memory" -display none > /dev/null 2>&1
  done
done

kernel=$(apt-cache depends linux-image-armmp:armhf 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9.]*-[0-9]*-armmp\):armhf/\1/p' | head -n 1)
if [ -z "$kernel" ]; then
  toolchain/fetch-armhf.sh dpkg > /dev/null 2>&1 || true   # adds the armhf architecture and updates the lists
  kernel=$(apt-cache depends linux-image-armmp:armhf | sed -n 's/.*Depends: \(linux-image-[0-9.]*-[0-9]*-armmp\):armhf/\1/p' | head -n 1)
fi
kernel_dir=$(toolchain/fetch-armhf.sh "$kernel" | tail -n 1)

mapfile -t trees < <(ls Tests/DeviceTreeTests/Fixtures/*.dtb "$work"/*.dtb; find "$kernel_dir" -name '*.dtb' | sort)
echo "comparing ${#trees[@]} device trees ($kernel for the real-world ones)"
swift build -c release --product dtdump > "$work/build.log" 2>&1 || { cat "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }
output=$(DTDUMP=$root/.build/release/dtdump Tests/scripts/dtdump-vs-libfdt.sh "${trees[@]}")
status=$?
echo "$output" | tail -n 20
matched=$(echo "$output" | sed -n 's/^dtdump-vs-libfdt: \([0-9]*\) matched, \([0-9]*\) rejected by both, \([0-9]*\) differed$/\1 \2 \3/p')
read -r same rejected differed <<< "${matched:-0 0 1}"
echo "$((same + rejected)) passed, $differed failed"
exit $status

#!/usr/bin/env bash
# Assembles the Linux side of the www comparison from Debian armhf packages (cached under
# build/armhf/ by toolchain/fetch-armhf.sh, nothing installed system-wide): the current
# linux-image-*-armmp zImage and an initramfs of busybox-static whose /init loads virtio-mmio and
# virtio-net (modules in armmp) with their dependencies, sets 10.0.2.15/24 via 10.0.2.2 and runs
# `busybox httpd -f -p 80 -h /www` on Apps/www/site/ plus `bytes20`, 20 MiB of byte i = i mod 251
# (the same pattern as Seal's GET /bytes/<n>).
#   Tests/bench/linux-guest.sh OUT_DIR
# Prints: kernel=<zImage> initrd=<OUT_DIR/initramfs.cpio.gz>
#         initrd_site=<OUT_DIR/initramfs-site.cpio.gz> (the same without bytes20, for the -m search)
#         initrd_disk=<OUT_DIR/initramfs-disk.cpio.gz> (virtio-blk and dd of 64 MiB, for disk.sh)
#         initrd_cubieboard=<OUT_DIR/initramfs-cubieboard.cpio.gz> (httpd and bytes20 over the A10's EMAC)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=$1
mkdir -p "$out"

resolve_kernel() {
  apt-cache depends linux-image-armmp:armhf 2> /dev/null \
    | sed -n 's/.*Depends: \(linux-image-[0-9.]*-[0-9]*-armmp\):armhf/\1/p' | head -n 1
}
kernel_package=$(resolve_kernel)
if [ -z "$kernel_package" ]; then
  toolchain/fetch-armhf.sh dpkg > /dev/null 2>&1 || true   # adds the armhf architecture and updates the lists
  kernel_package=$(resolve_kernel)
fi
[ -n "$kernel_package" ] || { echo "linux-guest: cannot resolve linux-image-armmp:armhf" >&2; exit 1; }
kernel_dir=$(toolchain/fetch-armhf.sh "$kernel_package" | tail -n 1)
busybox_dir=$(toolchain/fetch-armhf.sh busybox-static | tail -n 1)
zimage=$(ls "$kernel_dir"/boot/vmlinuz-* | head -n 1)
modules_dir=$(ls -d "$kernel_dir"/lib/modules/*/kernel | head -n 1)

# Modules in load order (toolchain/kernel-modules.sh); a missing one is left out.
source toolchain/kernel-modules.sh
config=$(ls "$kernel_dir"/boot/config-* | head -n 1)
grep -q '^CONFIG_VIRTIO_MMIO=m' "$config" && add_module virtio_mmio || true
grep -q '^CONFIG_VIRTIO_NET=m' "$config" && add_module virtio_net || true
network_modules=("${ordered[@]}")
ordered=()
grep -q '^CONFIG_VIRTIO_MMIO=m' "$config" && add_module virtio_mmio || true
grep -q '^CONFIG_VIRTIO_BLK=m' "$config" && add_module virtio_blk || true
disk_modules=("${ordered[@]}")
# The Cubieboard's EMAC and its MDIO bus (sun4i-a10.dtsi: emac, mdio), each with what it needs.
ordered=()
grep -q '^CONFIG_MDIO_SUN4I=m' "$config" && add_module mdio_sun4i || true
grep -q '^CONFIG_SUN4I_EMAC=m' "$config" && add_module sun4i_emac || true
cubieboard_modules=("${ordered[@]}")
ordered=("${network_modules[@]}")

build_tree() { # build_tree DIR WITH_BYTES20
  local tree=$1 with_bytes=$2
  rm -rf "$tree"
  mkdir -p "$tree"/{bin,sbin,proc,sys,dev,tmp,www,lib/modules,usr/bin,usr/sbin}
  cp "$busybox_dir/bin/busybox" "$tree/bin/busybox"
  cp Apps/www/site/* "$tree/www/"
  local insmods=""
  for file in "${ordered[@]}"; do
    cp "$file" "$tree/lib/modules/"
    insmods+="insmod /lib/modules/$(basename "$file")"$'\n'
  done
  if [ "$with_bytes" = 1 ]; then
    python3 -c 'import sys
pattern = bytes(range(251)) * (20971520 // 251 + 1)
sys.stdout.buffer.write(pattern[:20971520])' > "$tree/www/bytes20"
  fi
  cat > "$tree/init" << EOF
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s
${insmods}i=0
while [ ! -e /sys/class/net/eth0 ] && [ \$i -lt 500 ]; do sleep 0.01; i=\$((i + 1)); done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
echo "linux-guest: httpd on 10.0.2.15:80"
exec httpd -f -p 80 -h /www
EOF
  chmod +x "$tree/init"
}

pack() { # pack DIR OUTPUT
  (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 > "$2"
}

build_tree "$out/tree" 1
pack "$out/tree" "$out/initramfs.cpio.gz"
build_tree "$out/tree-site" 0
pack "$out/tree-site" "$out/initramfs-site.cpio.gz"
# The Cubieboard guest: the same httpd tree with the EMAC's modules instead of virtio's.
ordered=("${cubieboard_modules[@]}")
build_tree "$out/tree-cubieboard" 1
pack "$out/tree-cubieboard" "$out/initramfs-cubieboard.cpio.gz"
rm -rf "$out/tree-cubieboard"
ordered=("${network_modules[@]}")

# The disk guest: dd of 64 MiB to and from the first partition of a virtio-blk disk, the same
# sizes diskbench moves through FAT, then power off.
rm -rf "$out/tree-disk"
mkdir -p "$out/tree-disk"/{bin,proc,sys,dev,lib/modules}
cp "$busybox_dir/bin/busybox" "$out/tree-disk/bin/busybox"
disk_insmods=""
for file in "${disk_modules[@]}"; do
  cp "$file" "$out/tree-disk/lib/modules/"
  disk_insmods+="insmod /lib/modules/$(basename "$file")"$'\n'
done
cat > "$out/tree-disk/init" << INIT
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s
${disk_insmods}i=0
while [ ! -e /dev/vda1 ] && [ \$i -lt 500 ]; do sleep 0.01; i=\$((i + 1)); done
# busybox dd prints no rate: time each run with /proc/uptime (10 ms resolution).
centiseconds() { read -r up rest < /proc/uptime; echo \$(( \${up%.*} * 100 + 1\${up#*.} - 100 )); }
start=\$(centiseconds)
dd if=/dev/zero of=/dev/vda1 bs=65536 count=1024 conv=fsync 2> /dev/null
echo "linux-disk: write 67108864 bytes in \$(( \$(centiseconds) - start )) cs"
echo 3 > /proc/sys/vm/drop_caches
start=\$(centiseconds)
dd if=/dev/vda1 of=/dev/null bs=65536 count=1024 2> /dev/null
echo "linux-disk: read 67108864 bytes in \$(( \$(centiseconds) - start )) cs"
echo "linux-disk: done"
poweroff -f
INIT
chmod +x "$out/tree-disk/init"
pack "$out/tree-disk" "$out/initramfs-disk.cpio.gz"
rm -rf "$out/tree" "$out/tree-site" "$out/tree-disk"
echo "kernel=$zimage"
echo "initrd=$out/initramfs.cpio.gz"
echo "initrd_site=$out/initramfs-site.cpio.gz"
echo "initrd_disk=$out/initramfs-disk.cpio.gz"
echo "initrd_cubieboard=$out/initramfs-cubieboard.cpio.gz"
echo "kernel_package=$kernel_package"

#!/usr/bin/env bash
# Builds the Xen dom0 rig from Debian armhf packages (fetched and unpacked under build/armhf/ by
# toolchain/fetch-armhf.sh, nothing installed system-wide): a dom0 initramfs holding busybox, the
# Xen tools (xl, xenstored, xenconsoled, hotplug scripts) and the backend modules, plus a busybox
# initramfs for a Linux domU with netfront and blkfront, and a busybox httpd domU (the Linux
# stand-in for Seal's web apps in the dom0 tests and the bench). Dom0 also gets the HTTP clients
# the tests use: curl and ab (apache2-utils). Outputs go to build/xen/dom0/ and are rebuilt only
# when a package or one of Tests/xen's init scripts changed.
#   Tests/xen/build-dom0.sh
# Prints: xen=<hypervisor> kernel=<dom0 and domU zImage> initramfs=<dom0 initramfs>
#         domU_initramfs=<Linux domU initramfs> httpd_initramfs=<busybox httpd domU initramfs>
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=$root/build/xen/dom0
mkdir -p "$out"
fetch=toolchain/fetch-armhf.sh

# Debian's LPAE armmp flavour, the dom0 kernel measured working under Xen in QEMU (issue 8);
# the same zImage serves as the Linux domU, so one set of modules fits both.
resolve_kernel() {
  apt-cache depends linux-image-armmp-lpae:armhf 2> /dev/null \
    | sed -n 's/.*Depends: \(linux-image-[0-9.]*-[0-9]*-armmp-lpae\):armhf/\1/p' | head -n 1
}
kernel_package=$(resolve_kernel)
if [ -z "$kernel_package" ]; then
  "$fetch" dpkg > /dev/null 2>&1 || true   # adds the armhf architecture and updates the lists
  kernel_package=$(resolve_kernel)
fi
[ -n "$kernel_package" ] || { echo "build-dom0: cannot resolve linux-image-armmp-lpae:armhf" >&2; exit 1; }

# xen-utils-4.17's run-time dependencies (apt-cache depends) minus python3, which only pygrub
# and the migration helpers use; bash and flock (util-linux) run the hotplug scripts.
library_packages=(libc6 libgcc-s1 libxenmisc4.17 libxenstore4 libxencall1 libxenevtchn1 libxenforeignmemory1
  libxengnttab1 libxentoollog1 libxendevicemodel1 libxenhypfs1 libxentoolcore1 libyajl2 libncurses6
  libtinfo6 libext2fs2 libfdt1 libuuid1 zlib1g)
# curl and ab with their run-time closure (apt-cache depends --recurse, without debconf and the
# data-only packages); the NEEDED check below catches a library this list misses.
client_packages=(curl apache2-utils)
library_packages+=(libcurl4 libapr1 libaprutil1 libbrotli1 libcom-err2 libcrypt1 libdb5.3 libexpat1
  libffi8 libgdbm6 libgmp10 libgnutls30 libgssapi-krb5-2 libhogweed6 libidn2-0 libk5crypto3
  libkeyutils1 libkrb5-3 libkrb5support0 libldap-2.5-0 libnettle8 libnghttp2-14 libp11-kit0 libpsl5
  librtmp1 libsasl2-2 libssh2-1 libssl3 libtasn1-6 libunistring2 libzstd1)
packages=(xen-hypervisor-4.17-armhf "$kernel_package" busybox-static xen-utils-4.17 xen-utils-common
  xenstore-utils bash util-linux "${client_packages[@]}" "${library_packages[@]}")
declare -A dir
while IFS= read -r line; do dir[$(basename "$line")]=$line; done < <("$fetch" "${packages[@]}")

xen=${dir[xen-hypervisor-4.17-armhf]}/boot/xen-4.17-armhf
kernel_dir=${dir[$kernel_package]}
kernel=$(ls "$kernel_dir"/boot/vmlinuz-* | head -n 1)
modules_dir=$(ls -d "$kernel_dir"/lib/modules/*/kernel | head -n 1)
dom0_initramfs=$out/dom0-initramfs.cpio.gz
domU_initramfs=$out/domU-initramfs.cpio.gz
httpd_initramfs=$out/httpd-initramfs.cpio.gz

report() {
  echo "xen=$xen"
  echo "kernel=$kernel"
  echo "initramfs=$dom0_initramfs"
  echo "domU_initramfs=$domU_initramfs"
  echo "httpd_initramfs=$httpd_initramfs"
}

# Up to date when both initramfs files are newer than every input.
inputs=(Tests/xen/build-dom0.sh Tests/xen/dom0-init.sh Tests/xen/domU-init.sh Tests/xen/httpd-domU-init.sh
  Apps/www/site/*)
for package in "${packages[@]}"; do inputs+=("${dir[$package]}/.unpacked"); done
fresh=1
for file in "$dom0_initramfs" "$domU_initramfs" "$httpd_initramfs"; do
  [ -f "$file" ] || { fresh=0; break; }
  for input in "${inputs[@]}"; do [ "$input" -nt "$file" ] && { fresh=0; break; }; done
done
if [ "$fresh" = 1 ]; then report; exit 0; fi

# Modules in load order (toolchain/kernel-modules.sh); a missing one is fatal here.
source toolchain/kernel-modules.sh
install_modules() { # install_modules TREE: copies `ordered` into TREE/lib/modules with its load-order
  local tree=$1 file
  mkdir -p "$tree/lib/modules"
  : > "$tree/lib/modules/load-order"
  for file in "${ordered[@]}"; do
    cp "$file" "$tree/lib/modules/"
    basename "$file" >> "$tree/lib/modules/load-order"
  done
}
pack() { # pack TREE OUTPUT: a newc cpio owned by root, gzip'd, as the kernel's initramfs unpacker reads
  (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -6 > "$2.tmp"
  mv "$2.tmp" "$2"
}

# ---- Linux domU: busybox, blkfront, netfront ----
tree=$out/domU-tree
rm -rf "$tree"
mkdir -p "$tree/bin"
cp "${dir[busybox-static]}/bin/busybox" "$tree/bin/"
cp Tests/xen/domU-init.sh "$tree/init"
chmod +x "$tree/init"
ordered=()
add_module xen-blkfront || exit 1
add_module xen-netfront || exit 1
install_modules "$tree"
pack "$tree" "$domU_initramfs"
rm -rf "$tree"

# ---- busybox httpd domU: what Seal's www, site and kv are compared with ----
# /www holds Apps/www/site/ and bytes/5242880 (byte i = i mod 251, the pattern of www's
# GET /bytes/<n>), so the same URLs work on both; with a disk it serves the disk's first FAT
# partition instead (Tests/xen/httpd-domU-init.sh).
tree=$out/httpd-tree
rm -rf "$tree"
mkdir -p "$tree/bin" "$tree/www/bytes"
cp "${dir[busybox-static]}/bin/busybox" "$tree/bin/"
cp Tests/xen/httpd-domU-init.sh "$tree/init"
chmod +x "$tree/init"
cp Apps/www/site/* "$tree/www/"
python3 -c 'import sys
n = 5242880
sys.stdout.buffer.write((bytes(range(251)) * (n // 251 + 1))[:n])' > "$tree/www/bytes/5242880"
ordered=()
for module in xen-blkfront xen-netfront vfat nls_cp437 nls_iso8859-1 nls_utf8; do
  add_module "$module" || exit 1
done
install_modules "$tree"
pack "$tree" "$httpd_initramfs"
rm -rf "$tree"

# ---- dom0 ----
tree=$out/dom0-tree
rm -rf "$tree"
mkdir -p "$tree"/{bin,sbin,usr/bin,usr/sbin,usr/lib,lib,etc,root,tmp,var/log,var/lib}
cp "${dir[busybox-static]}/bin/busybox" "${dir[bash]}/bin/bash" "$tree/bin/"
cp "${dir[util-linux]}/usr/bin/flock" "$tree/usr/bin/"
cp "${dir[curl]}/usr/bin/curl" "${dir[apache2-utils]}/usr/bin/ab" "$tree/usr/bin/"
cp -a "${dir[xenstore-utils]}"/usr/bin/xenstore* "$tree/usr/bin/"
# Shared libraries: the packages' lib/ and usr/lib/ trees as they are (Debian 12 packages are
# not usr-merged), without glibc's gconv and audit modules, which nothing here loads.
for package in "${library_packages[@]}"; do
  for part in lib usr/lib; do
    [ -d "${dir[$package]}/$part" ] && cp -a "${dir[$package]}/$part/." "$tree/$part/"
  done
done
rm -rf "$tree/usr/lib/arm-linux-gnueabihf/gconv" "$tree/usr/lib/arm-linux-gnueabihf/audit"
# The toolstack: /usr/lib/xen-4.17/bin (xl, xenstored, xenconsoled, xen-init-dom0), the hotplug
# scripts and xl.conf in /etc/xen, and Debian's version wrappers; not the Python parts (pygrub).
cp -a "${dir[xen-utils-4.17]}/usr/lib/xen-4.17" "$tree/usr/lib/"
rm -rf "$tree/usr/lib/xen-4.17/lib/python" "$tree/usr/lib/xen-4.17/boot"
cp -a "${dir[xen-utils-common]}/usr/lib/xen-common" "$tree/usr/lib/"
cp -a "${dir[xen-utils-common]}/etc/xen" "$tree/etc/"
echo 'root:x:0:0:root:/root:/bin/sh' > "$tree/etc/passwd"
echo 'root:x:0:' > "$tree/etc/group"
ordered=()
for module in xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc xen-netback xen-blkback bridge loop; do
  add_module "$module" || exit 1
done
install_modules "$tree"
cp Tests/xen/dom0-init.sh "$tree/init"
chmod +x "$tree/init"

# Every shared library an executable or a library needs must be in the tree: a missing one would
# only show as "not found" deep inside a hotplug script (or curl) at run time.
# (binutils-arm-none-eabi's readelf and strings: already installed for the firmware build.)
missing=$(find "$tree" -type f \( -perm -u+x -o -name '*.so*' \) | while read -r binary; do
      arm-none-eabi-readelf -d "$binary" 2> /dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | while read -r library; do
        [ -e "$tree/lib/arm-linux-gnueabihf/$library" ] || [ -e "$tree/usr/lib/arm-linux-gnueabihf/$library" ] \
          || [ -e "$tree/lib/$library" ] || [ -e "$tree/usr/lib/xen-4.17/lib/arm-linux-gnueabihf/$library" ] \
          || echo "${binary#"$tree"}: $library"
      done
    done | sort -u)
if [ -n "$missing" ]; then echo "build-dom0: missing libraries:"$'\n'"$missing" >&2; exit 1; fi

pack "$tree" "$dom0_initramfs"
rm -rf "$tree"
report

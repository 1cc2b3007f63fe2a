#!/usr/bin/env bash
# Installs, idempotently, every Debian package that building and testing Seal needs.
set -euo pipefail

packages=(
  make qemu-system-arm qemu-utils ipxe-qemu gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
  libfdt-dev python3-libfdt device-tree-compiler libxen-dev u-boot-tools
  mtools dosfstools fdisk gdb-multiarch curl apache2-utils iproute2 iputils-ping
  dnsmasq-base tcpdump busybox-static cpio xz-utils socat
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}"
sudo_prefix=""
if [ "$(id -u)" -ne 0 ]; then sudo_prefix="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo_prefix apt-get update -qq
$sudo_prefix apt-get install -y -qq --no-install-recommends "${missing[@]}"

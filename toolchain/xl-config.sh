#!/usr/bin/env bash
# Writes the `xl` domain configuration of a Seal app built for the xen-arm board, as `mirage
# configure -t xen` does for a Mirage unikernel: the devices follow from what the app's sources
# use (a `vif` when it starts networking, a `disk` when it takes the machine's disk).
#   toolchain/xl-config.sh APP IMAGE [options] > APP.xl
# IMAGE is the zImage's path as dom0 will open it (xl reads the kernel in dom0; a relative path
# is relative to the directory `xl create` runs in). Options:
#   --name NAME       domain name (default APP)
#   --memory MiB      guest memory (default 64)
#   --vif BRIDGE      bridge of the network interface (default xenbr0 when the app networks)
#   --no-vif          no network interface
#   --mac MAC         the interface's MAC (default 00:16:3e plus three bytes of the name's CRC)
#   --disk PATH       the app's disk as xvda, read-write: a /dev/ block device goes in as phy:,
#                     a file through the `block` hotplug script's loop device (both blkback)
#   --extra WORDS     the guest's command line (/chosen/bootargs), e.g. "ip=10.0.0.2/24 rw"
#   --ramdisk PATH    an initramfs (for a Linux guest standing in for the app in the tests)
# Without --disk an app that takes a disk gets a commented `disk` line to fill in.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "xl-config: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: $0 APP IMAGE [--name NAME] [--memory MiB] [--vif BRIDGE | --no-vif] [--mac MAC] [--disk PATH] [--extra WORDS]"
app=$1 image=$2
shift 2
name=$app memory=64 bridge="" vif=auto mac="" disk="" extra="" ramdisk=""
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || [ "$1" = --no-vif ] || die "$1 needs a value"
  case "$1" in
    --name) name=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    --vif) bridge=$2; vif=yes; shift 2 ;;
    --no-vif) vif=no; shift ;;
    --mac) mac=$2; shift 2 ;;
    --disk) disk=$2; shift 2 ;;
    --extra) extra=$2; shift 2 ;;
    --ramdisk) ramdisk=$2; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
[[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || die "domain name '$name' must be letters, digits, '_', '.', '-'"
[[ $memory =~ ^[0-9]+$ ]] && [ "$memory" -ge 1 ] || die "--memory takes a whole number of MiB"
case "$image$extra$disk$bridge$ramdisk" in *\"*|*\'*) die "quotes are not allowed in paths or --extra" ;; esac

# What the app uses, from its sources (Apps/APP/*.swift).
sources=("$root/Apps/$app"/*.swift)
[ -f "${sources[0]}" ] || die "no app $app (Apps/$app/*.swift)"
networks=no takes_disk=no
grep -qE 'startNetworking|NetworkedMachine' "${sources[@]}" && networks=yes
grep -qE 'takeDisk|StorageMachine' "${sources[@]}" && takes_disk=yes
if [ "$vif" = auto ]; then vif=$networks; fi
[ -n "$bridge" ] || bridge=xenbr0
if [ -z "$mac" ]; then
  # Xen's OUI and three bytes of the name's POSIX cksum: stable per name, different per name.
  crc=$(printf '%s' "$name" | cksum | cut -d' ' -f1)
  mac=$(printf '00:16:3e:%02x:%02x:%02x' $(( (crc >> 16) & 0x7f )) $(( (crc >> 8) & 0xff )) $(( crc & 0xff )))
fi
[[ $mac =~ ^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$ ]] || die "--mac $mac is not a MAC address"

echo "# xl configuration of Seal's \`$app\` on the xen-arm board (toolchain/xl-config.sh)."
echo "name = \"$name\""
echo "# Every ARM guest is PVH-like; on 32-bit ARM xl loads only zImage-format kernels."
echo "type = \"pvh\""
echo "kernel = \"$image\""
if [ -n "$ramdisk" ]; then echo "ramdisk = \"$ramdisk\""; fi
echo "memory = $memory"
echo "vcpus = 1"
echo "# The early console: an SBSA UART at 0x22000000 (xenconsoled logs it as guest-$name-vuart0.log)."
echo "vuart = \"sbsa_uart\""
if [ -n "$extra" ]; then echo "extra = \"$extra\""; fi
echo "on_poweroff = \"destroy\""
if [ "$vif" = yes ]; then
  echo "vif = [ 'bridge=$bridge,mac=$mac' ]"
fi
if [ -n "$disk" ]; then
  case "$disk" in
    /dev/*) echo "disk = [ 'phy:$disk,xvda,w' ]" ;;
    *) echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=$disk' ]" ;;
  esac
elif [ "$takes_disk" = yes ]; then
  echo "# $app reads its disk as xvda: add one, e.g. (a file goes in through a loop device)"
  echo "# disk = [ 'format=raw,vdev=xvda,access=rw,target=/path/to/disk.img' ]"
fi

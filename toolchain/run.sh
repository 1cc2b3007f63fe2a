#!/usr/bin/env bash
# `make run`: boots BOARD/APP interactively (Ctrl-a x leaves QEMU). Extra QEMU arguments: QEMU_ARGS;
# the kernel command line: APPEND (e.g. APPEND=rw for site); a disk image for the storage apps:
# DISK (virtio-blk, cache=writethrough).
# On qemu-virt the guest gets virtio-net on QEMU user networking (DHCP from QEMU) with the host's
# 127.0.0.1:8080 forwarded to the guest's port 80, and virtio-rng; apps without networking
# (hello) simply leave the devices alone.
set -euo pipefail
board=$1 app=$2
root=$(cd "$(dirname "$0")/.." && pwd)
network=()
if [ "$board" = xen-arm ]; then
  # Xen 4.17 in QEMU with this image as its only (dom0less) guest: the console, event channels,
  # grants and the timer, but no xenstore and so no PV devices. Tests/xen/boot-dom0.sh gives a
  # Linux dom0 with netback, blkback and `xl create` (see Tests/xen/README.md).
  echo "booting build/$board/$app.bin as a dom0less guest of Xen (its lines are Xen's \`(XEN) DOM1:\`)"
  GUEST_ENHANCED=no-xenstore TIMEOUT=${TIMEOUT:-600} exec "$root/Tests/xen/boot-dom0less.sh" \
    "$root/build/$board/$app.bin" "${APPEND:-}"
fi
if [ "$board" = qemu-virt ]; then
  network=(-netdev "user,id=net0,hostfwd=tcp:127.0.0.1:8080-:80" -device virtio-net-device,netdev=net0
           -device virtio-rng-device)
  # Only apps that take the network device listen; say where to point a browser.
  if grep -qsE 'startNetworking|takeNetwork' "$root/Apps/$app"/*.swift; then
    echo "network: QEMU user networking, 127.0.0.1:8080 on this machine forwards to port 80 of the guest"
    echo "open http://127.0.0.1:8080/"
  fi
fi
if [ "$board" = cubieboard ]; then
  # The A10's EMAC on QEMU user networking; the SD card slot for DISK.
  network=(-nic "user,hostfwd=tcp:127.0.0.1:8080-:80")
  if grep -qsE 'startNetworking|takeNetwork' "$root/Apps/$app"/*.swift; then
    echo "network: QEMU user networking on the EMAC, 127.0.0.1:8080 forwards to port 80 of the guest"
    echo "open http://127.0.0.1:8080/"
  fi
fi
if [ -n "${DISK:-}" ]; then
  [ -f "$DISK" ] || { echo "run: DISK=$DISK does not exist (make disk DIR=folder makes one)"; exit 1; }
  if [ "$board" = cubieboard ]; then
    network+=(-drive "file=$DISK,if=sd,format=raw,cache=writethrough")
    echo "disk: $DISK in the SD card slot (QEMU wants a power-of-two size)"
  else
    network+=(-drive "file=$DISK,if=none,format=raw,id=disk0,cache=writethrough" -device virtio-blk-device,drive=disk0)
    echo "disk: $DISK on virtio-blk"
  fi
fi
echo "booting build/$board/$app.bin in QEMU (Ctrl-a x to quit)"
INTERACTIVE=1 exec "$root/toolchain/boot.sh" "$board" "$root/build/$board/$app.bin" "${APPEND:-}" -- \
  "${network[@]}" ${QEMU_ARGS:-}

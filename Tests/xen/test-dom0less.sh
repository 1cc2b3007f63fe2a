#!/usr/bin/env bash
# Checks Tests/xen/boot-dom0less.sh: the assembly smoke guest prints its lines on the vpl011 and
# shuts its domain down (exit 0); a marker that never comes ends at TIMEOUT (exit 124); an image
# Xen cannot load ends with QEMU (exit 125); Debian's Linux boots as a dom0less guest with its
# console on the vpl011 (ttyAMA0) and is seen still running after its marker (exit 126).
# Prints the checks and `N passed, M failed`.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
guest=$("$root/Tests/xen/build-smoke-guest.sh") || { echo "0 passed, 1 failed"; exit 1; }

echo "dom0less: smoke guest"
CHECK_SHUTDOWN=1 GUEST_LOG=$work/guest.txt TIMEOUT=30 "$root/Tests/xen/boot-dom0less.sh" "$guest" \
  > "$work/console.txt" 2> "$work/stderr.txt"
status=$?
sed 's/^/    | /' "$work/guest.txt" "$work/stderr.txt"
check "smoke: exit status 0 (got $status)" test "$status" -eq 0
check "smoke: hello from domU" has_line "$work/guest.txt" "hello from domU"
check "smoke: device tree in r2: yes" has_line "$work/guest.txt" "device tree in r2: yes"
check "smoke: domain shut down" has_line "$work/stderr.txt" "boot-dom0less: domain 1 shut down: yes"

echo "dom0less: a marker that never comes"
MARKER="never printed" TIMEOUT=5 "$root/Tests/xen/boot-dom0less.sh" "$guest" > /dev/null 2>&1
status=$?
check "timeout: exit status 124 (got $status)" test "$status" -eq 124

echo "dom0less: an image Xen cannot load (Xen panics; QEMU runs with -no-reboot)"
head -c 4096 /dev/zero > "$work/zeros.bin"
MARKER="never printed" TIMEOUT=30 "$root/Tests/xen/boot-dom0less.sh" "$work/zeros.bin" > /dev/null 2>&1
status=$?
check "no zImage: exit status 125 (got $status)" test "$status" -eq 125

echo "dom0less: Linux guest"
rig=$("$root/Tests/xen/build-dom0.sh") || { echo "0 passed, 1 failed"; exit 1; }
kernel=$(sed -n 's/^kernel=//p' <<< "$rig")
domU_initramfs=$(sed -n 's/^domU_initramfs=//p' <<< "$rig")
GUEST_INITRD=$domU_initramfs MARKER="domU: init" CHECK_SHUTDOWN=1 GUEST_LOG=$work/linux.txt TIMEOUT=60 \
  "$root/Tests/xen/boot-dom0less.sh" "$kernel" "console=ttyAMA0 rdinit=/init" \
  > "$work/console.txt" 2> "$work/stderr.txt"
status=$?
sed 's/^/    | /' "$work/stderr.txt"
check "linux: exit status 126, still running after the marker (got $status)" test "$status" -eq 126
check "linux: console on the vpl011" grep -q 'sbsa-uart: ttyAMA0 at MMIO 0x22000000' "$work/linux.txt"
check "linux: its initramfs ran" grep -q '^domU: init uptime=' "$work/linux.txt"
finish

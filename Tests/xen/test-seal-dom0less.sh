#!/usr/bin/env bash
# Seal's `hello` on board xen-arm as a dom0less guest of Xen 4.17 in QEMU: it prints the device
# tree's facts, finds /hypervisor, loops an event channel back to itself through the upcall,
# answers Xen's `q` debug key on VIRQ_DEBUG, ticks three times on the virtual timer and ends
# its domain with SCHEDOP_shutdown; without `xen,enhanced` (no /hypervisor node) it still runs.
# `fault` ends its domain as crashed.
# Prints the checks and `N passed, M failed`.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source Tests/qemu/lib.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build_images xen-arm hello fault || exit 1

echo "dom0less: Seal hello with a /hypervisor node (xen,enhanced = \"no-xenstore\")"
GUEST_ENHANCED=no-xenstore GUEST_MEMORY=16 CHECK_SHUTDOWN=1 GUEST_LOG=$work/guest.txt TIMEOUT=60 \
  Tests/xen/boot-dom0less.sh build/xen-arm/hello.bin "seal test=dom0less" > "$work/console.txt" 2> "$work/stderr.txt"
status=$?
sed 's/^/    | /' "$work/guest.txt" "$work/stderr.txt"
check "hello: exit status 0 (got $status)" test "$status" -eq 0
check "hello: Xen's version from the hypercall" grep -q "^xen: version 4.17" "$work/guest.txt"
# The window and the PPI are what Xen's own device tree for the guest says (arch-arm.h GUEST_GNTTAB_BASE, GUEST_EVTCHN_PPI).
check "hello: /hypervisor read from the device tree" grep -q '^xen: version 4.17, grant window 0x38000000+0x1000000, event upcall irq 31$' "$work/guest.txt"
check "hello: grant frames mapped" grep -qE '^xen: [1-9][0-9]* grant frames, xenstore none, no PV console$' "$work/guest.txt"
check "hello: evtchn: loopback ok" grep -q '^evtchn: loopback ok' "$work/guest.txt"
check "hello: memory from the device tree (16 MiB at 0x40000000)" has_line "$work/guest.txt" "memory: base=0x40000000 size=0x1000000"
check "hello: one CPU" has_line "$work/guest.txt" "cpus: 1"
check "hello: bootargs from the domain's kernel module" has_line "$work/guest.txt" "bootargs: seal test=dom0less"
check "hello: sealed: yes" has_line "$work/guest.txt" "sealed: yes"
check "hello: tick 1, 2, 3 in order from the virtual timer" \
  test "$(grep -E '^tick [0-9]+$' "$work/guest.txt" | tr '\n' ' ')" = "tick 1 tick 2 tick 3 "
check "hello: halted status=0" has_line "$work/guest.txt" "seal: halted status=0"
check "hello: SCHEDOP_shutdown ended the domain" has_line "$work/stderr.txt" "boot-dom0less: domain 1 shut down: yes"

echo "dom0less: Seal hello and Xen's debug key (VIRQ_DEBUG)"
DEBUG_KEY_AFTER="tick 1" GUEST_ENHANCED=no-xenstore GUEST_MEMORY=16 GUEST_LOG=$work/debug.txt TIMEOUT=60 \
  Tests/xen/boot-dom0less.sh build/xen-arm/hello.bin > "$work/console.txt" 2> /dev/null
status=$?
check "debug key: exit status 0 (got $status)" test "$status" -eq 0
check "debug key: Xen notified the guest's VIRQ_DEBUG port" grep -q 'Notifying guest 1:0 (virq 1, port [0-9]' "$work/console.txt"
check "debug key: the guest's handler ran from its event loop" grep -q '^xen: debug key (VIRQ_DEBUG on port [0-9]*), events on unbound ports so far: [0-9]*$' "$work/debug.txt"
check "debug key: tick 3 after it" has_line "$work/debug.txt" "tick 3"

echo "dom0less: Seal hello without xen,enhanced (no /hypervisor node)"
GUEST_MEMORY=16 CHECK_SHUTDOWN=1 GUEST_LOG=$work/plain.txt TIMEOUT=60 \
  Tests/xen/boot-dom0less.sh build/xen-arm/hello.bin > /dev/null 2> "$work/stderr.txt"
status=$?
check "plain: exit status 0 (got $status)" test "$status" -eq 0
check "plain: says there is no /hypervisor node" grep -q 'no /hypervisor node' "$work/plain.txt"
check "plain: tick 3" has_line "$work/plain.txt" "tick 3"
check "plain: domain shut down" has_line "$work/stderr.txt" "boot-dom0less: domain 1 shut down: yes"

echo "dom0less: Seal fault (a panic ends the domain)"
GUEST_ENHANCED=no-xenstore GUEST_MEMORY=16 CHECK_SHUTDOWN=1 GUEST_LOG=$work/fault.txt TIMEOUT=60 \
  Tests/xen/boot-dom0less.sh build/xen-arm/fault.bin > /dev/null 2> "$work/stderr.txt"
status=$?
sed 's/^/    | /' "$work/fault.txt" | head -12
check "fault: a non-zero halt status (got $status)" test "$status" -ne 0 -a "$status" -lt 124
check "fault: panic report on the vpl011" grep -q 'panic' "$work/fault.txt"
check "fault: domain shut down" has_line "$work/stderr.txt" "boot-dom0less: domain 1 shut down: yes"
finish

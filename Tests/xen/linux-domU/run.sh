#!/bin/sh
# dom0 side of Tests/xen/test-dom0-linux.sh: starts the Linux domU with a blkback disk and a
# netback vif on xenbr0, checks both backends connect, the guest reads the disk and answers
# ping, then destroys it. Prints `ok   …` / `FAIL …` lines and `test: <event> uptime=<s>` marks;
# exits with the number of failures.
failures=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
mark() { echo "test: $1 uptime=$(cut -d' ' -f1 /proc/uptime)"; }
console_log=/var/log/xen/console/guest-linux-domU.log

dd if=/dev/zero of=/tmp/disk.img bs=1M count=16 2> /dev/null
echo "HELLO-FROM-DOM0-DISK" | dd of=/tmp/disk.img conv=notrunc 2> /dev/null
losetup /dev/loop0 /tmp/disk.img || fail "losetup"

mark "xl create"
if timeout 120 xl create /test/domU.xl > /tmp/xl-create.log 2>&1; then
  ok "xl create"
else
  fail "xl create"; cat /tmp/xl-create.log
fi
mark "xl create returned"
domid=$(xl domid linux-domU 2> /dev/null)
[ -n "$domid" ] || { fail "domU exists"; xl list; exit "$failures"; }

# Backend states in xenstore (XenbusStateConnected = 4, xen/include/public/io/xenbus.h);
# 51712 is xvda's device number (202 << 8).
tries=0
while [ $tries -lt 120 ]; do
  vbd=$(xenstore-read "/local/domain/0/backend/vbd/$domid/51712/state" 2> /dev/null)
  vif=$(xenstore-read "/local/domain/0/backend/vif/$domid/0/state" 2> /dev/null)
  [ "$vbd" = 4 ] && [ "$vif" = 4 ] && break
  sleep 0.5; tries=$((tries + 1))
done
if [ "$vbd" = 4 ]; then ok "blkback connected"; else fail "blkback connected (state ${vbd:-none})"; fi
if [ "$vif" = 4 ]; then ok "netback connected"; else fail "netback connected (state ${vif:-none})"; fi
mark "backends connected"

tries=0
while ! grep -q "domU: eth0 up" "$console_log" 2> /dev/null && [ $tries -lt 120 ]; do
  sleep 0.5; tries=$((tries + 1))
done
if grep -q "domU: disk says HELLO-FROM-DOM0-DISK" "$console_log" 2> /dev/null; then
  ok "domU read the disk through blkfront"
else
  fail "domU read the disk through blkfront"
fi

ip link set "vif$domid.0" up 2> /dev/null
tries=0
until ping -c 1 -W 1 10.0.0.2 > /dev/null 2>&1; do
  tries=$((tries + 1)); [ $tries -ge 20 ] && break
done
if [ $tries -lt 20 ]; then ok "domU answers ping"; else fail "domU answers ping"; fi
mark "ping answered"

echo "---- domU console"
sed 's/^/    | /' "$console_log" 2> /dev/null | grep -E 'domU:|xvda|netfront|blkfront|Kernel panic' | head -n 40
if xl destroy linux-domU; then ok "xl destroy"; else fail "xl destroy"; fi
mark "done"
exit "$failures"

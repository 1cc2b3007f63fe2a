#!/bin/sh
# dom0 side of Tests/xen/test-dom0-smoke.sh: `xl create`s the rig's assembly smoke guest (a bare
# zImage, as a Seal image will be), waits for it to shut itself down, and checks what it wrote to
# its vpl011. Prints `ok   …` / `FAIL …` lines; exits with the number of failures.
failures=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
mark() { echo "test: $1 uptime=$(cut -d' ' -f1 /proc/uptime)"; }

mark "xl create"
if timeout 60 xl create /test/smoke.xl > /tmp/xl-create.log 2>&1; then
  ok "xl create"
else
  fail "xl create"; cat /tmp/xl-create.log
fi
mark "xl create returned"
# SCHEDOP_shutdown(poweroff) with on_poweroff = "destroy": the domain disappears (at most 30 s).
tries=0
while xl domid smoke > /dev/null 2>&1 && [ $tries -lt 60 ]; do sleep 0.5; tries=$((tries + 1)); done
if xl domid smoke > /dev/null 2>&1; then fail "guest shut itself down"; xl list; else ok "guest shut itself down"; fi
mark "guest gone"
ls /var/log/xen/console/
log=/var/log/xen/console/guest-smoke-vuart0.log
echo "---- $log"
sed 's/^/    | /' "$log" 2> /dev/null
for line in "hello from domU" "device tree in r2: yes" "seal: halted status=0"; do
  if tr -d '\r' < "$log" 2> /dev/null | grep -qxF "$line"; then ok "guest wrote: $line"; else fail "guest wrote: $line"; fi
done
exit "$failures"

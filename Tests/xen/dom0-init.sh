#!/bin/busybox sh
# dom0's /init in the rig's initramfs: brings up the Xen toolstack and backends, runs /test/run.sh
# when the caller baked one in (then powers the machine off), else leaves a shell on the console.
# Progress lines: `dom0: <event> uptime=<s>`; the closing line `dom0: test status=<n>`.
/bin/busybox mkdir -p /proc /sys /dev /tmp /run
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s
export PATH=/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin
mark() { echo "dom0: $1 uptime=$(cut -d' ' -f1 /proc/uptime)"; }
mark "init"
# A toolstack that cannot come up ends a test run at once (status 99) rather than at the timeout.
setup_failed() {
  echo "dom0: setup failed: $1"
  if [ -x /test/run.sh ]; then echo "dom0: test status=99"; sync; poweroff -f; fi
}
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts
# udev normally adds these; Xen's hotplug locking (locking.sh) runs `stat -L /dev/stdin` and
# loops forever without it, so `xl create` of a domain with a disk would hang.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmpfs /run
# The tools use both /run and /var/run (xenstored's socket is /var/run/xenstored/socket).
rm -rf /var/run && ln -s /run /var/run
mkdir -p /run/xen /run/xenstored /run/lock /var/lib/xenstored /var/lib/xen /var/log/xen/console
hostname dom0

# Modules in dependency order, listed by build-dom0.sh (privcmd, xenfs, evtchn, gntdev,
# gntalloc, netback, blkback, bridge, loop and what they need).
while read -r module; do
  insmod "/lib/modules/$module" || echo "dom0: insmod $module failed"
done < /lib/modules/load-order
# xenfs gives the toolstack /proc/xen (capabilities, privcmd, xenbus).
mount -t xenfs xenfs /proc/xen || setup_failed "mount xenfs"

# The xenstore daemon, then wait (at most 10 s) for its socket, as libxenstore connects there.
/usr/lib/xen-4.17/bin/xenstored --pid-file /run/xenstored.pid
tries=0
while [ ! -S /run/xenstored/socket ] && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
[ -S /run/xenstored/socket ] || setup_failed "xenstored did not start"
# xen-init-dom0 writes dom0's own xenstore entries (name, domid) that xl expects.
timeout 30 /usr/lib/xen-4.17/bin/xen-init-dom0 > /dev/null || setup_failed "xen-init-dom0"
# xenconsoled serves the guests' PV consoles; it logs each to /var/log/xen/console/guest-<name>.log.
/usr/lib/xen-4.17/bin/xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console
if timeout 30 xl list > /dev/null 2>&1; then mark "xl ready"; else setup_failed "xl list"; fi

# The bridge that `vif = [ 'bridge=xenbr0' ]` attaches guests to; dom0 is 10.0.0.1 on it.
ip link add name xenbr0 type bridge
ip addr add 10.0.0.1/24 dev xenbr0
ip link set xenbr0 up

if [ -x /test/run.sh ]; then
  mark "test start"
  (cd /test && ./run.sh)
  status=$?
  mark "test end"
  echo "dom0: test status=$status"
  sync
  # Dom0 powering off makes Xen power the machine off (PSCI SYSTEM_OFF), so QEMU exits.
  poweroff -f
fi
mark "shell"
exec setsid cttyhack sh

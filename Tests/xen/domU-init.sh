#!/bin/busybox sh
# /init of the rig's Linux domU (busybox): loads blkfront and netfront, prints what its disk's
# first line says, takes 10.0.0.2/24 on eth0 and then idles until dom0 destroys the domain.
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s
echo "domU: init uptime=$(cut -d' ' -f1 /proc/uptime)"
while read -r module; do
  insmod "/lib/modules/$module" || echo "domU: insmod $module failed"
done < /lib/modules/load-order
# The frontends connect asynchronously through xenstore: wait (at most 10 s) for both devices.
tries=0
while { [ ! -e /dev/xvda ] || [ ! -e /sys/class/net/eth0 ]; } && [ $tries -lt 100 ]; do
  sleep 0.1; tries=$((tries + 1))
done
if [ -e /dev/xvda ]; then
  echo "domU: disk says $(head -n 1 /dev/xvda)"
else
  echo "domU: no xvda"
fi
ip link set lo up
ip link set eth0 up && ip addr add 10.0.0.2/24 dev eth0
echo "domU: eth0 up uptime=$(cut -d' ' -f1 /proc/uptime)"
# An init must never return; dom0 ends this domain with `xl destroy`.
while true; do sleep 3600; done

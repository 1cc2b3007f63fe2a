#!/bin/busybox sh
# /init of the rig's busybox httpd domU, the Linux stand-in for Seal's web apps: loads netfront
# (and blkfront and vfat), takes the address of `ip=ADDR/PREFIX[,GATEWAY]` on its command line
# (the form Seal's images read) and runs `httpd -f -p 80` on /www (Apps/www/site/ and
# bytes/5242880), or, when it has a disk with a first partition, on that FAT partition.
/bin/busybox mkdir -p /proc /sys /dev /mnt
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s
echo "httpd-domU: init uptime=$(cut -d' ' -f1 /proc/uptime)"
while read -r module; do
  insmod "/lib/modules/$module" || echo "httpd-domU: insmod $module failed"
done < /lib/modules/load-order
address=10.0.0.2/24 gateway=""
for word in $(cat /proc/cmdline); do
  case "$word" in
    ip=*) address=${word#ip=}; gateway=${address#*,}; [ "$gateway" = "$address" ] && gateway=""; address=${address%%,*} ;;
  esac
done
# netfront connects asynchronously through xenstore: wait for eth0 (at most 10 s); a disk, when
# the domain has one, shows up in the same time.
tries=0
while [ ! -e /sys/class/net/eth0 ] && [ $tries -lt 1000 ]; do sleep 0.01; tries=$((tries + 1)); done
root=/www
if [ -e /sys/block/xvda ]; then
  tries=0
  while [ ! -e /dev/xvda1 ] && [ $tries -lt 200 ]; do sleep 0.01; tries=$((tries + 1)); done
  if mount -t vfat -o ro,iocharset=utf8,codepage=437 /dev/xvda1 /mnt; then
    root=/mnt
  else
    echo "httpd-domU: cannot mount xvda1"
  fi
fi
ip link set lo up
ip link set eth0 up
ip addr add "$address" dev eth0
[ -n "$gateway" ] && ip route add default via "$gateway"
echo "httpd-domU: httpd on $address serving $root uptime=$(cut -d' ' -f1 /proc/uptime)"
exec httpd -f -p 80 -h "$root"

#!/usr/bin/env bash
# Boots Xen 4.17 (Debian armhf) in QEMU with one dom0less guest (no dom0), prints the Xen
# console, and exits once a marker line appears or the time runs out.
#   Tests/xen/boot-dom0less.sh GUEST_ZIMAGE [GUEST_BOOTARGS]
# The guest's vpl011 (0x22000000) output appears on the Xen console as `(XEN) DOM1: <line>`.
# Environment:
#   MARKER          text whose appearance in a console line ends the run (default `seal: halted status=`)
#   TIMEOUT         seconds before giving up (default 60)
#   GUEST_MEMORY    guest RAM in MiB (default 64); GUEST_CPUS (default 1)
#   DEBUG_KEY_AFTER a guest line's text after which Xen's `q` debug key is pressed (VIRQ_DEBUG); not with CHECK_SHUTDOWN
#   GUEST_ENHANCED  `xen,enhanced` value (`no-xenstore`, `enabled`): a /hypervisor node for the guest
#   GUEST_INITRD    a ramdisk for the guest (a `multiboot,ramdisk` module), e.g. for a Linux guest
#   GUEST_LOG       file that receives the guest's lines alone, with Xen's `(XEN) DOM1: ` prefix cut
#   XEN_BOOTARGS    extra words for Xen's own command line (e.g. `loglvl=all guest_loglvl=all`)
#   CHECK_SHUTDOWN=1  after the marker, ask Xen (debug key `q`) whether the guest shut its domain
#                   down (its vCPU paused) and print `boot-dom0less: domain 1 shut down: yes|no`
# Exit status: with the default marker, the status the guest printed on `seal: halted status=N`
# (as toolchain/boot.sh); with a MARKER of your own, 0 when it appeared; 124 when TIMEOUT ran out
# first; 125 when QEMU ended first (e.g. Xen panicked: QEMU runs with -no-reboot); 126 when
# CHECK_SHUTDOWN=1 found the domain still running after the marker; 2 on bad usage.
# On stderr it prints `boot-dom0less: first guest line after S s, marker after S s`.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
guest=${1:?usage: boot-dom0less.sh GUEST_ZIMAGE [GUEST_BOOTARGS]}
bootargs=${2:-}
marker=${MARKER:-seal: halted status=}
timeout_seconds=${TIMEOUT:-60}
guest_memory=${GUEST_MEMORY:-64}
guest_cpus=${GUEST_CPUS:-1}
[ -f "$guest" ] || { echo "boot-dom0less: no guest image $guest" >&2; exit 2; }

xen_dir=$("$root/toolchain/fetch-armhf.sh" xen-hypervisor-4.17-armhf | tail -n 1) || exit 2
xen=$xen_dir/boot/xen-4.17-armhf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Where the boot modules sit in host RAM (RAM starts at 0x40000000; QEMU loads Xen itself at
# 0x40010000 and Xen moves itself to the top of RAM). QEMU puts the DTB at 0x48000000
# (RAM base + min(RAM/2, 128 MiB)), so the modules must end below it.
kernel_address=0x41000000
initrd_address=0x42000000
dtb_address=0x48000000
kernel_size=$(stat -c %s "$guest")
if [ $(( kernel_address + kernel_size )) -gt $(( initrd_address )) ]; then
  echo "boot-dom0less: guest image larger than 16 MiB" >&2; exit 2
fi
loaders=(-device "loader,file=$guest,addr=$kernel_address")
initrd_node=""
if [ -n "${GUEST_INITRD:-}" ]; then
  initrd_size=$(stat -c %s "$GUEST_INITRD")
  if [ $(( initrd_address + initrd_size )) -gt $(( dtb_address )) ]; then
    echo "boot-dom0less: guest ramdisk must end below $dtb_address" >&2; exit 2
  fi
  loaders+=(-device "loader,file=$GUEST_INITRD,addr=$initrd_address")
  initrd_node=$(printf 'module@%x { compatible = "multiboot,ramdisk", "multiboot,module"; reg = <%s 0x%x>; };' \
    "$initrd_address" "$initrd_address" "$initrd_size")
fi

machine=(qemu-system-arm -M virt,virtualization=on -cpu cortex-a15 -m 1024 -smp 1)
# Xen reads the machine from the DTB, so it must be QEMU's own for exactly these options.
"${machine[@]}" -machine dumpdtb="$work/qemu.dtb" -display none > /dev/null 2>&1 \
  || { echo "boot-dom0less: QEMU could not dump its DTB" >&2; exit 2; }
dtc -q -I dtb -O dts -o "$work/qemu.dts" "$work/qemu.dtb"
# Xen's boot protocol (docs/misc/arm/device-tree/booting.txt) and dom0less guests
# (docs/misc/arm/device-tree/booting.txt "Creating Multiple Domains directly from Xen"): Xen's
# own command line in xen,xen-bootargs; a `xen,domain` node per guest with its RAM in KiB
# (64-bit), vCPU count, an emulated PL011 (`vpl011`) and its kernel as a `multiboot,kernel` module.
# GUEST_ENHANCED=no-xenstore (or enabled) adds `xen,enhanced`: the guest then gets a /hypervisor node
# (grant-table window, event upcall PPI) like a guest of the toolstack's.
enhanced_property=
[ -n "${GUEST_ENHANCED:-}" ] && enhanced_property="xen,enhanced = \"$GUEST_ENHANCED\";"
bootargs_escaped=${bootargs//\\/\\\\}
bootargs_escaped=${bootargs_escaped//\"/\\\"}
cat >> "$work/qemu.dts" << EOF
/ {
	chosen {
		xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000 bootscrub=0 ${XEN_BOOTARGS:-}";
		domU1 {
			compatible = "xen,domain";
			#address-cells = <1>;
			#size-cells = <1>;
			memory = <0x0 $(printf '0x%x' $(( guest_memory * 1024 )))>;
			cpus = <$guest_cpus>;
			vpl011;
			$enhanced_property
			module@$(printf '%x' $kernel_address) {
				compatible = "multiboot,kernel", "multiboot,module";
				reg = <$kernel_address $(printf '0x%x' "$kernel_size")>;
				bootargs = "$bootargs_escaped";
			};
			$initrd_node
		};
	};
};
EOF
dtc -q -I dts -O dtb -o "$work/xen.dtb" "$work/qemu.dts" \
  || { echo "boot-dom0less: dtc rejected the edited tree" >&2; exit 2; }

# Read the console line by line (QEMU writes to a FIFO; `timeout` bounds the whole run and passes
# our kill on to QEMU once the marker is out).
mkfifo "$work/console" "$work/input"
exec 3<> "$work/input"   # held open read-write: QEMU's console input, for CHECK_SHUTDOWN's keys
started=$EPOCHREALTIME
timeout -k 5 "$timeout_seconds" "${machine[@]}" -display none -monitor none -serial stdio -no-reboot \
  -kernel "$xen" -dtb "$work/xen.dtb" "${loaders[@]}" < "$work/input" > "$work/console" 2>&1 &
qemu_pid=$!
[ -n "${GUEST_LOG:-}" ] && : > "$GUEST_LOG"
seconds_since_start() { echo "$EPOCHREALTIME $started" | awk '{ printf "%.2f", $1 - $2 }'; }
first_guest_line="" marker_line="" marker_time="" shut_down=""
exec 4< "$work/console"
while IFS= read -r -u 4 line || [ -n "$line" ]; do
  line=${line//$'\r'/}
  printf '%s\n' "$line"
  case "$line" in
    "(XEN) DOM1: "*)
      [ -n "$first_guest_line" ] || first_guest_line=$(seconds_since_start)
      [ -n "${GUEST_LOG:-}" ] && printf '%s\n' "${line#"(XEN) DOM1: "}" >> "$GUEST_LOG"
      ;;
  esac
  # DEBUG_KEY_AFTER: once a guest line holds it, Xen's `q` key (Ctrl-a three times twice moves the
  # console input from the absent dom0 past DOM1 to Xen), which sends VIRQ_DEBUG to every guest.
  if [ -n "${DEBUG_KEY_AFTER:-}" ] && [ -z "${debug_key_sent:-}" ]; then
    case "$line" in
      "(XEN) DOM1: "*"$DEBUG_KEY_AFTER"*)
        debug_key_sent=1
        printf '\001\001\001' >&3; sleep 0.2; printf '\001\001\001' >&3; sleep 0.2; printf 'q' >&3
        ;;
    esac
  fi
  case "$line" in
    *"$marker"*)
      marker_line=$line; marker_time=$(seconds_since_start)
      break
      ;;
  esac
done

if [ -n "$marker_line" ] && [ "${CHECK_SHUTDOWN:-0}" = 1 ]; then
  # Xen's console input starts at "DOM0" (absent here); Ctrl-a three times moves it to DOM1,
  # three more to Xen itself, where `q` dumps every domain (xen/common/keyhandler.c). A domain
  # that shut down has its vCPU paused (domain_shutdown pauses each vCPU): the `pause_count=`
  # line after `VCPU0:` reads 1 rather than 0. At most 5 s for the answer.
  sleep 0.5
  printf '\001\001\001' >&3; sleep 0.2; printf '\001\001\001' >&3; sleep 0.2; printf 'q' >&3
  after_vcpu=0
  while IFS= read -r -t 5 -u 4 line; do
    line=${line//$'\r'/}
    printf '%s\n' "$line"
    case "$line" in
      *" VCPU0: "*) after_vcpu=1 ;;
      *"pause_count="*)
        if [ "$after_vcpu" = 1 ]; then
          case "$line" in *"pause_count=0"*) shut_down=no ;; *) shut_down=yes ;; esac
          break
        fi
        ;;
    esac
  done
  echo "boot-dom0less: domain 1 shut down: ${shut_down:-no}" >&2
fi
kill "$qemu_pid" 2> /dev/null
exec 3>&- 4<&-
wait "$qemu_pid"
qemu_status=$?
echo "boot-dom0less: first guest line after ${first_guest_line:-(none)} s, marker after ${marker_time:-(none)} s" >&2

if [ -z "$marker_line" ]; then
  if [ "$qemu_status" -eq 124 ] || [ "$qemu_status" -eq 137 ]; then
    echo "boot-dom0less: no marker within $timeout_seconds s" >&2; exit 124
  fi
  echo "boot-dom0less: QEMU ended (status $qemu_status) before the marker" >&2; exit 125
fi
if [ "${CHECK_SHUTDOWN:-0}" = 1 ] && [ "$shut_down" != yes ]; then exit 126; fi
if [ -z "${MARKER:-}" ]; then
  status=$(printf '%s\n' "$marker_line" | sed -n 's/.*seal: halted status=\([0-9]*\).*/\1/p')
  exit "${status:-1}"
fi
exit 0

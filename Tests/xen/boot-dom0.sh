#!/usr/bin/env bash
# Boots Xen 4.17 with the rig's Linux dom0 (Tests/xen/build-dom0.sh) in QEMU; dom0 runs the
# caller's test, prints its lines on the console and powers the machine off.
#   Tests/xen/boot-dom0.sh [TEST_DIR]
# TEST_DIR's files become /test in dom0 (packed as a second cpio archive appended to the dom0
# initramfs; the kernel unpacks both); dom0's /init runs /test/run.sh after xenstored, xl, the
# backends and bridge xenbr0 (dom0 10.0.0.1/24) are up, then prints `dom0: test status=<n>`.
# Without TEST_DIR dom0 leaves a shell on the console. Without TEST_DIR or with INTERACTIVE=1,
# QEMU runs in the foreground with the console on the terminal (Ctrl-a three times switches
# input to Xen; type slowly: the Xen console drops input in bursts over ~150 characters).
# Environment: TIMEOUT (seconds, default 300), SMP (default 2), RIG_MEMORY (MiB, default 1536;
#   not MEMORY, which `make bench` exports for its own guests), DOM0_MEMORY (default 512M),
#   TIMESTAMPS=1 (prefix each console line with seconds since QEMU started), LOG (file that keeps
#   the console).
# Exit status: run.sh's status; 124 when TIMEOUT ran out first; 125 when QEMU ended without the
# status line; 2 on bad usage. On stderr: `boot-dom0: xl ready after S s, test done after S s,
# QEMU exited after S s`.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
test_dir=${1:-}
timeout_seconds=${TIMEOUT:-300}
smp=${SMP:-2}
if [ -n "$test_dir" ] && [ ! -f "$test_dir/run.sh" ]; then
  echo "boot-dom0: $test_dir/run.sh does not exist" >&2; exit 2
fi

rig=$("$root/Tests/xen/build-dom0.sh") || { echo "boot-dom0: build-dom0.sh failed" >&2; exit 2; }
xen=$(sed -n 's/^xen=//p' <<< "$rig")
kernel=$(sed -n 's/^kernel=//p' <<< "$rig")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

initramfs=$work/initramfs.cpio.gz
cp "$(sed -n 's/^initramfs=//p' <<< "$rig")" "$initramfs"
if [ -n "$test_dir" ]; then
  mkdir -p "$work/extra/test"
  cp -a "$test_dir/." "$work/extra/test/"
  chmod +x "$work/extra/test/run.sh"
  (cd "$work/extra" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >> "$initramfs"
fi

# Host memory layout: QEMU loads Xen (-kernel) at 0x40010000 and Xen moves itself to the top of
# RAM; dom0's kernel and initramfs are boot modules in between. QEMU puts the DTB at
# 0x48000000 (RAM base + min(RAM/2, 128 MiB)), so the initramfs must end below it.
kernel_address=0x41000000
initramfs_address=0x42000000
kernel_size=$(stat -c %s "$kernel")
initramfs_size=$(stat -c %s "$initramfs")
if [ $(( kernel_address + kernel_size )) -gt $(( initramfs_address )) ]; then
  echo "boot-dom0: dom0 kernel larger than 16 MiB" >&2; exit 2
fi
if [ $(( initramfs_address + initramfs_size )) -gt $(( 0x48000000 )) ]; then
  echo "boot-dom0: initramfs of $initramfs_size bytes does not fit below the DTB (96 MiB at most)" >&2; exit 2
fi

# highmem=off: with ECAM above 4 GiB (the default) dom0 hangs probing PCI. The DTB Xen reads
# must be QEMU's own for exactly these options.
machine=(qemu-system-arm -M virt,virtualization=on,highmem=off -cpu cortex-a15 -smp "$smp" -m "${RIG_MEMORY:-1536}")
"${machine[@]}" -machine dumpdtb="$work/qemu.dtb" -display none > /dev/null 2>&1 \
  || { echo "boot-dom0: QEMU could not dump its DTB" >&2; exit 2; }
dtc -q -I dtb -O dts -o "$work/qemu.dts" "$work/qemu.dtb"
# Xen's boot protocol (docs/misc/arm/device-tree/booting.txt): Xen's command line in
# xen,xen-bootargs; dom0's kernel (with its command line) and ramdisk as multiboot modules.
cat >> "$work/qemu.dts" << EOF
/ {
	chosen {
		#address-cells = <2>;
		#size-cells = <2>;
		xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000 bootscrub=0 dom0_mem=${DOM0_MEMORY:-512M} dom0_max_vcpus=$smp";
		module@$(printf '%x' $kernel_address) {
			compatible = "multiboot,kernel", "multiboot,module";
			reg = <0x0 $kernel_address 0x0 $(printf '0x%x' "$kernel_size")>;
			bootargs = "console=hvc0 earlycon=xenboot rdinit=/init";
		};
		module@$(printf '%x' $initramfs_address) {
			compatible = "multiboot,ramdisk", "multiboot,module";
			reg = <0x0 $initramfs_address 0x0 $(printf '0x%x' "$initramfs_size")>;
		};
	};
};
EOF
dtc -q -I dts -O dtb -o "$work/xen.dtb" "$work/qemu.dts" \
  || { echo "boot-dom0: dtc rejected the edited tree" >&2; exit 2; }
boot=(-kernel "$xen" -dtb "$work/xen.dtb" -device "loader,file=$kernel,addr=$kernel_address"
      -device "loader,file=$initramfs,addr=$initramfs_address")

if [ -z "$test_dir" ] || [ "${INTERACTIVE:-0}" = 1 ]; then
  "${machine[@]}" -nographic -no-reboot "${boot[@]}"
  exit
fi

# Read the console line by line from a FIFO; `timeout` bounds the whole run.
mkfifo "$work/console"
started=$EPOCHREALTIME
timeout -k 5 "$timeout_seconds" "${machine[@]}" -display none -monitor none -serial stdio -no-reboot \
  "${boot[@]}" < /dev/null > "$work/console" 2>&1 &
qemu_pid=$!
[ -n "${LOG:-}" ] && : > "$LOG"
seconds_since_start() { echo "$EPOCHREALTIME $started" | awk '{ printf "%.2f", $1 - $2 }'; }
ready_time="" done_time="" status="" stopper_pid=""
while IFS= read -r line || [ -n "$line" ]; do
  line=${line//$'\r'/}
  if [ "${TIMESTAMPS:-0}" = 1 ]; then line="[$(seconds_since_start)] $line"; fi
  printf '%s\n' "$line"
  [ -n "${LOG:-}" ] && printf '%s\n' "$line" >> "$LOG"
  case "$line" in
    *"dom0: xl ready"*) ready_time=$(seconds_since_start) ;;
    *"dom0: test status="*)
      done_time=$(seconds_since_start)
      status=$(printf '%s\n' "$line" | sed -n 's/.*dom0: test status=\([0-9]*\).*/\1/p')
      # dom0 powers off next; give it 15 s before stopping QEMU ourselves.
      if [ -z "$stopper_pid" ]; then ( sleep 15; kill "$qemu_pid" 2> /dev/null ) & stopper_pid=$!; fi
      ;;
  esac
done < "$work/console"
wait "$qemu_pid"
qemu_status=$?
[ -n "$stopper_pid" ] && kill "$stopper_pid" 2> /dev/null
echo "boot-dom0: xl ready after ${ready_time:-(never)} s, test done after ${done_time:-(never)} s," \
  "QEMU exited after $(seconds_since_start) s" >&2
if [ -z "$status" ]; then
  if [ "$qemu_status" -eq 124 ] || [ "$qemu_status" -eq 137 ]; then
    echo "boot-dom0: no test status within $timeout_seconds s" >&2; exit 124
  fi
  echo "boot-dom0: QEMU ended (status $qemu_status) without a test status" >&2; exit 125
fi
exit "$status"

# Host side of the dom0 web tests (sourced after Tests/qemu/lib.sh; needs $root): puts the guest
# for one test into its TEST_DIR, with its .xl from toolchain/xl-config.sh and the dom0 helpers.
#   prepare_guest APP IMAGE TEST_DIR [xl-config options]
# IMAGE is a Seal xen-arm zImage (empty: build/xen-arm/APP.zImage, made with `make image` when
# missing). With GUEST=linux the guest is the rig's busybox httpd domU (Tests/xen/httpd-domU-init.sh)
# instead: the same URLs for www and site, to prove the dom0 side without a Seal image.
# Writes TEST_DIR/guest.xl, TEST_DIR/guest.env (NAME, KIND=seal|linux) and TEST_DIR/lib.sh;
# sets guest_kind. Returns non-zero (after saying why) when the guest cannot be assembled.
guest_address=10.0.0.2

prepare_guest() {
  local app=$1 image=$2 test_dir=$3 rig kernel httpd
  shift 3
  mkdir -p "$test_dir"
  cp "$root/Tests/xen/dom0-lib.sh" "$test_dir/lib.sh"
  if [ "${GUEST:-seal}" = linux ]; then
    guest_kind=linux
    rig=$("$root/Tests/xen/build-dom0.sh") || return 1
    kernel=$(sed -n 's/^kernel=//p' <<< "$rig")
    httpd=$(sed -n 's/^httpd_initramfs=//p' <<< "$rig")
    cp "$kernel" "$test_dir/linux.zImage"
    cp "$httpd" "$test_dir/httpd-initramfs.cpio.gz"
    # Linux needs more memory than a Seal image; `ip=` is read by the stand-in's /init.
    "$root/toolchain/xl-config.sh" "$app" /test/linux.zImage --ramdisk /test/httpd-initramfs.cpio.gz \
      --memory 128 --extra "console=hvc0 rdinit=/init ip=$guest_address/24" "$@" > "$test_dir/guest.xl" || return 1
  else
    guest_kind=seal
    if [ -z "$image" ]; then
      image=$root/build/xen-arm/$app.zImage
      if [ ! -f "$image" ]; then
        make -C "$root" --no-print-directory image BOARD=xen-arm APP="$app" > "$test_dir/build.log" 2>&1 \
          || { tail -n 30 "$test_dir/build.log"; echo "prepare_guest: make image BOARD=xen-arm APP=$app failed"; return 1; }
      fi
    fi
    [ -f "$image" ] || { echo "prepare_guest: no image $image"; return 1; }
    cp "$image" "$test_dir/$app.zImage"
    "$root/toolchain/xl-config.sh" "$app" "/test/$app.zImage" \
      --extra "ip=$guest_address/24,10.0.0.1${SEAL_EXTRA:+ $SEAL_EXTRA}" "$@" > "$test_dir/guest.xl" || return 1
  fi
  printf 'NAME=%s\nKIND=%s\nADDRESS=%s\n' "$app" "$guest_kind" "$guest_address" > "$test_dir/guest.env"
}

# boot_rig TEST_DIR LOG: boots Xen and dom0 with TEST_DIR as /test; returns run.sh's status.
boot_rig() {
  TIMESTAMPS=1 LOG=$2 TIMEOUT=${TIMEOUT:-600} "$root/Tests/xen/boot-dom0.sh" "$1"
}

# dom0_checks LOG PREFIX...: one check per PREFIX: dom0 printed `ok   PREFIX…` (the line, with
# its measurements, is the check's description); a `FAIL PREFIX…` line or none fails it.
dom0_checks() {
  local log=$1 prefix found
  shift
  for prefix in "$@"; do
    found=$(grep -F -- "] ok   $prefix" "$log" | head -n 1)
    if [ -n "$found" ]; then
      check "${found#*] ok   }" true
    else
      found=$(grep -F -- "] FAIL $prefix" "$log" | head -n 1)
      check "${found:+${found#*] FAIL }}${found:-$prefix (no line from dom0)}" false
    fi
  done
}

# FAT partitions inside a disk-image file, with no root, loop devices or mounting: mkfs.fat
# --offset and mtools work on the file. Sourced by make-disk.sh and make-sdcard.sh; each defines
# `die MESSAGE` first.
#   format_fat IMAGE START_SECTOR KIB LABEL [MKFS_OPTIONS...]
#   copy_tree IMAGE START_MIB DIR     every entry of DIR (dotfiles, empty folders) into the root

format_fat() {
  local image=$1 start=$2 kib=$3 label=$4 log; shift 4
  log=$(mktemp)
  # -h: the boot sector records the sectors before the partition (mkfs.fat --offset does not).
  # mkfs.fat warns that the image is larger than the size it was told: that is the point of --offset.
  if ! mkfs.fat --offset "$start" -h "$start" "$@" -n "$label" "$image" "$kib" > "$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; die "mkfs.fat failed"
  fi
  rm -f "$log"
}

copy_tree() {
  local image=$1 start_mib=$2 dir=$3 clashes entries=() entry
  # FAT names ignore case: two host names that differ only in case cannot both be copied.
  clashes=$(cd "$dir" && find . -mindepth 1 | tr '[:upper:]' '[:lower:]' | sort | uniq -d)
  [ -z "$clashes" ] || die "names that differ only in case: $(echo "$clashes" | head -3 | tr '\n' ' ')"
  while IFS= read -r -d '' entry; do entries+=("$entry"); done \
    < <(find "$dir" -mindepth 1 -maxdepth 1 -print0 | sort -z)
  [ ${#entries[@]} -gt 0 ] || return 0
  # -s recursive (empty subfolders too), -m keep modification times, -Q stop at the first error
  # (a full disk, say); no questions asked (-D s, stdin closed). Not -b: with an offset image,
  # mtools 4.0.32's batch mode fails ("Internal error, size too big").
  MTOOLS_SKIP_CHECK=1 mcopy -s -m -Q -D s -i "$image@@${start_mib}M" "${entries[@]}" ::/ < /dev/null \
    || die "copying $dir failed (is the disk large enough?)"
}

#!/usr/bin/env bash
# FAT interop: Seal's FAT (through the sealfat tool) against mkfs.fat, fsck.fat and mtools, for
# FAT12/16/32, each as a bare image and as the first partition of an MBR disk (at 1 MiB).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8
for tool in mkfs.fat fsck.fat mcopy sfdisk; do
  command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin:/sbin
done
for tool in mkfs.fat fsck.fat mcopy sfdisk; do
  if ! command -v "$tool" >/dev/null; then
    echo "not ok - $tool is missing (sudo apt-get install -y dosfstools mtools fdisk)"; echo "0 passed, 1 failed"; exit 1
  fi
done

work=$root/build/fat-interop.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

scratch=build/host/.swiftpm/sealfat
if ! SEAL_ONLY=sealfat swift build -c release --product sealfat --scratch-path "$scratch" >"$work/build.log" 2>&1; then
  cat "$work/build.log"; echo "not ok - build sealfat"; echo "0 passed, 1 failed"; exit 1
fi
sealfat=$(SEAL_ONLY=sealfat swift build -c release --product sealfat --scratch-path "$scratch" --show-bin-path)/sealfat

passed=0
failed=0
check() { # check DESCRIPTION COMMAND...: one line per check, the command's output indented on failure
  local description=$1; shift
  if "$@" >"$work/check.log" 2>&1; then
    passed=$((passed + 1)); echo "ok - $description"
  else
    failed=$((failed + 1)); echo "not ok - $description"; head -n 30 "$work/check.log" | sed 's/^/    /'
  fi
}

# make_image FILE BITS KILOBYTES LAYOUT: a fresh file system, bare or in partition 1 at 1 MiB.
make_image() {
  local file=$1 bits=$2 kilobytes=$3 layout=$4
  rm -f "$file"
  if [ "$layout" = bare ]; then
    mkfs.fat -C -F "$bits" "$file" "$kilobytes" >/dev/null
  else
    truncate -s $(((kilobytes + 1024) * 1024)) "$file"
    echo 'start=2048, type=c' | sfdisk -q "$file" >/dev/null
    mkfs.fat -F "$bits" --offset 2048 "$file" "$kilobytes" >/dev/null
  fi
}

# fsck_clean IMAGE LAYOUT: fsck.fat -n exits 0 and reports nothing beyond its banner and summary.
fsck_clean() {
  local image=$1 layout=$2 target=$1
  if [ "$layout" = partitioned ]; then
    target=$work/partition.img
    dd if="$image" of="$target" bs=1M skip=1 status=none
  fi
  local output status=0
  output=$(fsck.fat -n "$target" 2>&1) || status=$?
  echo "$output"
  [ "$status" -eq 0 ] || return 1
  ! echo "$output" | grep -v -E '^fsck\.fat [0-9]|: [0-9]+ files, [0-9]+/[0-9]+ clusters$' | grep -q .
}

# mtools_image IMAGE LAYOUT: the -i argument for mtools.
mtools_image() { if [ "$2" = bare ]; then echo "$1"; else echo "$1@@1M"; fi; }
offset_of() { if [ "$1" = bare ]; then echo 0; else echo 1048576; fi; }

# A source tree with long names, spaces, mixed case, UTF-8 and deep folders.
source=$work/source
mkdir -p "$source/Deep Folder/Sub Dir/Ünïcode é/level four" "$source/UPPER" "$source/lower case dir"
echo "hello" > "$source/README.TXT"
echo "mixed" > "$source/Mixed Case File.Txt"
echo "crème" > "$source/café crème.txt"
echo "short accent" > "$source/é.txt"
echo "lower" > "$source/lower.txt"
: > "$source/lower case dir/empty file"
head -c 1000000 /dev/urandom > "$source/Deep Folder/big random.bin"
head -c 70001 /dev/urandom > "$source/Deep Folder/Sub Dir/Ünïcode é/level four/odd size.dat"
head -c 4096 /dev/urandom > "$source/UPPER/EXACT.BIN"
head -c 123457 /dev/urandom > "$source/Deep Folder/Sub Dir/a.b.c.d"
for index in $(seq 1 30); do echo "$index" > "$source/Deep Folder/many file $index.txt"; done

seed=1
for bits in 12 16 32; do
  case $bits in
    12) kilobytes=16384 ;;
    16) kilobytes=65536 ;;
    32) kilobytes=131072 ;;
  esac
  for layout in bare partitioned; do
    name="FAT$bits $layout"
    image=$work/fat$bits-$layout.img
    mimage=$(mtools_image "$image" "$layout")
    offset=$(offset_of "$layout")

    # (1) Seal writes, fsck.fat and mtools read.
    make_image "$image" "$bits" "$kilobytes" "$layout"
    model=$work/model-$bits-$layout
    rm -rf "$model" "$work/out"
    check "$name: sealfat random 200 operations" "$sealfat" "$image" --offset "$offset" random "$seed" 200 "$model"
    check "$name: fsck.fat -n is clean after Seal wrote" fsck_clean "$image" "$layout"
    mkdir -p "$work/out"
    if [ -n "$(ls -A "$model")" ]; then
      check "$name: mcopy -s of Seal's tree matches the model" \
        bash -c 'mcopy -s -n -i "$1" "::*" "$2/" && diff -r "$3" "$2"' _ "$mimage" "$work/out" "$model"
    else
      check "$name: Seal's tree is empty like the model" bash -c '[ -z "$(mdir -b -i "$1" ::/ 2>/dev/null)" ]' _ "$mimage"
    fi
    seed=$((seed + 1))

    # (2) mtools writes, Seal reads.
    make_image "$image" "$bits" "$kilobytes" "$layout"
    rm -rf "$work/export"
    check "$name: mcopy -s a tree in" mcopy -s -i "$mimage" "$source"/* "::/"
    check "$name: sealfat export matches the source" \
      bash -c '"$1" "$2" --offset "$3" export "$4" && diff -r "$5" "$4"' _ "$sealfat" "$image" "$offset" "$work/export" "$source"
    check "$name: fsck.fat -n is clean after export" fsck_clean "$image" "$layout"
  done
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# dtdump-vs-libfdt.sh: runs dtdump and the libfdt reference dumper on each DTB and diffs them.
# Usage: Tests/scripts/dtdump-vs-libfdt.sh FILE.dtb...   (exit 1 if any file differs)
# A file both reject counts as a match; one accepting what the other rejects does not.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
scratch=${DTDUMP_SCRATCH:-$root/.build-dt}
if [ -z "${DTDUMP:-}" ]; then
  (cd "$root" && SEAL_ONLY=dtdump swift build -c release --scratch-path "$scratch" --product dtdump >&2) || exit 2
  DTDUMP=$scratch/release/dtdump
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
matched=0 differed=0 rejected=0
for dtb in "$@"; do
  "$DTDUMP" "$dtb" >"$work/ours" 2>"$work/ours.err"; ours=$?
  /usr/bin/python3 "$root/Tests/scripts/libfdt_dump.py" "$dtb" >"$work/ref" 2>"$work/ref.err"; ref=$?
  if [ $ours -ne 0 ] && [ $ref -ne 0 ]; then
    rejected=$((rejected + 1))
  elif [ $ours -ne 0 ] || [ $ref -ne 0 ]; then
    differed=$((differed + 1))
    echo "DIFFER $dtb: dtdump exit $ours ($(cat "$work/ours.err")), libfdt exit $ref ($(cat "$work/ref.err"))"
  elif cmp -s "$work/ours" "$work/ref"; then
    matched=$((matched + 1))
  else
    differed=$((differed + 1))
    echo "DIFFER $dtb:"
    diff "$work/ref" "$work/ours" | head -10
  fi
done
echo "dtdump-vs-libfdt: $matched matched, $rejected rejected by both, $differed differed"
[ $differed -eq 0 ]

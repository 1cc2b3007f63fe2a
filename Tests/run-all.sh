#!/usr/bin/env bash
# `make test`: every suite in turn — host unit tests, dtdump against libfdt, QEMU boots, the
# host board against Linux in network namespaces, the fuzzers for a few seconds — with each suite's log under build/test-logs/ and one closing
# total line. Exits non-zero if any suite failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
logs=$root/build/test-logs
mkdir -p "$logs"
total_passed=0 total_failed=0

suite() { # suite NAME COMMAND...: runs it, echoes its log, adds its counts
  local name=$1; shift
  echo "==== $name"
  local started=$SECONDS
  "$@" 2>&1 | tee "$logs/$name.log"
  local status=${PIPESTATUS[0]}
  local passed=0 failed=0 line
  case "$name" in
    swift-test)
      # XCTest: "Executed N tests, with M failures"; Swift Testing: "Test run with N tests ... passed|failed".
      line=$(grep -oE "Executed [0-9]+ tests?, with ([0-9]+ tests? skipped and )?[0-9]+ failures?" "$logs/$name.log" | tail -n 1)
      local executed skipped
      executed=$(echo "$line" | sed -E 's/Executed ([0-9]+) .*/\1/')
      skipped=$(echo "$line" | grep -oE "[0-9]+ tests? skipped" | cut -d' ' -f1)
      failed=$(echo "$line" | grep -oE "[0-9]+ failures?" | cut -d' ' -f1)
      passed=$(( ${executed:-0} - ${skipped:-0} - ${failed:-0} ))
      line=$(grep -E "Test run with [0-9]+ tests?" "$logs/$name.log" | tail -n 1)
      if echo "$line" | grep -q "passed"; then
        passed=$(( ${passed:-0} + $(echo "$line" | sed -E 's/.*with ([0-9]+) tests?.*/\1/') ))
      elif [ -n "$line" ]; then
        failed=$(( ${failed:-0} + 1 ))
      fi
      ;;
    fuzz)
      passed=$(grep -c "no crash$" "$logs/$name.log")
      failed=$(grep -c ": FAILED" "$logs/$name.log")
      ;;
    *)
      line=$(grep -oE "[0-9]+ passed, [0-9]+ failed" "$logs/$name.log" | tail -n 1)
      passed=$(echo "$line" | cut -d' ' -f1)
      failed=$(echo "$line" | cut -d' ' -f3)
      ;;
  esac
  passed=${passed:-0} failed=${failed:-0}
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  echo "==== $name: $passed passed, $failed failed (exit $status, $((SECONDS - started)) s)"
  total_passed=$((total_passed + passed)); total_failed=$((total_failed + failed))
}

suite swift-test swift test
suite embedded Tests/scripts/test-embedded.sh
suite dtdump Tests/scripts/test-dtdump.sh
suite qemu Tests/qemu/run-all.sh
suite storage Tests/storage/test-fat-interop.sh
suite host Tests/host/run-all.sh
suite xen bash -c "source Tests/qemu/lib.sh && run_scripts xen Tests/xen/test-*.sh"
suite fuzz make --no-print-directory test-fuzz
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]

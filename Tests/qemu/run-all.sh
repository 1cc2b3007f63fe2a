#!/usr/bin/env bash
# Every QEMU test: builds the images they need, then runs each test script and totals the results.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
for app in hello fault echo get www; do
  make --no-print-directory image BOARD=qemu-virt APP=$app > "build/image-qemu-virt-$app.log" 2>&1 \
    || { cat "build/image-qemu-virt-$app.log"; echo "0 passed, 1 failed"; exit 1; }
done
total_passed=0 total_failed=0
for test in Tests/qemu/test-*.sh; do
  echo "== $test"
  output=$("$test" 2>&1); echo "$output"
  line=$(echo "$output" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
  if [ -z "$line" ]; then total_failed=$((total_failed + 1)); continue; fi
  total_passed=$((total_passed + $(echo "$line" | cut -d' ' -f1)))
  total_failed=$((total_failed + $(echo "$line" | cut -d' ' -f3)))
done
echo "qemu: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]

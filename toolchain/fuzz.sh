#!/usr/bin/env bash
# Builds and runs one libFuzzer target: toolchain/fuzz.sh NAME SECONDS.
# Fuzz/NAME/ holds the entry point (Swift, with @_cdecl("LLVMFuzzerTestOneInput")), a file
# `modules` naming, in dependency order, the Sources/ modules it imports, and a seed corpus/.
set -euo pipefail
name=$1
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/fuzz/$name
mkdir -p "$out/modules" "$out/corpus"

flags=(-sanitize=fuzzer,address -parse-as-library -O -g -I "$out/modules")
# C modules (Sources/<Name>/module.modulemap, e.g. XenABI) are importable too; `modules` lists only Swift ones.
for map in "$root"/Sources/*/module.modulemap; do flags+=(-I "$(dirname "$map")"); done
objects=()
for module in $(cat "$root/Fuzz/$name/modules"); do
  swiftc "${flags[@]}" -wmo -module-name "$module" -emit-module -emit-module-path "$out/modules/$module.swiftmodule" \
    -c "$root"/Sources/"$module"/*.swift -o "$out/$module.o"
  objects+=("$out/$module.o")
done
swiftc "${flags[@]}" -module-name "Fuzz$name" "$root"/Fuzz/"$name"/*.swift "${objects[@]}" -o "$out/fuzzer"

# Work on a copy of the seed corpus so the checked-in one only changes by hand.
cp -n "$root"/Fuzz/"$name"/corpus/* "$out/corpus/" 2>/dev/null || true
"$out/fuzzer" -max_total_time="$seconds" -print_final_stats=1 -timeout=5 -rss_limit_mb=2048 "$out/corpus" 2>&1 \
  | tee "$out/log.txt" | grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)" || true
if grep -a -q -E "^==[0-9]+==ERROR|deadly signal|Test unit written" "$out/log.txt"; then
  echo "fuzz-$name: FAILED, see $out/log.txt"; exit 1
fi
echo "fuzz-$name: $(grep -a -o 'stat::number_of_executed_units: [0-9]*' "$out/log.txt" | awk '{print $2}') executions in ${seconds} s, no crash"

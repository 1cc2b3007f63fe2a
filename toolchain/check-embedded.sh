#!/usr/bin/env bash
# Compiles portable modules for armv7-none-none-eabi in Embedded mode, in the order given
# (dependencies first): toolchain/check-embedded.sh Capabilities Digest KV. Catches what the host
# build allows and Embedded Swift does not (existentials of non-class protocols, untyped throws,
# reflection, Foundation).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${CHECK_EMBEDDED_DIR:-$root/build/check-embedded}
mkdir -p "$out"
# C modules (Sources/<Name>/module.modulemap, e.g. XenABI) are importable by the Swift modules.
c_modules=()
for map in "$root"/Sources/*/module.modulemap; do c_modules+=(-I "$(dirname "$map")"); done
for module in "$@"; do
  swiftc -target armv7-none-none-eabi -enable-experimental-feature Embedded -Osize -wmo \
    -parse-as-library -module-name "$module" -I "$out" "${c_modules[@]}" \
    -emit-module -emit-module-path "$out/$module.swiftmodule" \
    -c "$root"/Sources/"$module"/*.swift -o "$out/$module.o"
  echo "$module: embedded build ok ($(stat -c %s "$out/$module.o") bytes of object code)"
done

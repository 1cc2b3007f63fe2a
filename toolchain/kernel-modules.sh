# Orders a Debian kernel package's modules for an initramfs, each after the modules it depends on
# (from each .ko's `depends=` modinfo string: the package has no modules.dep, which depmod writes
# at install time). Source it, set modules_dir (…/lib/modules/VERSION/kernel), then call
# `add_module NAME` for each wanted module: it appends the .ko files to the array `ordered`, and
# returns 1 (saying so on stderr) when the package has no such module (it may be built in).
ordered=()
add_module() {
  local name=$1 file dependency known
  for known in "${ordered[@]}"; do [ "$(basename "$known" .ko)" = "$name" ] && return 0; done
  file=$(find "$modules_dir" -name "$name.ko" | head -n 1)
  if [ -z "$file" ]; then
    name=${name//_/-}
    file=$(find "$modules_dir" -name "$name.ko" | head -n 1)
  fi
  [ -n "$file" ] || { echo "kernel-modules: no module $1 under $modules_dir (built in?)" >&2; return 1; }
  for dependency in $(strings -a "$file" | sed -n 's/^depends=//p' | tr ',' ' '); do
    add_module "$dependency" || return 1
  done
  ordered+=("$file")
}

# The checks every `site` test makes against a running server (QEMU user networking, or the host
# board over TAP). Source after Tests/qemu/lib.sh and Tests/qemu/www-checks.sh (for fetch and
# header); needs $work and `on_client`.
#   site_checks LABEL BASE_URL TREE rw|ro   TREE is the folder the disk was made from
#   site_disk_checks LABEL IMAGE            after the server stopped: fsck.fat and mtools agree

url_path() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

site_checks() {
  local label=$1 base=$2 tree=$3 mode=$4 file relative code count=0 bad=0 got
  while IFS= read -r -d '' file; do
    relative=${file#"$tree"}
    code=$(FETCH_SECONDS=60 fetch file "$base$(url_path "$relative")")
    count=$((count + 1))
    if [ "$code" != 200 ] || ! cmp -s "$file" "$work/file.body"; then
      bad=$((bad + 1)); echo "    $relative: $code, $(stat -c %s "$work/file.body" 2> /dev/null) bytes"
    fi
  done < <(find "$tree" -type f -print0)
  check "$label: every file of the disk byte-exact ($((count - bad)) of $count)" test "$count" -gt 0 -a "$bad" = 0

  fetch type "$base/style.css" > /dev/null
  got=$(header type Content-Type)
  check "$label: Content-Type of style.css ($got)" test "$got" = "text/css; charset=utf-8"
  code=$(fetch root "$base/")
  check "$label: GET / serves index.html ($code)" bash -c "[ '$code' = 200 ] && cmp -s '$tree/index.html' '$work/root.body'"
  code=$(fetch listing "$base/files/")
  check "$label: GET /files/ is an index linking every entry ($code)" bash -c "[ '$code' = 200 ] \
    && grep -q 'href=\"/files/Big%20Random%20File.bin\"' '$work/listing.body' \
    && grep -q 'href=\"/files/%C3%A9t%C3%A9.txt\"' '$work/listing.body' \
    && grep -q 'href=\"/files/empty.txt\"' '$work/listing.body' && grep -q 'href=\"/\"' '$work/listing.body'"
  code=$(fetch missing "$base/no/such/file")
  check "$label: GET of a missing file: 404 ($code)" test "$code" = 404

  # Range requests (RFC 9110 14): one range, a suffix, an open end, and one past the end.
  local big="$tree/files/Big Random File.bin" size
  size=$(stat -c %s "$big")
  code=$(fetch range "$base/files/Big%20Random%20File.bin" -H 'Range: bytes=100000-199999')
  got=$(header range Content-Range)
  check "$label: Range bytes=100000-199999: $code, $got, bytes equal" bash -c "[ '$code' = 206 ] \
    && [ '$got' = 'bytes 100000-199999/$size' ] && cmp -s <(tail -c +100001 '$big' | head -c 100000) '$work/range.body'"
  code=$(fetch suffix "$base/files/Big%20Random%20File.bin" -H 'Range: bytes=-500')
  check "$label: Range bytes=-500: $code, the last 500 bytes" bash -c "[ '$code' = 206 ] && cmp -s <(tail -c 500 '$big') '$work/suffix.body'"
  code=$(fetch open "$base/files/Big%20Random%20File.bin" -H "Range: bytes=$((size - 10))-")
  check "$label: Range bytes=$((size - 10))-: $code, 10 bytes" bash -c "[ '$code' = 206 ] && cmp -s <(tail -c 10 '$big') '$work/open.body'"
  code=$(fetch beyond "$base/files/Big%20Random%20File.bin" -H "Range: bytes=$((size + 5))-")
  got=$(header beyond Content-Range)
  check "$label: Range past the end: $code, $got" test "$code $got" = "416 bytes */$size"
  fetch head "$base/files/Big%20Random%20File.bin" -I > /dev/null
  got="$(header head Content-Length) $(header head Accept-Ranges)"
  check "$label: HEAD: Content-Length and Accept-Ranges ($got)" test "$got" = "$size bytes"

  if [ "$mode" = ro ]; then
    code=$(fetch put "$base/new.txt" -T "$tree/index.html")
    got=$(header put Allow)
    check "$label: PUT without rw: $code, Allow: $got" test "$code $got" = "405 GET, HEAD"
    return
  fi
  # Writable: PUT creates folders and files and answers after the flush; DELETE removes.
  head -c $((5 << 20)) /dev/urandom > "$work/upload.bin"
  code=$(FETCH_SECONDS=120 fetch put "$base/new/deep/folder/upload.bin" -T "$work/upload.bin")
  check "$label: PUT of 5 MiB into new folders: $code" test "$code" = 201
  code=$(FETCH_SECONDS=60 fetch back "$base/new/deep/folder/upload.bin")
  check "$label: GET of the uploaded file: $code, byte-exact" bash -c "[ '$code' = 200 ] && cmp -s '$work/upload.bin' '$work/back.body'"
  head -c 1000 /dev/urandom > "$work/small.bin"
  code=$(fetch replace "$base/new/deep/folder/upload.bin" -T "$work/small.bin")
  code2=$(fetch back "$base/new/deep/folder/upload.bin")
  check "$label: PUT replacing it: $code, then 1000 bytes back ($code2)" \
    bash -c "[ '$code $code2' = '204 200' ] && cmp -s '$work/small.bin' '$work/back.body'"
  code=$(fetch delete "$base/new/deep/folder/upload.bin" -X DELETE)
  code2=$(fetch gone "$base/new/deep/folder/upload.bin")
  check "$label: DELETE: $code, then GET $code2" test "$code $code2" = "204 404"
  code=$(fetch notempty "$base/files" -X DELETE)
  check "$label: DELETE of a folder that is not empty: $code" test "$code" = 409
  code=$(fetch post "$base/files/empty.txt" -X POST -d x)
  got=$(header post Allow)
  check "$label: POST: $code, Allow: $got" test "$code $got" = "405 GET, HEAD, PUT, DELETE"
  # Kept for site_disk_checks: a long UTF-8 name in a new folder, read back with mtools.
  head -c 300000 /dev/urandom > "$work/kept.bin"
  code=$(FETCH_SECONDS=60 fetch kept "$base/$(url_path "uploaded/Ünïcode name with spaces.bin")" -T "$work/kept.bin")
  check "$label: PUT of a long UTF-8 name: $code" test "$code" = 201
}

site_disk_checks() {
  local label=$1 image=$2
  dd if="$image" of="$work/partition.img" bs=1M skip=1 status=none
  check "$label: fsck.fat -n of the partition after the writes: clean" \
    bash -c "fsck.fat -n '$work/partition.img' > '$work/fsck.log' 2>&1 && ! grep -qiE 'differ|free cluster|lost|mismatch|invalid' '$work/fsck.log' || { cat '$work/fsck.log'; false; }"
  MTOOLS_SKIP_CHECK=1 mcopy -n -i "$image@@1M" "::/uploaded/Ünïcode name with spaces.bin" "$work/mtools.bin" 2> "$work/mtools.log"
  check "$label: mtools reads the uploaded long name back byte-exact" cmp -s "$work/kept.bin" "$work/mtools.bin"
  check "$label: mtools sees the deleted file gone" \
    bash -c "! MTOOLS_SKIP_CHECK=1 mdir -i '$image@@1M' ::/new/deep/folder/upload.bin > /dev/null 2>&1"
}

# make_site_tree DIR: the folder the test disks are made from: an index, a style sheet, nested
# folders, a folder without an index, a 3 MB random file, an empty file and a UTF-8 name.
make_site_tree() {
  local tree=$1
  mkdir -p "$tree/docs/guide" "$tree/files"
  printf '<!DOCTYPE html>\n<title>Seal site</title>\n<h1>Served from FAT</h1>\n' > "$tree/index.html"
  printf 'body { margin: 2rem; }\n' > "$tree/style.css"
  printf 'A page two folders down.\n' > "$tree/docs/guide/page.txt"
  head -c 3000000 /dev/urandom > "$tree/files/Big Random File.bin"
  printf 'été\n' > "$tree/files/été.txt"
  : > "$tree/files/empty.txt"
}

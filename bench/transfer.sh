#!/usr/bin/env bash
# Upload and download through the loopback emulator: `omnicut upload` / `omnicut download`
# against `curl` doing the same PUT (to a presigned upload URL from the same emulator) and GET,
# in the same run, alternating so that background load hits both alike.
# Usage: bench/transfer.sh OMNICUT MAKE_SAMPLE [RUNS] [SIZES_MIB]
#   MAKE_SAMPLE is accepted for the common bench interface and not needed (the file is random bytes).
#   RUNS (default 3) timed runs per tool; SIZES_MIB (default "100 1024").
# Prints median throughput, the ratio omnicut/curl (target >= 0.90x) and omnicut's peak RSS
# (target < 64 MiB, and flat from 100 MiB to 1 GiB).
# Files over 90 MB go up as fal multipart, as fal's own client sends them: curl then does the same
# 10 MiB part PUTs (one curl process, from pre-split part files, split untimed) and the same
# complete POST with the etags, so both pay the same protocol and server work.
set -euo pipefail
omnicut=$1
runs=${3:-3}
sizes=${4:-"100 1024"}
dir=$(mktemp -d "${TMPDIR:-/tmp}/omnicut-bench-transfer.XXXXXX")
emu_pid=
cleanup() {
  [[ -n $emu_pid ]] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
export FAL_KEY=bench-key

start_emulator() {
  rm -rf "$dir/store" && mkdir -p "$dir/store"
  "$omnicut" emulator --port 0 --storage "$dir/store" >"$dir/emu.log" 2>&1 &
  emu_pid=$!
  for _ in $(seq 100); do
    grep -q '^listening on ' "$dir/emu.log" 2>/dev/null && break
    sleep 0.05
  done
  url=$(sed -n 's/^listening on //p' "$dir/emu.log" | head -1)
  [[ -n $url ]] || { echo "the emulator did not start" >&2; exit 1; }
}
stop_emulator() { kill "$emu_pid" 2>/dev/null; wait "$emu_pid" 2>/dev/null || true; emu_pid=; }

# timed OUT CMD... : appends "seconds maxrss_kib" of one run; fails the bench if CMD fails
timed() {
  local out=$1; shift
  /usr/bin/time -f "%e %M" -o "$dir/t" "$@" >/dev/null 2>"$dir/err" || { cat "$dir/err" >&2; exit 1; }
  tail -1 "$dir/t" >>"$out"
}
median_col() { awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
max_col() { awk -v c="$2" 'BEGIN{m=0} $c>m{m=$c} END{print m}' "$1"; }

# presigned_put_url initiate|initiate-multipart
presigned_put_url() {
  curl -sf -X POST -H "Authorization: Key $FAL_KEY" -H 'Content-Type: application/json' \
    -d '{"content_type":"application/octet-stream","file_name":"c.bin"}' \
    "$url/storage/upload/$1?storage_type=fal-cdn-v3" | sed -n 's/.*"upload_url" *: *"\([^"]*\)".*/\1/p'
}

# curl_multipart UPLOAD_URL PARTS_DIR: the part PUTs in one curl run, then complete with the etags.
curl_multipart() {
  local put=$1 parts=$2 base=${1%%\?*} query=${1#*\?} n=0 json=
  : >"$parts/curl.cfg"
  for p in "$parts"/p*; do
    n=$((n + 1))
    printf 'url = "%s/%d?%s"\nupload-file = "%s"\noutput = "%s/r%05d"\n' "$base" "$n" "$query" "$p" "$parts" "$n" >>"$parts/curl.cfg"
  done
  curl -sf -H 'Expect:' -K "$parts/curl.cfg"
  for ((i = 1; i <= n; i++)); do
    json+="${json:+,}{\"partNumber\":$i,\"etag\":\"$(sed -n 's/.*"etag" *: *"\([^"]*\)".*/\1/p' "$(printf '%s/r%05d' "$parts" "$i")")\"}"
  done
  curl -sf -X POST -H 'Content-Type: application/json' -d "{\"parts\":[$json]}" "$base/complete?$query" >/dev/null
}
export -f curl_multipart

printf "%-10s %-9s %12s %12s %8s %14s\n" size transfer "omnicut MB/s" "curl MB/s" ratio "omnicut RSS"
for mib in $sizes; do
  file=$dir/src-$mib.bin
  head -c $((mib * 1024 * 1024)) /dev/urandom >"$file"
  bytes=$((mib * 1024 * 1024))
  rm -rf "$dir/parts" && mkdir -p "$dir/parts"
  ((bytes > 90000000)) && split -b 10485760 -a 5 -d "$file" "$dir/parts/p"
  : >"$dir/up.o"; : >"$dir/up.c"; : >"$dir/down.o"; : >"$dir/down.c"
  for ((i = 0; i < runs; i++)); do
    start_emulator
    timed "$dir/up.o" "$omnicut" upload "$file" --json --fal-url "$url"
    if ((bytes > 90000000)); then
      put=$(presigned_put_url initiate-multipart)
      rm -f "$dir"/parts/r*
      timed "$dir/up.c" bash -c 'curl_multipart "$0" "$1"' "$put" "$dir/parts"
    else
      put=$(presigned_put_url initiate)
      timed "$dir/up.c" curl -sf -H 'Expect:' -T "$file" -H 'Content-Type: application/octet-stream' "$put"
    fi
    get=$("$omnicut" upload "$dir/src-$mib.bin" --json --fal-url "$url" 2>/dev/null | sed -n 's/.*"url": "\([^"]*\)".*/\1/p')
    timed "$dir/down.o" "$omnicut" download "$get" -o "$dir/o.bin" --json
    cmp -s "$file" "$dir/o.bin" || { echo "omnicut download differs from the source" >&2; exit 1; }
    rm -f "$dir/o.bin"
    timed "$dir/down.c" curl -sf -o "$dir/c.bin" "$get"
    rm -f "$dir/c.bin"
    stop_emulator
  done
  for kind in up down; do
    to=$(median_col "$dir/$kind.o" 1) tc=$(median_col "$dir/$kind.c" 1)
    rss=$(max_col "$dir/$kind.o" 2)
    printf "%-10s %-9s %12.1f %12.1f %7.2fx %10.1f MiB\n" "${mib} MiB" "$kind" \
      "$(echo "$bytes/$to/1000000" | bc -l)" "$(echo "$bytes/$tc/1000000" | bc -l)" "$(echo "$tc/$to" | bc -l)" \
      "$(echo "$rss/1024" | bc -l)"
  done
  rm -rf "$file" "$dir/parts"
done
echo "targets: ratio >= 0.90x (omnicut throughput / curl's), omnicut peak RSS < 64 MiB and flat across sizes"

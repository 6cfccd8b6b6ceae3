#!/usr/bin/env bash
# `omnicut probe --json` against `ffprobe -show_format -show_streams -of json` on the same files.
# Usage: bench/probe.sh OMNICUT MAKE_SAMPLE [RUNS]
# Makes a 20 s 1080p30 H.264+AAC clip with make_sample, then times RUNS runs (default 7) of each
# tool on it and on a few files of ../shared/media when present, alternating the two so that
# background load hits both alike. Prints medians and the ratio omnicut/ffprobe (target <= 1.0).
set -euo pipefail
omnicut=$1 make_sample=$2
runs=${3:-7}
here=$(cd "$(dirname "$0")" && pwd)
media=$here/../../shared/media
dir=$(mktemp -d "${TMPDIR:-/tmp}/omnicut-bench-probe.XXXXXX")
trap 'rm -rf "$dir"' EXIT

echo "making a 20 s 1080p30 H.264+AAC clip in $dir ..." >&2
"$make_sample" "$dir/clip1080.mp4" --duration 20 --width 1920 --height 1080 --fps 30 >/dev/null

files=("$dir/clip1080.mp4")
for f in video.mp4 sample.mkv sample-6-ac.mkv edts.mp4; do
  [[ -f $media/$f ]] && files+=("$media/$f")
done

now() { date +%s.%N; }
# run_once OUT_FILE CMD... : appends the wall time (s) of one run
run_once() {
  local out=$1; shift
  local t0 t1
  t0=$(now)
  "$@" >/dev/null 2>&1 || true
  t1=$(now)
  echo "$t1 - $t0" | bc -l >>"$out"
}
median() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

printf "%-24s %12s %12s %8s\n" file "omnicut ms" "ffprobe ms" ratio
for f in "${files[@]}"; do
  name=$(basename "$f")
  o=$dir/$name.omnicut f2=$dir/$name.ffprobe
  : >"$o"; : >"$f2"
  # one untimed run each to warm the page cache
  "$omnicut" probe --json "$f" >/dev/null 2>&1 || true
  ffprobe -v error -show_format -show_streams -of json "$f" >/dev/null
  for ((i = 0; i < runs; i++)); do
    run_once "$o" "$omnicut" probe --json "$f"
    run_once "$f2" ffprobe -v error -show_format -show_streams -of json "$f"
  done
  mo=$(median "$o") mf=$(median "$f2")
  printf "%-24s %12.1f %12.1f %7.2fx\n" "$name" "$(echo "$mo*1000" | bc -l)" "$(echo "$mf*1000" | bc -l)" "$(echo "$mo/$mf" | bc -l)"
  cat "$o" >>"$dir/all.omnicut"; cat "$f2" >>"$dir/all.ffprobe"
done
mo=$(median "$dir/all.omnicut") mf=$(median "$dir/all.ffprobe")
printf "%-24s %12.1f %12.1f %7.2fx   (target <= 1.00x)\n" "all runs" "$(echo "$mo*1000" | bc -l)" "$(echo "$mf*1000" | bc -l)" "$(echo "$mo/$mf" | bc -l)"

#!/usr/bin/env bash
# omnicut thumbs against the ffmpeg CLI making the same contact sheet (cols x rows tiles of
# TILE_W pixels, one frame from the middle of each equal slice of the clip) with
# fps=TILES/DURATION,scale,tile, on two clips: 8 s 720p24 with one keyframe (what the edit
# endpoint returns) and 60 s 1080p25 with 2 s GOPs. Prints the medians of RUNS runs (default 5),
# alternating the contenders so background load hits both alike, the ratio, and omnicut's frames
# decoded against the frames in the file (ffmpeg's fps filter decodes them all).
# Usage: bench/thumbs.sh OMNICUT [RUNS]
set -euo pipefail
omnicut=$1
runs=${2:-${RUNS:-5}}
cols=4 rows=3 tile_w=320
tiles=$((cols * rows))
dir=$(mktemp -d "${TMPDIR:-/tmp}/omnicut-bench-thumbs.XXXXXX")
trap 'rm -rf "$dir"' EXIT

echo "making the clips in $dir ..." >&2
ffmpeg -v error -y -f lavfi -i testsrc2=size=1280x720:rate=24:duration=8 \
  -c:v libx264 -preset fast -crf 20 -g 1000 -keyint_min 1000 -sc_threshold 0 -pix_fmt yuv420p "$dir/model8s.mp4"
ffmpeg -v error -y -f lavfi -i testsrc2=size=1920x1080:rate=25:duration=60 \
  -c:v libx264 -preset veryfast -crf 20 -g 50 -pix_fmt yuv420p "$dir/long60s.mp4"

# time_it NAME CMD... : appends the wall seconds of one run to $dir/NAME.times
time_it() {
  local name=$1; shift
  local TIMEFORMAT='%R'
  { time "$@" >/dev/null 2>"$dir/last.err"; } 2>>"$dir/$name.times" || { cat "$dir/last.err" >&2; exit 1; }
}
median() { sort -g "$dir/$1.times" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

omnicut_sheet() { "$omnicut" thumbs "$1" -o "$dir/omnicut.png" --cols $cols --rows $rows --tile-width $tile_w --json; }
# The fps filter's k-th output is the input frame nearest k/rate; shifted back half a slice, that is
# the middle of slice k, as omnicut takes it.
ffmpeg_sheet() {
  local d=$2
  ffmpeg -v error -y -i "$1" -vf "setpts=PTS-STARTPTS-($d/$tiles/2)/TB,fps=$tiles/$d:start_time=0,scale=$tile_w:-2,tile=${cols}x$rows" \
    -frames:v 1 -update 1 "$dir/ffmpeg.png"
}

for clip in model8s long60s; do
  src="$dir/$clip.mp4"
  d=$(ffprobe -v error -select_streams v:0 -show_entries stream=duration -of csv=p=0 "$src")
  frames=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$src")
  decoded=$(omnicut_sheet "$src" | jq .frames_decoded)
  for _ in $(seq "$runs"); do
    time_it "o_$clip" omnicut_sheet "$src"
    time_it "f_$clip" ffmpeg_sheet "$src" "$d"
  done
  o=$(median "o_$clip") f=$(median "f_$clip")
  printf "%s (%s s, %s frames), %dx%d tiles %d px wide, median of %d runs:\n" "$clip" "$d" "$frames" $cols $rows $tile_w "$runs"
  printf "  omnicut thumbs         %.3f s  (%s frames decoded of %s)\n" "$o" "$decoded" "$frames"
  printf "  ffmpeg fps,scale,tile  %.3f s\n" "$f"
  printf "  omnicut / ffmpeg       %.2fx\n" "$(awk -v a="$o" -v b="$f" 'BEGIN {print a / b}')"
  printf "  sheets: omnicut %s, ffmpeg %s\n" \
    "$(ffprobe -v error -show_entries stream=width,height -of csv=p=0:s=x "$dir/omnicut.png")" \
    "$(ffprobe -v error -show_entries stream=width,height -of csv=p=0:s=x "$dir/ffmpeg.png")"
done

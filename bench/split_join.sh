#!/usr/bin/env bash
# Benchmark: split + join of a 60 s 1080p25 clip. omnicut split (scene scan, each segment prepped
# to 1280x720 like prep) then omnicut join (the segments as the "edited" parts, source audio laid
# once) against the equivalent ffmpeg commands: one 720p encode through the segment muxer
# (-f segment, 10 s), then the concat demuxer with the source's audio copied over. Medians of
# $RUNS runs, ratio, and each result's duration against the source's.
# Usage: bench/split_join.sh OMNICUT MAKE_SAMPLE
set -euo pipefail
omnicut=$(realpath "$1")
RUNS=${RUNS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/omnicut-bench-split.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

ffmpeg -v error -f lavfi -i "testsrc2=size=1920x1080:rate=25:duration=60" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=60" \
  -c:v libx264 -preset veryfast -g 50 -pix_fmt yuv420p -c:a aac -ac 2 -shortest src.mp4

: >t_omni; : >t_ff
for _ in $(seq "$RUNS"); do
  rm -rf o f && mkdir o f
  t0=$(now)
  "$omnicut" split src.mp4 -o o/parts --json >o/split.json
  "$omnicut" join o/parts/segment-*.mp4 --manifest o/parts/manifest.json --audio src.mp4 -o o/joined.mp4 --json >o/join.json
  t1=$(now)
  ffmpeg -v error -i src.mp4 -map 0:v -vf "scale=1280:720,format=yuv420p" -c:v libx264 -preset veryfast -crf 20 \
    -force_key_frames "expr:gte(t,n_forced*10)" -f segment -segment_time 10 -reset_timestamps 1 f/seg%03d.mp4
  for s in f/seg*.mp4; do echo "file '$(basename "$s")'"; done >f/list.txt
  ffmpeg -v error -f concat -safe 0 -i f/list.txt -i src.mp4 -map 0:v -map 1:a -c copy -movflags +faststart f/joined.mp4
  t2=$(now)
  echo "$t0 $t1" | awk '{print $2-$1}' >>t_omni
  echo "$t1 $t2" | awk '{print $2-$1}' >>t_ff
done
mo=$(median <t_omni) mf=$(median <t_ff)
echo "split + join of a 60 s 1080p25 clip ($RUNS runs each, medians):"
printf "  omnicut split+join   %.2f s  (%s segments)\n" "$mo" "$(ls o/parts/segment-*.mp4 | wc -l)"
printf "  ffmpeg segment+concat %.2f s  (%s segments)\n" "$mf" "$(ls f/seg*.mp4 | wc -l)"
awk -v a="$mo" -v b="$mf" 'BEGIN {printf "  ratio omnicut/ffmpeg %.2fx\n", a / b}'
for f in src.mp4 o/joined.mp4 f/joined.mp4; do
  printf "  %-14s video %s s (%s frames), audio %s s\n" "$f" \
    "$(ffprobe -v error -select_streams v -show_entries stream=duration -of csv=p=0 "$f")" \
    "$(ffprobe -v error -select_streams v -show_entries stream=nb_frames -of csv=p=0 "$f")" \
    "$(ffprobe -v error -select_streams a -show_entries stream=duration -of csv=p=0 "$f")"
done

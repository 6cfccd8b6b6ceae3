#!/usr/bin/env bash
# prep against the ffmpeg CLI doing the same work, and prep's copy path against a re-encode.
# Usage: bench/prep.sh OMNICUT MAKE_SAMPLE [RUNS]   (MAKE_SAMPLE is unused for now: the clips come
# from ffmpeg's lavfi testsrc2 + sine, which make_sample cannot size yet)
# Prints the median wall time of RUNS runs (default 5) of each, alternating the contenders so
# that background load hits both alike, and the ratios. Targets: prep <= 0.9x ffmpeg; copy path
# >= 20x faster than a re-encode.
set -euo pipefail
omnicut=$1
runs=${3:-5}
dir=$(mktemp -d "${TMPDIR:-/tmp}/omnicut-bench-prep.XXXXXX")
trap 'rm -rf "$dir"' EXIT

echo "making a 20 s 1080p30 H.264+AAC clip and a compliant 10 s 720p30 clip in $dir ..." >&2
ffmpeg -v error -y -f lavfi -i testsrc2=size=1920x1080:rate=30:duration=20 \
  -f lavfi -i sine=frequency=440:sample_rate=48000:duration=20 \
  -c:v libx264 -preset fast -crf 18 -g 60 -pix_fmt yuv420p -c:a aac -ac 2 -b:a 128k "$dir/src1080.mp4"
ffmpeg -v error -y -f lavfi -i testsrc2=size=1280x720:rate=30:duration=10 \
  -f lavfi -i sine=frequency=440:sample_rate=48000:duration=10 \
  -c:v libx264 -preset fast -crf 18 -g 30 -pix_fmt yuv420p -color_range tv -c:a aac -ac 2 "$dir/src720.mp4"

# time_it NAME CMD... : appends "wall cpu" seconds of one run (cpu = user + sys, children
# included) to $dir/NAME.times
time_it() {
  local name=$1; shift
  local TIMEFORMAT='%R %U %S'
  { time "$@" >/dev/null 2>"$dir/last.err"; } 2>>"$dir/$name.raw" || { cat "$dir/last.err" >&2; exit 1; }
  tail -n 1 "$dir/$name.raw" | awk '{print $1, $2 + $3}' >>"$dir/$name.times"
}
# median NAME [COLUMN]: column 1 wall (default), 2 cpu
median() { awk -v c="${2:-1}" '{print $c}' "$dir/$1.times" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# Same work: 5-15 s of the 1080p clip, 30 fps, scaled to 1280x720, x264 veryfast crf 20, AAC
# 48 kHz stereo, index in front.
prep_encode() { "$omnicut" prep "$dir/src1080.mp4" -o "$dir/prep.mp4" --start 5 --end 15 --fps 30 --crf 20 --preset veryfast --json; }
ffmpeg_encode() {
  ffmpeg -v error -y -ss 5 -i "$dir/src1080.mp4" -t 10 -vf fps=30,scale=1280:720,setsar=1 -pix_fmt yuv420p \
    -c:v libx264 -preset veryfast -crf 20 -c:a aac -ar 48000 -ac 2 -movflags +faststart "$dir/ffmpeg.mp4"
}
prep_copy() { "$omnicut" prep "$dir/src720.mp4" -o "$dir/copy.mp4" --json; }
reencode() {
  ffmpeg -v error -y -i "$dir/src720.mp4" -c:v libx264 -preset veryfast -crf 20 -c:a aac -ar 48000 -ac 2 \
    -movflags +faststart "$dir/reencode.mp4"
}

path=$(prep_copy | grep -o '"path": *"[a-z]*"')
echo "compliant clip: $path" >&2
for i in $(seq "$runs"); do
  time_it prep prep_encode
  time_it ffmpeg ffmpeg_encode
  time_it copy prep_copy
  time_it reencode reencode
done

p=$(median prep) f=$(median ffmpeg) c=$(median copy) r=$(median reencode)
printf "prep encode (1080p30 -> 720p, 10 s)  median %.3f s\n" "$p"
printf "ffmpeg CLI, same settings            median %.3f s\n" "$f"
printf "prep / ffmpeg                        %.2fx (target <= 0.90x)\n" "$(awk -v a="$p" -v b="$f" 'BEGIN {print a / b}')"
pc=$(median prep 2) fc=$(median ffmpeg 2)
printf "CPU time (user+sys): prep %.2f s, ffmpeg %.2f s, ratio %.2fx\n" "$pc" "$fc" "$(awk -v a="$pc" -v b="$fc" 'BEGIN {print a / b}')"
printf "prep copy path (720p30, 10 s)        median %.3f s\n" "$c"
printf "re-encode of the same clip           median %.3f s\n" "$r"
printf "re-encode / copy                     %.1fx faster (target >= 20x)\n" "$(awk -v a="$r" -v b="$c" 'BEGIN {print a / b}')"

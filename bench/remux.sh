#!/usr/bin/env bash
# Benchmark: `omnicut remux` against `ffmpeg -i EDITED -ss START -i SOURCE -map 0:v -map 1:a -c copy
# -shortest` on the same pair in the same run: median wall time of $RUNS runs each, the ratio
# (target <= 1.0x), and the A/V offset each output really has (flash frame vs beep onset,
# measured on the decoded output). Both copy the source's AAC packets; ffmpeg's stream copy starts
# the audio on a packet boundary, so its offset is whatever the cut snaps to, while omnicut's edit
# list cuts to the sample. The last lines check that omnicut's audio packets are the source's.
# Usage: bench/remux.sh OMNICUT MAKE_SAMPLE
set -euo pipefail
omnicut=$(realpath "$1")
make_sample=$(realpath "$2")
RUNS=${RUNS:-9}
work=$(mktemp -d "${TMPDIR:-/tmp}/omnicut-bench-remux.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# The sample: 6 s 960x540 25 fps, a white flash and a beep at 2.0 s. The "edit": the range
# [0.50, 5.50) at 24 fps 1280x720 with its own audio, as the model returns it.
"$make_sample" sample.mp4 >/dev/null
start=0.50 end=5.50  # mid-packet for 48 kHz AAC (23.4 packets in)
ffmpeg -v error -y -ss $start -i sample.mp4 -t 5 -vf fps=24,scale=1280:720 -c:v libx264 -preset veryfast \
  -c:a aac -ar 48000 edit.mp4

# Seconds from the first frame to the flash (first frame with mean luma > 200), per the
# stream's own start time.
flash_time() {
  local vstart fps idx
  vstart=$(ffprobe -v error -select_streams v -show_entries stream=start_time -of csv=p=0 "$1")
  fps=$(ffprobe -v error -select_streams v -show_entries stream=avg_frame_rate -of csv=p=0 "$1")
  idx=$(ffmpeg -v quiet -i "$1" -map 0:v:0 -vf scale=16:16,format=gray -f rawvideo - 2>/dev/null | od -An -v -tu1 -w256 |
    awk '{s=0; for(i=1;i<=NF;i++) s+=$i; if (s/NF > 200) {print NR-1; exit}}')
  awk -v s="$vstart" -v f="$fps" -v i="$idx" 'BEGIN {split(f, r, "/"); printf "%.4f", s + i * r[2] / r[1]}'
}
# Seconds to the beep onset (first sample above half scale), per the audio stream's start time.
beep_time() {
  local astart idx
  astart=$(ffprobe -v error -select_streams a:0 -show_entries stream=start_time -of csv=p=0 "$1")
  idx=$(ffmpeg -v quiet -i "$1" -map 0:a:0 -ac 1 -ar 48000 -f s16le - 2>/dev/null | od -An -v -td2 -w2 |
    awk '{v=$1<0?-$1:$1; if (v > 16384) {print NR-1; exit}}')
  awk -v s="$astart" -v i="$idx" 'BEGIN {printf "%.4f", s + i / 48000}'
}

: >t_omni; : >t_ff
for _ in $(seq "$RUNS"); do
  t0=$(now)
  "$omnicut" remux --video edit.mp4 --audio sample.mp4 --start $start --end $end -o omni.mp4 --json >omni.json
  t1=$(now)
  ffmpeg -v error -y -i edit.mp4 -ss $start -i sample.mp4 -map 0:v -map 1:a -c copy -shortest ff.mp4
  t2=$(now)
  echo "$t0 $t1" | awk '{print $2-$1}' >>t_omni
  echo "$t1 $t2" | awk '{print $2-$1}' >>t_ff
done
mo=$(median <t_omni) mf=$(median <t_ff)
echo "remux of a 5 s 720p24 edit with the source's audio ($RUNS runs each, medians):"
printf "  omnicut remux      %.3f s   (audio %s: %s)\n" "$mo" "$(sed -n 's/.*"mode": "\(.*\)".*/\1/p' omni.json | head -1)" \
  "$(sed -n 's/.*"reason": "\(.*\)".*/\1/p' omni.json | head -1)"
printf "  ffmpeg -c copy     %.3f s\n" "$mf"
awk -v a="$mo" -v b="$mf" 'BEGIN {printf "  ratio omnicut/ffmpeg %.2fx (target <= 1.0x)\n", a / b}'
# The video is the same copied stream in both, so the audio's error is the beep's distance from
# where the source puts it (2.0 s - start); the flash-to-beep offset is quantised to frames.
for f in omni.mp4 ff.mp4; do
  fl=$(flash_time $f) bp=$(beep_time $f)
  awk -v f=$f -v bp="$bp" -v s=$start 'BEGIN {printf "  %-9s beep at %.4f s, expected %.4f s: audio %+.1f ms off\n", f, bp, 2.0 - s, (bp - (2.0 - s)) * 1000}' 
  vd=$(ffprobe -v error -select_streams v -show_entries stream=duration -of csv=p=0 $f)
  ad=$(ffprobe -v error -select_streams a -show_entries stream=duration -of csv=p=0 $f)
  awk -v f=$f -v fl="$fl" -v bp="$bp" -v vd="$vd" -v ad="$ad" \
    'BEGIN {printf "  %-9s flash %.4f s, beep %.4f s: A/V offset %+.1f ms; video %.3f s, audio %.3f s\n", f, fl, bp, (bp - fl) * 1000, vd, ad}'
done
hashes() { ffmpeg -v error -i "$1" -map 0:a:0 -c copy -f framemd5 - | grep -v '^#' | awk -F', *' '{print $5, $6}'; }
hashes omni.mp4 >omni.md5
hashes sample.mp4 >src.md5
if [ "$(grep -cxFf src.md5 omni.md5)" = "$(wc -l <omni.md5)" ]; then
  echo "  omnicut's $(wc -l <omni.md5) audio packets are all the source's own, bit for bit"
else
  echo "  omnicut's audio packets are NOT all the source's"
fi

#!/usr/bin/env bash
# Benchmark: the picture sync check (`omnicut sync`, also run by every edit) on a 10 s 720p edit,
# against decoding the edit once with the ffmpeg CLI (`-f null`) and decoding both files once.
# Medians of $RUNS. Usage: bench/sync.sh OMNICUT MAKE_SAMPLE
set -euo pipefail
omnicut=$(realpath "$1")
RUNS=${RUNS:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/omnicut-bench-sync.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
secs() { /usr/bin/time -f "%e" -o t.time "$@" >/dev/null 2>&1; cat t.time; }
ffmpeg -v error -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=10" -f lavfi -i "sine=duration=10" \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest src.mp4
"$omnicut" edit src.mp4 -p "Make it night." -o edited.mp4 --local --yes --no-report --json >/dev/null 2>&1
# The same edit with its picture 250 ms late, as a model might return it.
ffmpeg -v error -i edited.mp4 -vf "tpad=start_duration=0.25:start_mode=clone" -t 10 -c:v libx264 -preset veryfast \
  -pix_fmt yuv420p -an late.mp4
: >sync.runs; : >one.runs; : >both.runs; : >clock.runs; : >fixed.runs
for _ in $(seq "$RUNS"); do
  secs "$omnicut" sync edited.mp4 --source src.mp4 --json >>sync.runs
  secs ffmpeg -v error -i edited.mp4 -f null - >>one.runs
  secs sh -c 'ffmpeg -v error -i edited.mp4 -f null - && ffmpeg -v error -i src.mp4 -f null -' >>both.runs
  secs "$omnicut" remux --video late.mp4 --audio src.mp4 -o clock.mp4 --json >>clock.runs
  secs "$omnicut" remux --video late.mp4 --audio src.mp4 -o fixed.mp4 --sync correct --json >>fixed.runs
done
s=$(median <sync.runs); o=$(median <one.runs); b=$(median <both.runs); c=$(median <clock.runs); f=$(median <fixed.runs)
echo "sync check of a 10 s 720p edit (median of $RUNS, load $(cut -d' ' -f1 /proc/loadavg)):"
awk -v s="$s" -v o="$o" -v b="$b" 'BEGIN {printf "  omnicut sync %.2f s; ffmpeg decoding the edit once %.2f s (%.2fx), both files once %.2f s (%.2fx)\n", s, o, s / o, b, s / b}'
awk -v c="$c" -v f="$f" 'BEGIN {printf "  remux of a 250 ms late edit: by the clock %.2f s; measured and laid to the picture (--sync correct) %.2f s\n", c, f}'
"$omnicut" remux --video late.mp4 --audio src.mp4 -o fixed.mp4 --sync correct --json | jq -c '{sync: .sync.verdict, timing: .audio.timing}'
"$omnicut" sync edited.mp4 --source src.mp4 --json | jq -c '{offset_ms, scale, confidence, verdict}'

#!/usr/bin/env bash
# Benchmark: a batch against the same clips edited one `omnicut edit` after another, and `prep` of
# a folder against GNU parallel running the ffmpeg CLI per file. Same run, medians of $RUNS.
# Usage: bench/batch.sh OMNICUT MAKE_SAMPLE        (bash scripts/dev bench runs it)
#
# 1. Ten 3 s 640x360 clips; `omnicut emulator --faults queue-ms=$QUEUE_MS` holds every job that
#    long in fal's queue (the wait a real account sees). a) `omnicut edit DIR -o OUT --jobs 2` (the
#    two requests a new fal account runs at once; prep of the next clips overlaps the waits)
#    against b) a loop of single `omnicut edit CLIP` runs. Wall time, and the CPU the batch kept
#    busy (user+sys over wall, of omnicut alone: the emulator runs in its own process).
#    Target: batch <= 0.5x the loop.
# 2. Twenty 4 s 1080p clips: `omnicut prep DIR -o OUT -j $(nproc)` against
#    `parallel -j $(nproc) ffmpeg ...` with prep's settings (scale to 1280x720, x264 veryfast crf 20,
#    AAC 48 kHz stereo, +faststart).
set -euo pipefail
omnicut=$(realpath "$1")
RUNS=${RUNS:-3}
QUEUE_MS=${QUEUE_MS:-3000}
cores=$(nproc)
work=$(mktemp -d "${TMPDIR:-/tmp}/omnicut-bench-batch.XXXXXX")
emu_pid=""
cleanup() { [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
command -v parallel >/dev/null || { echo "bench/batch.sh: GNU parallel is not installed (scripts/dev installs it)" >&2; exit 1; }

mkdir clips big
for i in $(seq -w 1 10); do
  ffmpeg -v error -f lavfi -i "testsrc2=size=640x360:rate=30:duration=3" -f lavfi -i "sine=frequency=$((300 + 10#$i * 20)):duration=3" \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "clips/c$i.mp4"
done
for i in $(seq -w 1 20); do
  ffmpeg -v error -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=4" -f lavfi -i "sine=duration=4" \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -ac 2 -shortest "big/b$i.mp4"
done

"$omnicut" emulator --port 0 --faults "queue-ms=$QUEUE_MS" >emu.log 2>&1 &
emu_pid=$!
for _ in $(seq 100); do grep -q "listening on" emu.log 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' emu.log | head -1)
export FAL_KEY=bench-placeholder-key

run_batch() {
  rm -rf out && /usr/bin/time -f "%e %U %S" -o batch.time \
    "$omnicut" edit clips -p "Make it night." -o out --fal-url "$url" --yes --jobs 2 --poll-interval 0.1 --json >batch.jsonl
  awk '{printf "%.3f %.0f\n", $1, 100 * ($2 + $3) / $1}' batch.time
}
run_loop() {
  rm -rf seq && mkdir seq
  local t0 t1
  t0=$(date +%s.%N)
  for f in clips/*.mp4; do
    "$omnicut" edit "$f" -p "Make it night." -o "seq/$(basename "$f")" --fal-url "$url" --yes --poll-interval 0.1 --json >/dev/null
  done
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}'
}
run_prep() {
  rm -rf pout && /usr/bin/time -f "%e" -o prep.time "$omnicut" prep big -o pout -j "$cores" --json >/dev/null
  cat prep.time
}
run_parallel() {
  rm -rf fout && mkdir fout
  /usr/bin/time -f "%e" -o par.time parallel -j "$cores" ffmpeg -v error -y -i {} \
    -vf "scale=1280:720:flags=bicubic,format=yuv420p" -c:v libx264 -preset veryfast -crf 20 \
    -c:a aac -ar 48000 -ac 2 -movflags +faststart fout/{/} ::: big/*.mp4
  cat par.time
}

: >batch.runs; : >loop.runs; : >prep.runs; : >par.runs
for _ in $(seq "$RUNS"); do
  run_batch >>batch.runs
  run_loop >>loop.runs
  run_prep >>prep.runs
  run_parallel >>par.runs
done
b=$(cut -d' ' -f1 batch.runs | median); busy=$(cut -d' ' -f2 batch.runs | median)
l=$(median <loop.runs); p=$(median <prep.runs); q=$(median <par.runs)
echo "batch of 10 clips, jobs queued ${QUEUE_MS} ms each, --jobs 2 (median of $RUNS, load $(cut -d' ' -f1 /proc/loadavg)):"
awk -v b="$b" -v l="$l" -v c="$busy" 'BEGIN {printf "  batch %.2f s, one edit after another %.2f s: %.2fx (target <= 0.5x); batch CPU busy %d%% of one core\n", b, l, b / l, c}'
echo "prep of 20 4 s 1080p clips, $cores at once (median of $RUNS):"
awk -v p="$p" -v q="$q" 'BEGIN {printf "  omnicut prep DIR %.2f s, GNU parallel + ffmpeg %.2f s: %.2fx\n", p, q, p / q}'

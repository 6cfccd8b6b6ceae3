#!/usr/bin/env bash
# Benchmark: writing the HTML reports (`omnicut report`), medians of $RUNS.
# Usage: bench/report.sh OMNICUT MAKE_SAMPLE        (bash scripts/dev bench runs it)
#
# 1. The session page of a 3-turn edit of a 10 s 720p clip (`edit --local --keep-turns`, so every
#    turn's result is on disk): cold (its pictures removed: the source range, three turns and the
#    final each decoded once for their sheet and poster) and warm (the pictures are there), against
#    decoding those five files once with the ffmpeg CLI (`-f null`), the floor for a cold page.
# 2. The batch page of 50 clips edited by one `edit DIR --local`: warm (each clip's own page has
#    its posters), and cold (the clips' pages removed: a poster of each source and result made).
# With SHOT=FILE.png, also a 1100x1400 screenshot of the session page by headless Chromium.
set -euo pipefail
omnicut=$(realpath "$1")
RUNS=${RUNS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/omnicut-bench-report.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
secs() { /usr/bin/time -f "%e" -o t.time "$@" >/dev/null 2>&1; cat t.time; }

ffmpeg -v error -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=10" -f lavfi -i "sine=duration=10" \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest clip.mp4
mkdir s
"$omnicut" edit clip.mp4 -p "Make this video anime." -p "Make it night." -p "Make it black and white." \
  -o s/out.mp4 --local --yes --keep-turns --json >/dev/null 2>&1
ledger=s/out.mp4.omnicut.json
mkdir clips
for i in $(seq -w 1 50); do
  ffmpeg -v error -f lavfi -i "testsrc2=size=320x180:rate=24:duration=3" -f lavfi -i "sine=duration=3" \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "clips/c$i.mp4"
done
"$omnicut" edit clips -p "Make it sepia." -o b --local --yes --jobs 4 --json >/dev/null 2>&1 || [ $? -eq 1 ]

: >cold.runs; : >warm.runs; : >floor.runs; : >bwarm.runs; : >bcold.runs
for _ in $(seq "$RUNS"); do
  rm -rf s/out.mp4.report
  secs "$omnicut" report "$ledger" >>cold.runs
  secs "$omnicut" report "$ledger" >>warm.runs
  secs sh -c 'for f in clip.mp4 s/out.turn1.mp4 s/out.turn2.mp4 s/out.turn3.mp4 s/out.mp4; do ffmpeg -v error -i "$f" -f null -; done' >>floor.runs
  secs "$omnicut" report b >>bwarm.runs
  mv b/c01.mp4.report.html b/keep.html 2>/dev/null || true
  find b -name '*.report' -type d -exec rm -rf {} + ; find b -name '*.report.html' -delete; rm -rf b/report
  secs "$omnicut" report b >>bcold.runs
  for f in clips/*.mp4; do n=$(basename "$f"); "$omnicut" report "b/$n.omnicut.json" >/dev/null; done
done
echo "session page, 3 turns of 10 s 720p (median of $RUNS, load $(cut -d' ' -f1 /proc/loadavg)):"
echo "  cold $(median <cold.runs) s, warm $(median <warm.runs) s; decoding the five files once with ffmpeg: $(median <floor.runs) s"
echo "batch page, 50 clips: warm $(median <bwarm.runs) s (the clips' pages' posters), cold $(median <bcold.runs) s (a poster of each source and result made)"
if [ -n "${SHOT:-}" ]; then
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1400 \
    --screenshot="$SHOT" "file://$work/s/out.mp4.report.html" >/dev/null 2>&1
  echo "screenshot: $SHOT"
fi

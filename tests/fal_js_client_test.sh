#!/usr/bin/env bash
# Fidelity of the loopback emulator: fal's official JavaScript client (@fal-ai/client, from npm)
# uploads, subscribes with logs, reads the result and downloads the video through
# `omnicut emulator`, with a 429 and two status errors injected that the client must ride out.
# Where the client and the emulator disagree, the emulator is wrong.
# Usage: fal_js_client_test.sh OMNICUT_BIN WORKDIR   (exit 77 = skipped: no node/npm or no registry)
set -euo pipefail

BIN=$1
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK/out"

skip() { echo "SKIPPED: $*"; exit 77; }

command -v node >/dev/null && command -v npm >/dev/null || skip "node and npm are needed to run fal's JS client"

if [ ! -f "$WORK/node_modules/@fal-ai/client/package.json" ]; then
  [ -f "$WORK/package.json" ] || echo '{"private": true, "type": "module"}' > "$WORK/package.json"
  if ! timeout 300 npm install --prefix "$WORK" --no-audit --no-fund --loglevel=error "@fal-ai/client@^1.10.0" \
      > "$WORK/npm.log" 2>&1; then
    tail -n 3 "$WORK/npm.log"
    skip "npm could not install @fal-ai/client (is the npm registry reachable?)"
  fi
fi
echo "@fal-ai/client $(node -p "require('$WORK/node_modules/@fal-ai/client/package.json').version")"

# A 3 s test clip made by the project's own generator (ffmpeg's CLI when it was not built).
CLIP="$WORK/clip.mp4"
MAKE_SAMPLE="$(dirname "$BIN")/make_sample"
if [ -x "$MAKE_SAMPLE" ]; then
  "$MAKE_SAMPLE" "$CLIP" --duration 3 --width 320 --height 240 >/dev/null
elif command -v ffmpeg >/dev/null; then
  ffmpeg -v error -y -f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=f=1000 -t 3 \
    -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest "$CLIP"
else
  skip "neither make_sample nor ffmpeg is there to make a test clip"
fi

"$BIN" emulator --port 0 --faults 429x1,statusx2 > "$WORK/emulator.log" 2> "$WORK/emulator.err" &
EMU=$!
trap 'kill "$EMU" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [ -s "$WORK/emulator.log" ] && break
  sleep 0.1
done
FIRST=$(head -n 1 "$WORK/emulator.log")
[[ "$FIRST" =~ ^listening\ on\ (http://127\.0\.0\.1:[0-9]+)$ ]] || { echo "unexpected first line: '$FIRST'"; cat "$WORK/emulator.err"; exit 1; }
URL=${BASH_REMATCH[1]}

# Node resolves packages next to the script, so it runs from the work folder.
cp "$HERE/js/fal_client_check.mjs" "$WORK/fal_client_check.mjs"
rc=0
timeout 600 node "$WORK/fal_client_check.mjs" "$URL" "$CLIP" "$WORK/out" || rc=$?

# The edited video, as an independent prober sees it.
if [ "$rc" -eq 0 ] && command -v ffprobe >/dev/null; then
  got=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height,avg_frame_rate \
        -of csv=p=0 "$WORK/out/edited.mp4")
  if [ "$got" = "h264,1280,720,24/1" ]; then echo "ok   edited video is H.264 1280x720 at 24 fps"
  else echo "FAIL edited video is '$got', expected h264,1280,720,24/1"; rc=1; fi
fi

kill -TERM "$EMU"
emu_rc=0
wait "$EMU" || emu_rc=$?
trap - EXIT
if [ "$emu_rc" -ne 0 ]; then echo "FAIL the emulator exited $emu_rc on SIGTERM"; cat "$WORK/emulator.err"; rc=1; fi
if [ "$rc" -ne 0 ]; then echo "--- emulator access log"; tail -n 40 "$WORK/emulator.log"; fi
exit "$rc"

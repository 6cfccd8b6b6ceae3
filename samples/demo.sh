#!/usr/bin/env bash
# The README's main job on the project's own sample clip. Usage: samples/demo.sh OMNICUT MAKE_SAMPLE
set -euo pipefail
omnicut=$1 make_sample=$2
out=${OMNICUT_DEMO_DIR:-demo-out}
mkdir -p "$out"
"$make_sample" "$out/sample.mp4" >/dev/null
echo "== omnicut probe $out/sample.mp4"
"$omnicut" probe "$out/sample.mp4"
echo "== omnicut prep $out/sample.mp4 -o $out/sample-720p.mp4"
"$omnicut" prep "$out/sample.mp4" -o "$out/sample-720p.mp4"
"$omnicut" probe "$out/sample-720p.mp4"

#!/usr/bin/env bash
# The README's main job on the project's own sample clip, with no key and nothing billed: a
# two-turn `omnicut edit --local` (the built-in emulator on a loopback port stands in for fal).
# Usage: samples/demo.sh OMNICUT MAKE_SAMPLE   (bash scripts/dev demo runs it after the build)
# Output lands in $OMNICUT_DEMO_DIR (default demo-out/).
set -euo pipefail
omnicut=$1 make_sample=$2
out=${OMNICUT_DEMO_DIR:-demo-out}
mkdir -p "$out"
sample=$out/sample.mp4 edited=$out/edited.mp4
# A fresh run each time: an existing ledger would (rightly) make `edit` ask for --resume.
rm -f "$edited" "$edited.omnicut.json"

echo "== make_sample $sample   (960x540, 6 s, AAC stereo, a flash and a beep at 2.0 s)"
"$make_sample" "$sample" >/dev/null
"$omnicut" probe "$sample"

echo
echo "== omnicut estimate $sample --turns 2   (what the same edit would cost on fal)"
"$omnicut" estimate "$sample" --turns 2 -p "Make this video anime. Keep everything else the same." -p "Make it night."

echo
echo "== omnicut edit $sample -p ... -p ... -o $edited --local --yes"
"$omnicut" edit "$sample" \
  -p "Make this video anime. Keep everything else the same." \
  -p "Make it night." \
  --keep-rest -o "$edited" --local --yes

echo
echo "== omnicut history $edited.omnicut.json"
"$omnicut" history "$edited.omnicut.json"

echo
echo "== omnicut probe $edited   (the edited picture at 1280x720, the sample's own audio)"
"$omnicut" probe "$edited"

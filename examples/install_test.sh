#!/usr/bin/env bash
# CTest `install_example`: installs this build into a fresh prefix, builds examples/probe against
# that prefix alone (a fresh build folder, no package registry), and runs it on a generated clip.
#   install_test.sh BUILD_DIR EXAMPLE_DIR MAKE_SAMPLE WORK_DIR CXX_COMPILER [COMPILER_LAUNCHER]
set -euo pipefail
build=$1 example=$2 make_sample=$3 work=$4 cxx=$5 launcher=${6:-}

rm -rf "$work" && mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
for f in bin/omnicut include/omnicut/omnicut.h include/omnicut/version.h; do
  [[ -e $prefix/$f ]] || { echo "not installed: $f"; exit 1; }
done
# An exported target without its include folder builds nothing (a fresh configure once exported none).
targets=$(find "$prefix" -name omnicutTargets.cmake)
grep -q 'INTERFACE_INCLUDE_DIRECTORIES "${_IMPORT_PREFIX}/include"' "$targets" ||
  { echo "omnicut::omnicut is exported without its include folder"; exit 1; }
if find "$prefix/include" -name '*.h' -exec grep -l '#include "\(codecs\|client\|pipeline\|common\|model\|emulator\)/' {} + | grep .; then
  echo "a public header includes a private one"; exit 1
fi

cmake -S "$example" -B "$work/example-build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_CXX_COMPILER="$cxx" ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER=$launcher} \
  >"$work/configure.log"
grep -q "omnicut_DIR:PATH=$prefix/" "$work/example-build/CMakeCache.txt" || { echo "omnicut not found in $prefix"; exit 1; }
cmake --build "$work/example-build" >"$work/build.log"

"$make_sample" "$work/clip.mp4" --duration 2 >/dev/null
out=$("$work/example-build/omnicut_probe" "$work/clip.mp4")
echo "$out"
size=$(stat -c %s "$work/clip.mp4")
grep -qx "size: $size bytes" <<<"$out" || { echo "expected size: $size bytes"; exit 1; }
grep -qE '^duration: 2\.0[0-9]{2} s$' <<<"$out" || { echo "expected a duration of about 2 s"; exit 1; }

# A missing file: omnicut's one-line message through the library, exit 1.
if err=$("$work/example-build/omnicut_probe" "$work/missing.mp4" 2>&1); then echo "missing file accepted"; exit 1; fi
grep -q "missing.mp4" <<<"$err" || { echo "error does not name the file: $err"; exit 1; }
echo "ok"

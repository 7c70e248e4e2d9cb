#!/usr/bin/env bash
# The main job, end to end: installs what is missing, builds tinymlc, builds
# the Cortex-M4 firmware example (examples/cortex-m4: the digits CNN, twice,
# in one firmware, via the CMake function tinymlc_add_model) for QEMU's
# mps2-an386 board and runs it on ten bundled digits, printing over
# semihosting. Without the Arm cross tools or QEMU it builds and runs the same
# example on the host instead, and says so.
#   sudo scripts/demo.sh            (or as root; apt-get needs it)
# The generated files stay in build/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
scripts/install-deps.sh cross || echo "demo: could not install the cross tools; using the host"
scripts/build.sh
build=$(cd "${TINYMLC_BUILD_DIR:-build}" && pwd)
demo=$build/demo
rm -rf "$demo"

if command -v arm-none-eabi-gcc > /dev/null && command -v qemu-system-arm > /dev/null; then
  echo "== building examples/cortex-m4 for mps2-an386 (Cortex-M4F) with tinymlc_add_model()"
  cmake -S examples/cortex-m4 -B "$demo" -G Ninja -Dtinymlc_DIR="$build" \
    -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/tinymlc-toolchain.cmake" -DTINYMLC_TARGET=mps2-an386 \
    > /dev/null
  echo "== building; after the link, tinymlc_firmware_report() prints what the firmware costs"
  cmake --build "$demo" --target firmware
  echo "== running under qemu-system-arm -M mps2-an386 (output over semihosting)"
  cmake --build "$demo" --target run_firmware
else
  echo "== no arm-none-eabi-gcc or qemu-system-arm: building examples/cortex-m4 for the host"
  cmake -S examples/cortex-m4 -B "$demo" -G Ninja -Dtinymlc_DIR="$build" > /dev/null
  cmake --build "$demo" --target firmware
  echo "== running on the host"
  cmake --build "$demo" --target run_firmware
fi
echo "== the compiler's report for the first model: $demo/digits_model.tinymlc/digits.report.json"

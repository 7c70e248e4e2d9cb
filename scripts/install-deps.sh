#!/usr/bin/env bash
# Installs the Debian 12 packages tinymlc needs, skipping those already there.
#   scripts/install-deps.sh build   the compiler itself
#   scripts/install-deps.sh test    plus what the test suite reads and runs (the
#                                   targets tier needs the cross tools too)
#   scripts/install-deps.sh cross   the build, plus the Arm and RISC-V cross
#                                   compilers and QEMU (examples, demo)
# Runs apt-get as root, or through sudo.
set -euo pipefail

build_pkgs=(cmake ninja-build g++ libonnx-dev libprotobuf-dev protobuf-compiler llvm-16-dev
            libzstd-dev libcli11-dev nlohmann-json3-dev doctest-dev)
# Tests: ONNX's conformance data, and Debian's python3 with onnx and numpy to
# read it (/usr/bin/python3; another python3 earlier on PATH is not used);
# node and npm for ONNX Runtime (onnxruntime-node, package.json), the
# reference runtime of the real-model tests.
test_pkgs=(libonnx-testdata python3 python3-onnx python3-numpy nodejs)
# Firmware: arm-none-eabi (newlib, and libstdc++ for its C++ driver), the
# RISC-V toolchain (no C++ library in Debian; picolibc for the C one), QEMU.
cross_pkgs=(gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib
            qemu-system-arm gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  test) want+=("${test_pkgs[@]}" "${cross_pkgs[@]}") ;;
  cross) want+=("${cross_pkgs[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

npm_deps() {
  # ONNX Runtime for node, from npm: --ignore-scripts because its install
  # script downloads GPU extras (unreachable offline); the CPU library ships
  # inside the package.
  if [[ "${1:-build}" == test && ! -d node_modules/onnxruntime-node ]]; then
    if ! command -v npm > /dev/null; then
      # Debian's nodejs comes without npm (NodeSource's includes it).
      "${sudo[@]}" apt-get install -y -qq --no-install-recommends npm
    fi
    echo "installing onnxruntime-node (npm)"
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error
  fi
}
cd "$(dirname "$0")/.."
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

if ((${#missing[@]} == 0)); then
  npm_deps "${1:-build}"
  exit 0
fi

echo "installing: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
npm_deps "${1:-build}"

#!/usr/bin/env bash
# Installs the Debian 12 packages tinymlc needs, skipping those already there.
#   scripts/install-deps.sh build   the compiler itself
#   scripts/install-deps.sh test    plus what the test suite reads and runs
# Runs apt-get as root, or through sudo.
set -euo pipefail

build_pkgs=(cmake ninja-build g++ libonnx-dev libprotobuf-dev protobuf-compiler llvm-16-dev
            libzstd-dev libcli11-dev nlohmann-json3-dev doctest-dev)
# Tests: ONNX's conformance data, and Debian's python3 with onnx and numpy to
# read it (/usr/bin/python3; another python3 earlier on PATH is not used).
test_pkgs=(libonnx-testdata python3 python3-onnx python3-numpy)

want=("${build_pkgs[@]}")
if [[ "${1:-build}" == test ]]; then
  want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "installing: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

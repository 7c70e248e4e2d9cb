#!/usr/bin/env bash
# Configures and builds tinymlc into build/ (or $TINYMLC_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TINYMLC_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build"

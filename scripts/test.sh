#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs the whole suite.
#   sudo scripts/test.sh            (or as root; apt-get needs it)
# Extra arguments go to ctest, e.g. scripts/test.sh -R unit
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
scripts/build.sh
build=${TINYMLC_BUILD_DIR:-build}
ctest --test-dir "$build" --output-on-failure "$@"

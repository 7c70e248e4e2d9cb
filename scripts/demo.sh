#!/usr/bin/env bash
# The main job, end to end: installs what is missing, builds tinymlc, compiles
# the bundled example model (examples/digits/digits_cnn.onnx, a small CNN for
# 8x8 digits), builds the generated code with a C demo program, runs it on ten
# held-out digits and prints the predictions and the memory report.
#   sudo scripts/demo.sh            (or as root; apt-get needs it)
# The generated files stay in build/demo/gen for you to read.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
scripts/build.sh
build=${TINYMLC_BUILD_DIR:-build}
demo=$build/demo
rm -rf "$demo"
mkdir -p "$demo"

echo "== tinymlc compile examples/digits/digits_cnn.onnx --target host"
"$build/compiler/tinymlc" compile examples/digits/digits_cnn.onnx --name digits --target host \
  -o "$demo/gen"

echo "== building the generated code with examples/digits/demo.c (host, -O2)"
cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -I"$demo/gen" -c examples/digits/demo.c \
  -o "$demo/demo.o"
c++ -std=c++11 -O2 -Wall -Wextra -Werror -pedantic -fno-exceptions -fno-rtti -I"$demo/gen" \
  -c "$demo/gen/digits.cpp" -o "$demo/digits.o"
c++ -std=c++11 -O2 -Wall -Wextra -Werror -pedantic -fno-exceptions -fno-rtti -I"$demo/gen" \
  -c "$demo/gen/digits_weights.cpp" -o "$demo/digits_weights.o"
c++ "$demo/demo.o" "$demo/digits.o" "$demo/digits_weights.o" -o "$demo/demo" -lm

echo "== running on the host"
"$demo/demo" examples/digits/samples.bin examples/digits/labels.txt
echo "== memory report ($demo/gen/digits.report.json)"
echo "   flash (text, data) and RAM (bss) of the generated objects:"
size "$demo/digits.o" "$demo/digits_weights.o" | sed 's/^/   /'

#!/usr/bin/python3
"""The generated code compiles warning-free for every cross target.

For every built-in target whose arch is arm or riscv, compiles the generated
sources of the bundled digits model and of the real float models (when
../shared/models is present) with the target's cflags and
`-std=c++11 -O2 -Wall -Wextra -Werror -pedantic -fno-exceptions -fno-rtti`
(arm-none-eabi-g++; riscv64-unknown-elf-g++ with picolibc), and checks that
the generated files include only <stdint.h>, <stddef.h>, <string.h> and
<math.h> (Debian's RISC-V toolchain has no C++ library headers). The large
_weights.cpp files are compiled for one target per architecture only.
Exit code 77 when a cross compiler is missing.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "models"))
import run_models  # noqa: E402

ALLOWED = {"stdint.h", "stddef.h", "string.h", "math.h"}
REAL = ["mnist-8", "tflm-hello-world-sine", "mlperf-tiny-ic-resnet8-float",
        "mlperf-tiny-vww-mobilenetv1-float", "mobilenetv2-035-96-random"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    ap.add_argument("--models", default=os.environ.get(
        "TINYMLC_MODELS", os.path.join(os.path.dirname(ROOT), "shared", "models")))
    args = ap.parse_args()
    compilers = {"arm": ["arm-none-eabi-g++"],
                 "riscv": ["riscv64-unknown-elf-g++", "--specs=picolibc.specs"]}
    missing = [c[0] for c in compilers.values() if not shutil.which(c[0])]
    if missing:
        print("SKIPPED: %s not installed (scripts/install-deps.sh cross)" % ", ".join(missing))
        return 77
    targets = []
    for f in sorted(glob.glob(os.path.join(ROOT, "targets", "*.json"))):
        t = json.load(open(f))
        if t["arch"] in compilers:
            targets.append(t)
    models = [("digits", os.path.join(ROOT, "examples", "digits", "digits_cnn.onnx"), [])]
    extra = {n: e for n, e, _ in run_models.MODELS}
    if os.path.isdir(args.models):
        models += [(m, os.path.join(args.models, m, "model.onnx"), extra.get(m, [])) for m in REAL]
    else:
        print("note: no models directory at %s; the digits model only" % args.models)
    work = tempfile.mkdtemp(prefix="tinymlc-cross-")
    failures = 0
    try:
        for name, model, flags in models:
            before = failures
            gen = os.path.join(work, name)
            r = subprocess.run([args.tinymlc, "compile", model, "--name", "m", "-o", gen, "-q"] +
                               flags, capture_output=True, text=True)
            if r.returncode != 0:
                failures += 1
                print("FAIL %-36s tinymlc: %s" % (name, r.stderr.strip()))
                continue
            bad = set()
            for f in glob.glob(os.path.join(gen, "*.h")) + glob.glob(os.path.join(gen, "*.cpp")):
                bad |= set(re.findall(r"#include <([^>]+)>", open(f).read())) - ALLOWED
            if bad:
                failures += 1
                print("FAIL %-36s includes %s" % (name, sorted(bad)))
            seen_arch = set()
            for t in targets:
                srcs = ["m.cpp"]
                if t["arch"] not in seen_arch:
                    srcs.append("m_weights.cpp")
                    seen_arch.add(t["arch"])
                for src in srcs:
                    cmd = compilers[t["arch"]] + t["cflags"] + [
                        "-std=c++11", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic",
                        "-fno-exceptions", "-fno-rtti", "-c", os.path.join(gen, src), "-o",
                        os.path.join(gen, t["name"] + "-" + src + ".o")]
                    r = subprocess.run(cmd, capture_output=True, text=True)
                    if r.returncode != 0:
                        failures += 1
                        print("FAIL %-36s %-14s %s: %s" % (name, t["name"], src,
                                                           r.stderr.strip()[:600]))
            if failures == before:
                print("ok   %-36s compiled for %s" % (name, ", ".join(t["name"] for t in targets)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("cross: %d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

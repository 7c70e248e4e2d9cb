#!/usr/bin/python3
"""Golden generated code: compiles each case and compares every generated file
byte for byte with tests/golden/<case>/. A codegen change shows up as a diff
here; review it, then regenerate with --update.

Kernel headers (tmc_*.h) are not stored: they must equal runtime-min's
copies byte for byte.

Each case also compiles twice, from two different working directories, with
different TZ/LANG/LC_ALL and output paths, and the two outputs must be
identical (deterministic bytes).
"""
import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TESTDATA = os.environ.get("TINYMLC_ONNX_TESTDATA", "/usr/share/libonnx-testdata/data")

# case name -> (model path, extra compile arguments)
CASES = {
    "digits": (os.path.join(ROOT, "examples", "digits", "digits_cnn.onnx"), ["--name", "digits"]),
    "maxpool_argmax": (os.path.join(TESTDATA, "node", "test_maxpool_with_argmax_2d_precomputed_strides",
                                    "model.onnx"), ["--name", "pool"]),
    "conv_depthwise": (os.path.join(TESTDATA, "pytorch-converted", "test_Conv2d_depthwise_padded",
                                    "model.onnx"), ["--name", "dw"]),
}


def compile_case(tinymlc, model, extra, outdir, cwd, env):
    r = subprocess.run([tinymlc, "compile", model, "-o", outdir, "-q"] + extra, cwd=cwd, env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("tinymlc failed: " + r.stderr)
    return {f: open(os.path.join(outdir, f), "rb").read() for f in sorted(os.listdir(outdir))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    ap.add_argument("--update", action="store_true", help="rewrite the golden files")
    args = ap.parse_args()
    tinymlc = os.path.abspath(args.tinymlc)
    failures = 0
    work = tempfile.mkdtemp(prefix="tinymlc-golden-")
    try:
        for case, (model, extra) in sorted(CASES.items()):
            env1 = dict(os.environ, TZ="UTC", LANG="C", LC_ALL="C")
            env2 = dict(os.environ, TZ="Pacific/Kiritimati", LANG="de_DE.UTF-8",
                        LC_ALL="de_DE.UTF-8", SOURCE_DATE_EPOCH="1")
            d1 = os.path.join(work, case, "a")
            d2 = os.path.join(work, "elsewhere", case, "deeper", "b")
            os.makedirs(d2)
            got = compile_case(tinymlc, model, extra, d1, work, env1)
            again = compile_case(tinymlc, model, extra, d2, d2, env2)
            if got != again:
                print("FAIL %s: output differs between two compiles (not deterministic)" % case)
                failures += 1
                continue
            for f in [f for f in got if f.startswith("tmc_")]:
                src = open(os.path.join(ROOT, "runtime-min", f), "rb").read()
                if got.pop(f) != src:
                    print("FAIL %s: %s differs from runtime-min/%s" % (case, f, f))
                    failures += 1
            gold_dir = os.path.join(HERE, case)
            if args.update:
                shutil.rmtree(gold_dir, ignore_errors=True)
                os.makedirs(gold_dir)
                for f, data in got.items():
                    open(os.path.join(gold_dir, f), "wb").write(data)
                print("updated %s (%d files)" % (case, len(got)))
                continue
            want = {f: open(os.path.join(gold_dir, f), "rb").read()
                    for f in sorted(os.listdir(gold_dir))} if os.path.isdir(gold_dir) else {}
            if got == want:
                print("ok   %s (%d files)" % (case, len(got)))
                continue
            failures += 1
            print("FAIL %s: generated files differ from tests/golden/%s" % (case, case))
            for f in sorted(set(got) | set(want)):
                if got.get(f) == want.get(f):
                    continue
                a = want.get(f, b"").decode("utf-8", "replace").splitlines(True)
                b = got.get(f, b"").decode("utf-8", "replace").splitlines(True)
                sys.stdout.writelines(list(difflib.unified_diff(a, b, "golden/" + f, "new/" + f))[:60])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("golden: %d cases differ; if the change is intended, review the diff and run "
              "tests/golden/check_golden.py --tinymlc build/compiler/tinymlc --update" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

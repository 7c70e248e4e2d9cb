#!/usr/bin/python3
"""Post-training quantisation bars (issue 5), measured by bench/quantization.py.

- digits-cnn quantised from data/calib_images_f32.bin (200 training images)
  classifies the 360 held-out images with at least 98.0% accuracy (float:
  98.61%).
- mlperf-tiny-vww-mobilenetv1-float and mlperf-tiny-ic-resnet8-float
  quantised from 100 seeded random inputs in ref/input_0.bin's range keep
  their outputs' SQNR against the float build at 20 dB or more over 100 other
  seeded random inputs.
All with the default (minmax) calibration. Exit code 77 (ctest: skipped) when
the models directory is missing.
"""
import argparse
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "bench"))
import quantization as q  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    ap.add_argument("--method", default="minmax")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(q.MODELS_DIR, "digits-cnn")):
        print("SKIP: no models in %s" % q.MODELS_DIR)
        return 77
    tinymlc = os.path.abspath(args.tinymlc)
    work = tempfile.mkdtemp(prefix="tinymlc-ptq-test-")
    try:
        rows = [q.digits(tinymlc, args.method, work)]
        rows += [q.random_model(tinymlc, name, args.method, work) for name in q.RANDOM_MODELS]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(q.table(rows))
    failed = [r["model"] for r in rows if not q.passes(r)]
    if failed:
        print("FAIL: below the bar: " + ", ".join(failed))
        return 1
    print("OK: every quantised model meets its bar")
    return 0


if __name__ == "__main__":
    sys.exit(main())
